/**
 * Test helpers for the lane queue: a queue built from code settings, deterministic scheduling over
 * `TestClock`, a probe that instruments tasks (running count, peak, start order, finalizers), and an
 * event recorder.
 */
import {
  Cause,
  Duration,
  Effect,
  Exit,
  Fiber,
  Layer,
  Option,
  Predicate,
  Ref,
  type Scope,
  Stream,
  TestClock
} from "effect"
import type * as LaneEvent from "../../src/LaneEvent.js"
import * as LaneQueue from "../../src/LaneQueue.js"
import * as LanesConfig from "../../src/LanesConfig.js"

/** The session ID every test queue uses. */
export const session = "s"

/** A queue for session {@link session} with settings from code; it lives as long as the scope. */
export const makeQueue = (
  input: LanesConfig.Input = {}
): Effect.Effect<LaneQueue.LaneQueue, never, Scope.Scope> =>
  LaneQueue.make(session).pipe(Effect.provide(LanesConfig.layerWith(input)))

/** The queue as a layer, for tests that close the layer's scope themselves. */
export const queueLayer = (input: LanesConfig.Input = {}): Layer.Layer<LaneQueue.LaneQueue> =>
  LaneQueue.layer(session).pipe(Layer.provide(LanesConfig.layerWith(input)))

/**
 * Lets every runnable fiber run until it suspends (on a sleep, a permit, a join) by yielding the
 * current fiber many times. Needed after forking and after each `TestClock.adjust`, so that the
 * sleeps of newly started tasks are registered before the clock moves again.
 */
export const settle: Effect.Effect<void> = Effect.gen(function*() {
  for (let i = 0; i < 64; i++) yield* Effect.yieldNow()
})

/** Moves the `TestClock` forward by `total` in `step`s, settling before and after each step. */
export const advance = (
  total: Duration.DurationInput,
  step: Duration.DurationInput = "1 second"
): Effect.Effect<void> =>
  Effect.gen(function*() {
    const totalMillis = Duration.toMillis(total)
    const stepMillis = Duration.toMillis(step)
    yield* settle
    for (let elapsed = 0; elapsed < totalMillis; elapsed += stepMillis) {
      yield* TestClock.adjust(Duration.millis(Math.min(stepMillis, totalMillis - elapsed)))
      yield* settle
    }
  })

/** Whether a fiber has finished, without waiting for it. */
export const isDone = <A, E>(fiber: Fiber.Fiber<A, E>): Effect.Effect<boolean> =>
  Effect.map(Fiber.poll(fiber), Option.isSome)

/** The current `TestClock` time in millis. */
export const now: Effect.Effect<number> = Effect.clockWith((clock) => clock.currentTimeMillis)

/** What a {@link Probe} records. */
export interface ProbeState {
  /** Tasks running now. */
  readonly running: number
  /** The highest `running` ever observed. */
  readonly peak: number
  /** Labels of tasks in the order they started. */
  readonly started: ReadonlyArray<string>
  /** Labels of tasks in the order they succeeded. */
  readonly completed: ReadonlyArray<string>
  /** Labels of tasks that were interrupted while running (their finalizer saw the interruption). */
  readonly interrupted: ReadonlyArray<string>
  /** Labels of tasks whose finalizer ran, whatever the outcome. */
  readonly finalized: ReadonlyArray<string>
}

const empty: ProbeState = { running: 0, peak: 0, started: [], completed: [], interrupted: [], finalized: [] }

/** Instruments tasks: every task made through a probe records its start, its end and its finalizer. */
export interface Probe {
  readonly state: Effect.Effect<ProbeState>
  /** A task that sleeps `duration` (virtual time), then succeeds with its label. */
  readonly sleep: (label: string, duration: Duration.DurationInput) => Effect.Effect<string>
  /** Wraps any effect with the probe's instrumentation. */
  readonly wrap: <A, E, R>(label: string, self: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
}

export const makeProbe: Effect.Effect<Probe> = Effect.map(Ref.make(empty), (ref) => {
  const wrap = <A, E, R>(label: string, self: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
    Effect.acquireUseRelease(
      Ref.update(ref, (s) => ({
        ...s,
        running: s.running + 1,
        peak: Math.max(s.peak, s.running + 1),
        started: [...s.started, label]
      })),
      () => self,
      (_, exit) =>
        Ref.update(ref, (s) => ({
          ...s,
          running: s.running - 1,
          completed: Exit.isSuccess(exit) ? [...s.completed, label] : s.completed,
          interrupted: Exit.isFailure(exit) && Cause.isInterrupted(exit.cause)
            ? [...s.interrupted, label]
            : s.interrupted,
          finalized: [...s.finalized, label]
        }))
    )
  return {
    state: Ref.get(ref),
    wrap,
    sleep: (label, duration) => wrap(label, Effect.as(Effect.sleep(duration), label))
  }
})

/**
 * Subscribes to the queue's events (deterministically, through `queue.subscribe`) and records them
 * in a background fiber; returns an effect that settles and reads what was recorded so far.
 */
export const recordEvents = (
  queue: LaneQueue.LaneQueue
): Effect.Effect<Effect.Effect<ReadonlyArray<LaneEvent.LaneEvent>>, never, Scope.Scope> =>
  Effect.gen(function*() {
    const stream = yield* queue.subscribe
    const seen = yield* Ref.make<ReadonlyArray<LaneEvent.LaneEvent>>([])
    yield* Effect.forkScoped(Stream.runForEach(stream, (event) => Ref.update(seen, (all) => [...all, event])))
    return Effect.zipRight(settle, Ref.get(seen))
  })

/** The tags of one task's events, in order. */
export const tagsOf = (events: ReadonlyArray<LaneEvent.LaneEvent>, taskId: string): ReadonlyArray<string> =>
  events.filter((event) => event.taskId === taskId).map((event) => event._tag)

/**
 * Settles repeatedly until `condition` holds, at most `rounds` times, without moving the clock;
 * returns whether it held. For work that needs many scheduler hops but no virtual time.
 */
export const settleUntil = (condition: Effect.Effect<boolean>, rounds = 200): Effect.Effect<boolean> =>
  Effect.gen(function*() {
    for (let i = 0; i < rounds; i++) {
      if (yield* condition) return true
      yield* settle
    }
    return yield* condition
  })

/** Whether an exit is an interruption and nothing else. */
export const isInterruptedExit = (exit: Exit.Exit<unknown, unknown>): boolean =>
  Exit.isFailure(exit) && Cause.isInterruptedOnly(exit.cause)

/**
 * Whether an exit is the outcome of a cancelled task: an interruption, or (if the queue reports
 * cancellation as a typed error) a failure with a `TaskCancelled`.
 */
export const isCancelledExit = (exit: Exit.Exit<unknown, unknown>): boolean =>
  isInterruptedExit(exit) ||
  (Exit.isFailure(exit) &&
    Option.exists(Cause.failureOption(exit.cause), (error) => Predicate.isTagged(error, "TaskCancelled")))
