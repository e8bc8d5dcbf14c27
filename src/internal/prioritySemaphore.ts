import * as Effect from "effect/Effect"

/**
 * A claim on one slot of a {@link PrioritySemaphore}: `held` turns true, synchronously, the moment
 * the slot is granted, so that whoever owns the claim can always give a granted slot back (even if
 * it was interrupted in the instant between the grant and its resumption).
 *
 * @internal
 */
export interface Claim {
  held: boolean
}

/** A lane's front task waiting for a slot. */
interface Waiter {
  readonly claim: Claim
  readonly priority: number
  readonly sequence: number
  readonly since: number
  readonly onPromote: (level: number, waitedMillis: number) => void
  /** The level last announced through `onPromote`. */
  level: number
  readonly resume: () => void
}

/**
 * The session-wide concurrency budget (`totalConcurrency`): a counting semaphore that hands a freed
 * slot straight to the most urgent waiter, never to a newcomer.
 *
 * Urgency is the lane's priority (lower first), raised by one level for every `deadline` the task
 * has waited (the starvation guard; never above level 0), then submission order. Waiters are the
 * front tasks of the lanes (one per lane at most), so a linear scan per release is cheap.
 *
 * @internal
 */
export class PrioritySemaphore {
  private readonly waiters: Array<Waiter> = []

  constructor(
    private free: number,
    private readonly deadlineMillis: number,
    private readonly now: () => number
  ) {}

  /**
   * Waits until `claim` holds a slot. Interrupting the wait withdraws it; a slot granted in the
   * meantime stays on the claim, and its owner gives it back with {@link release}.
   */
  acquire(
    claim: Claim,
    priority: number,
    sequence: number,
    since: number,
    onPromote: (level: number, waitedMillis: number) => void
  ): Effect.Effect<void> {
    return Effect.async<void>((resume) => {
      if (this.free > 0 && this.waiters.length === 0) {
        this.free--
        claim.held = true
        return resume(Effect.void)
      }
      const waiter: Waiter = {
        claim,
        priority,
        sequence,
        since,
        onPromote,
        level: priority,
        resume: () => resume(Effect.void)
      }
      this.waiters.push(waiter)
      return Effect.sync(() => {
        const index = this.waiters.indexOf(waiter)
        if (index >= 0) this.waiters.splice(index, 1)
      })
    })
  }

  /** Gives a slot back: to the most urgent waiter if there is one. */
  release(): void {
    const next = this.mostUrgent()
    if (next === undefined) {
      this.free++
      return
    }
    this.waiters.splice(this.waiters.indexOf(next), 1)
    next.claim.held = true
    next.resume()
  }

  private level(waiter: Waiter, now: number): number {
    const boost = Math.floor((now - waiter.since) / this.deadlineMillis)
    const level = Math.max(0, waiter.priority - boost)
    if (level < waiter.level) {
      waiter.level = level
      waiter.onPromote(level, now - waiter.since)
    }
    return level
  }

  private mostUrgent(): Waiter | undefined {
    const now = this.now()
    let best: Waiter | undefined
    let bestLevel = Infinity
    for (const waiter of this.waiters) {
      const level = this.level(waiter, now)
      if (level < bestLevel || (level === bestLevel && best !== undefined && waiter.sequence < best.sequence)) {
        best = waiter
        bestLevel = level
      }
    }
    return best
  }
}

/**
 * A token bucket: `limit` tokens, refilled one every `interval / limit` millis, full at the
 * start. Unlike Effect's `RateLimiter`, waiting for a token and taking it are separate steps, so
 * a lane takes a token only for a task that really starts (in the same synchronous step as the
 * start), never for one cancelled while the lane waited.
 *
 * @internal
 */
export class TokenBucket {
  private tokens: number
  private last: number
  private readonly refillMillis: number

  constructor(private readonly limit: number, intervalMillis: number, now: number) {
    this.tokens = limit
    this.last = now
    this.refillMillis = intervalMillis / limit
  }

  /** Millis until a token is available (0: one is available now). */
  delay(now: number): number {
    this.refill(now)
    return this.tokens >= 1 ? 0 : Math.max(1, Math.ceil(this.last + this.refillMillis - now))
  }

  /** Takes a token; call only right after `delay` returned 0 in the same synchronous step. */
  take(): void {
    this.tokens--
  }

  private refill(now: number): void {
    if (this.tokens >= this.limit) {
      this.last = now
      return
    }
    const gained = Math.floor((now - this.last) / this.refillMillis)
    if (gained <= 0) return
    this.tokens = Math.min(this.limit, this.tokens + gained)
    this.last = this.tokens >= this.limit ? now : this.last + gained * this.refillMillis
  }
}
