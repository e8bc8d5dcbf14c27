import * as Effect from "effect/Effect"

/** A task waiting for a slot of the session-wide budget. */
interface Waiter {
  readonly priority: number
  readonly sequence: number
  readonly since: number
  readonly onPromote: (level: number, waitedMillis: number) => void
  /** The level last announced through `onPromote`. */
  level: number
  granted: boolean
  resume: ((granted: Effect.Effect<void>) => void) | undefined
}

const granted: Effect.Effect<void> = Effect.void

/**
 * The session-wide concurrency budget (`totalConcurrency`): a counting semaphore that hands a freed
 * slot straight to the most urgent waiter, never to a newcomer.
 *
 * Urgency is the lane's priority (lower first), raised by one level for every `deadline` the task
 * has waited (the starvation guard; never above level 0), then submission order. Waiters are the
 * front tasks of the lanes, so there are few of them and a linear scan per release is cheap.
 */
export class PriorityGate {
  private readonly waiters: Array<Waiter> = []

  constructor(
    private free: number,
    private readonly deadlineMillis: number,
    private readonly now: () => number
  ) {}

  /**
   * Waits for a slot, interruptibly; the caller must `release` it later. `since` is when the task
   * started waiting (for the starvation guard).
   */
  acquire(
    priority: number,
    sequence: number,
    since: number,
    onPromote: (level: number, waitedMillis: number) => void
  ): Effect.Effect<void> {
    return Effect.suspend(() => {
      const waiter: Waiter = {
        priority,
        sequence,
        since,
        onPromote,
        level: priority,
        granted: false,
        resume: undefined
      }
      return Effect.onInterrupt(
        this.wait(waiter),
        () =>
          Effect.sync(() => {
            if (waiter.granted) this.release()
          })
      )
    })
  }

  private wait(waiter: Waiter): Effect.Effect<void> {
    return Effect.async<void>((resume) => {
      if (this.free > 0 && this.waiters.length === 0) {
        this.free--
        waiter.granted = true
        return resume(granted)
      }
      waiter.resume = resume
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
    next.granted = true
    next.resume?.(granted)
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
