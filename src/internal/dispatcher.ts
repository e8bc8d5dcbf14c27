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
 * fiber; a task's fiber is created when it starts.
 */
export const dispatcher = (gate: LaneGate, options: DispatchOptions): Effect.Effect<never> => {
  const rateLimited = Option.match(options.limiter, {
    onNone: () => Effect.void,
    onSome: (limiter) => limiter(Effect.void)
  })
  /** Takes a slot of the session budget for the front ticket; whether one was taken. */
  const slot: Effect.Effect<boolean> = Option.match(options.budget, {
    onNone: () => Effect.succeed(false),
    onSome: (budget) =>
      Effect.suspend(() => {
        const head = gate.peek()
        return head === undefined
          ? Effect.succeed(false)
          : Effect.as(
            budget.acquire(Lane.priority(gate.lane), TaskId.sequence(head.id), head.submittedAt, options.promote(head)),
            true
          )
      })
  })
  const giveBack = (slotTaken: boolean) =>
    Effect.suspend(() => {
      if (slotTaken && Option.isSome(options.budget)) options.budget.value.release()
      return gate.semaphore.release(1)
    })
  const step = gate.nonEmpty.pipe(
    Effect.zipRight(gate.semaphore.take(1)),
    Effect.zipRight(rateLimited),
    Effect.zipRight(slot),
    Effect.flatMap((slotTaken) => options.start(gate) ? Effect.void : giveBack(slotTaken))
  )
  return Effect.forever(step)
}
