/**
 * Helpers for the reliability tests (retries, dead letters, rate limits, priority, cancel,
 * external tasks, metrics): tasks that record when each attempt started, outcome classification,
 * and event filters. Timing goes through `TestClock` like the rest of the suite.
 */
import { Cause, Effect, Exit, Option, Predicate, Ref } from "effect"
import type * as LaneEvent from "../../src/LaneEvent.js"
import { now } from "./harness.js"

/** A task whose attempts record their start time (TestClock millis). */
export interface AttemptRecorder {
  /** Start times of every attempt so far. */
  readonly times: Effect.Effect<ReadonlyArray<number>>
  /**
   * A task that records its attempt, then runs `body(n)` where `n` is the attempt number (1-based).
   */
  readonly task: <A, E>(body: (attempt: number) => Effect.Effect<A, E>) => Effect.Effect<A, E>
}

export const makeAttemptRecorder: Effect.Effect<AttemptRecorder> = Effect.map(
  Ref.make<ReadonlyArray<number>>([]),
  (ref) => ({
    times: Ref.get(ref),
    task: (body) =>
      Effect.flatMap(now, (at) =>
        Effect.flatMap(
          Ref.updateAndGet(ref, (times) => [...times, at]),
          (times) => Effect.suspend(() => body(times.length))
        ))
  })
)

/** The four ways a task can end, as its submitter sees it. */
export type Outcome = "succeeded" | "failed" | "timedOut" | "cancelled"

/**
 * How a submitter's exit reads: success; `TaskTimeout` -> timedOut; `TaskCancelled` (or a bare
 * interruption) -> cancelled; any other failure or defect -> failed.
 */
export const classify = (exit: Exit.Exit<unknown, unknown>): Outcome => {
  if (Exit.isSuccess(exit)) return "succeeded"
  if (Cause.isInterruptedOnly(exit.cause)) return "cancelled"
  const error = Cause.failureOption(exit.cause)
  if (Option.exists(error, (e) => Predicate.isTagged(e, "TaskTimeout"))) return "timedOut"
  if (Option.exists(error, (e) => Predicate.isTagged(e, "TaskCancelled"))) return "cancelled"
  return "failed"
}

/** The typed failure of an exit, if any. */
export const failureOf = <A, E>(exit: Exit.Exit<A, E>): Option.Option<E> =>
  Exit.isFailure(exit) ? Cause.failureOption(exit.cause) : Option.none()

/** The events of one tag, narrowed. */
export const eventsOf = <Tag extends LaneEvent.LaneEvent["_tag"]>(
  events: ReadonlyArray<LaneEvent.LaneEvent>,
  tag: Tag
): Array<Extract<LaneEvent.LaneEvent, { readonly _tag: Tag }>> =>
  events.filter((event): event is Extract<LaneEvent.LaneEvent, { readonly _tag: Tag }> => event._tag === tag)

/** The task IDs of the `Started` events, in order. */
export const startOrder = (events: ReadonlyArray<LaneEvent.LaneEvent>): ReadonlyArray<string> =>
  eventsOf(events, "Started").map((event) => event.taskId)
