import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schedule from "effect/Schedule"
import * as ScheduleDecision from "effect/ScheduleDecision"
import { TaskTimeout } from "../LaneError.js"
import type * as LanesConfig from "../LanesConfig.js"
import * as RetryPolicy from "../RetryPolicy.js"
import { describeError } from "./describeCause.js"
import type { Ticket } from "./laneGate.js"
import { byLane } from "./perLane.js"
import type { Session } from "./session.js"

/**
 * How a started task runs: one attempt under the lane's timeout (counted from the attempt's start),
 * then the retries of the lane's policy, each announced by a `Retrying` event. A `TaskTimeout` is a
 * failed attempt like any other.
 */
export const makeAttempts = (settings: LanesConfig.Settings, session: Session) => {
  const schedules = byLane((lane) => RetryPolicy.toSchedule(settings.lanes[lane].retry))
  return <A, E, R>(ticket: Ticket, task: Effect.Effect<A, E, R>): Effect.Effect<A, E | TaskTimeout, R> => {
    const timeout = settings.lanes[ticket.lane].timeout
    const limited: Effect.Effect<A, E | TaskTimeout, R> = Option.isNone(timeout) ? task : Effect.timeoutFail(task, {
      duration: timeout.value,
      onTimeout: () => new TaskTimeout({ taskId: ticket.id, lane: ticket.lane, timeout: timeout.value })
    })
    const attempt = Effect.suspend(() => {
      ticket.attempts++
      return limited
    })
    if (RetryPolicy.retries(settings.lanes[ticket.lane].retry) === 0) return attempt
    return Effect.retry(
      Effect.tapError(attempt, (error) =>
        Effect.sync(() => {
          ticket.lastError = describeError(error)
        })),
      schedules[ticket.lane].pipe(Schedule.onDecision((delay, decision) =>
        Effect.sync(() => {
          if (ScheduleDecision.isContinue(decision)) session.retrying(ticket, delay)
        })
      ))
    )
  }
}
