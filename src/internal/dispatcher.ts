import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type * as RateLimiter from "effect/RateLimiter"
import * as Lane from "../Lane.js"
import * as TaskId from "../TaskId.js"
import type { LaneGate, Ticket } from "./laneGate.js"
import type { PriorityGate } from "./priorityGate.js"

/** What a lane's dispatcher needs besides its line. */
export interface DispatchOptions {
  readonly limiter: Option.Option<RateLimiter.RateLimiter>
  /** The session-wide budget, when the lane is subject to one. */
  readonly budget: Option.Option<PriorityGate>
  readonly promote: (ticket: Ticket) => (level: number, waitedMillis: number) => void
  /** Starts the front ticket; `false` if there is none (it was withdrawn) or the queue closed. */
  readonly start: (gate: LaneGate) => boolean
}

/**
 * The lane's dispatcher: a loop, forked once per lane, that waits for a ticket, takes a permit of
 * the lane's `Semaphore`, passes the rate limit and the session budget, and starts the ticket at the
 * front of the line. Being the only fiber that ever waits on the semaphore, it makes the lane
 * strictly FIFO: a newcomer can never barge in when a permit is released. Pending tasks own no
 * fiber; a task's fiber is created when it starts. Steps a lane does not need (no rate limit, no
 * budget) are left out of its loop rather than run as no-ops.
 */
export const dispatcher = (gate: LaneGate, options: DispatchOptions): Effect.Effect<never> => {
  const ticketWaiting = Effect.suspend(() => gate.peek() === undefined ? gate.nonEmpty : Effect.void)
  const permit = Effect.zipRight(ticketWaiting, gate.semaphore.take(1))
  const limited = Option.match(options.limiter, {
    onNone: () => permit,
    onSome: (limiter) => Effect.zipRight(permit, limiter(Effect.void))
  })
  const step: Effect.Effect<void> = Option.match(options.budget, {
    onNone: () => Effect.flatMap(limited, () => options.start(gate) ? Effect.void : gate.semaphore.release(1)),
    onSome: (budget) => {
      /** Takes a slot of the session budget for the front ticket; whether one was taken. */
      const slot = Effect.suspend(() => {
        const head = gate.peek()
        return head === undefined
          ? Effect.succeed(false)
          : Effect.as(
            budget.acquire(Lane.priority(gate.lane), TaskId.sequence(head.id), head.submittedAt, options.promote(head)),
            true
          )
      })
      return Effect.flatMap(Effect.zipRight(limited, slot), (slotTaken) => {
        if (options.start(gate)) return Effect.void
        if (slotTaken) budget.release()
        return gate.semaphore.release(1)
      })
    }
  })
  // A defect here is a bug in the bookkeeping, never the task's (tasks run in their own fibers): log it and
  // keep dispatching, since a dead dispatcher would leave every later task of the lane waiting for ever.
  const guarded = Effect.catchAllDefect(step, (defect) => Effect.logError("effect-lanes: lane dispatch failed", defect))
  // Not `Effect.forever`, which yields to the scheduler after every step, i.e. once per task started: the
  // loop suspends anyway whenever the line is empty or no permit is free, and Effect's runtime still
  // yields to other fibers after its usual budget of steps.
  const loop: Effect.Effect<never> = Effect.flatMap(guarded, () => loop)
  return loop
}
