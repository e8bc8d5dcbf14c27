/**
 * The per-session lane queue: four lanes, each an Effect `Semaphore` with its own concurrency
 * limit and a strictly FIFO line in front of it.
 *
 * Build one per agent session with {@link layer} (or {@link make} inside a `Scope`). Every unit of
 * work goes through {@link LaneQueue.submit} (or {@link LaneQueue.submitByTool}, which routes by tool
 * name): it waits in its lane's line for a permit, runs with the lane's timeout, and its result or
 * error comes back to the submitter. {@link LaneQueue.submitBatch} submits many tasks to one lane in
 * one step and returns one `Exit` per task in input order. {@link LaneQueue.enqueue} returns a
 * {@link TaskHandle} at once.
 *
 * Tasks run in fibers owned by the queue's scope: closing the scope interrupts what still runs and
 * what still waits, and every submitter is released.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { LaneQueue, LanesConfig } from "effect-lanes"
 *
 * const program = Effect.gen(function*() {
 *   const queue = yield* LaneQueue.LaneQueue
 *   const text = yield* queue.submitByTool("read", Effect.succeed("file contents"))
 *   const results = yield* queue.submitBatch("query", [Effect.succeed(1), Effect.fail("boom")])
 *   return { text, results }
 * })
 *
 * program.pipe(
 *   Effect.provide(LaneQueue.layer("session-1")),
 *   Effect.provide(LanesConfig.layerWith({ query: { concurrency: 4 } }))
 * )
 * ```
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import type * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import type * as Stream from "effect/Stream"
import * as internal from "./internal/laneQueue.js"
import type * as Lane from "./Lane.js"
import type { DrainTimeout, QueueShutdown, TaskTimeout } from "./LaneError.js"
import type * as LaneEvent from "./LaneEvent.js"
import type * as LanesConfig from "./LanesConfig.js"
import type * as TaskId from "./TaskId.js"

export {
  /**
   * `drain` reached its deadline with work left.
   *
   * @since 0.1.0
   * @category errors
   */
  DrainTimeout,
  /**
   * The queue no longer accepts work.
   *
   * @since 0.1.0
   * @category errors
   */
  QueueShutdown,
  /**
   * A task exceeded its lane timeout.
   *
   * @since 0.1.0
   * @category errors
   */
  TaskTimeout
} from "./LaneError.js"

/**
 * A task enqueued with {@link LaneQueue.enqueue}: its ID, its outcome, and a way to cancel it.
 *
 * @since 0.1.0
 * @category models
 */
export interface TaskHandle<A, E> {
  /** The task's ID. */
  readonly id: TaskId.TaskId
  /** Waits for the task's outcome. Interrupting the wait does not cancel the task. */
  readonly await: Effect.Effect<A, E>
  /** Interrupts the task, whether it waits or runs, and waits until it has stopped. */
  readonly cancel: Effect.Effect<void>
}

/**
 * Pending and active task counts of one lane, with its concurrency limit.
 *
 * @since 0.1.0
 * @category models
 */
export interface LaneStats {
  /** Tasks waiting for a permit. */
  readonly pending: number
  /** Tasks running. */
  readonly active: number
  /** The lane's concurrency limit. */
  readonly concurrency: number
}

/**
 * A snapshot of the queue's load.
 *
 * @since 0.1.0
 * @category models
 */
export interface QueueStats {
  readonly totalPending: number
  readonly totalActive: number
  readonly lanes: { readonly [L in Lane.Lane]: LaneStats }
}

/**
 * The queue of one agent session.
 *
 * @since 0.1.0
 * @category models
 */
export interface LaneQueueService {
  /** The session the queue belongs to; task IDs start with it. */
  readonly sessionId: string
  /** The settings the queue was built with. */
  readonly settings: LanesConfig.Settings
  /**
   * Runs a task in a lane once a permit is free (strict FIFO within the lane) and returns its
   * result. Fails with `TaskTimeout` if the lane has a timeout and the task outruns it, and with
   * `QueueShutdown` if the queue no longer accepts work. Interrupting the submitter interrupts the
   * task.
   */
  readonly submit: <A, E, R>(
    lane: Lane.Lane,
    task: Effect.Effect<A, E, R>
  ) => Effect.Effect<A, E | QueueShutdown | TaskTimeout, R>
  /** {@link LaneQueueService.submit} to the lane the tool routes to (`Lane.fromTool`). */
  readonly submitByTool: <A, E, R>(
    toolName: string,
    task: Effect.Effect<A, E, R>
  ) => Effect.Effect<A, E | QueueShutdown | TaskTimeout, R>
  /**
   * Submits many tasks to one lane in one step: the lane's settings are read once, the IDs are
   * taken in one update, the tasks join the lane's line together and in input order. Returns one
   * `Exit` per task, in input order; one failure never cancels the others.
   */
  readonly submitBatch: <A, E, R>(
    lane: Lane.Lane,
    tasks: Iterable<Effect.Effect<A, E, R>>
  ) => Effect.Effect<Array<Exit.Exit<A, E | TaskTimeout>>, QueueShutdown, R>
  /** Puts a task in its lane's line and returns a handle at once; the task runs in the queue's scope. */
  readonly enqueue: <A, E, R>(
    lane: Lane.Lane,
    task: Effect.Effect<A, E, R>
  ) => Effect.Effect<TaskHandle<A, E | TaskTimeout>, QueueShutdown, R>
  /** Pending and active counts per lane and in total. */
  readonly stats: Effect.Effect<QueueStats>
  /**
   * The queue's events from the moment the stream is run. Publishing never waits for a subscriber;
   * a slow subscriber only buffers.
   */
  readonly events: Stream.Stream<LaneEvent.LaneEvent>
  /**
   * Subscribes to the events within a scope and returns the subscription at once, so that no event
   * published after this effect returns can be missed (unlike a stream, which subscribes when run).
   */
  readonly subscribe: Effect.Effect<Stream.Stream<LaneEvent.LaneEvent>, never, Scope.Scope>
  /** Stops accepting work; queued and running tasks go on. Idempotent. */
  readonly shutdown: Effect.Effect<void>
  /** Whether the queue still accepts work. */
  readonly isAccepting: Effect.Effect<boolean>
  /**
   * Waits until no task is pending or running; fails with `DrainTimeout` carrying the unfinished
   * task IDs (in submission order) if work remains at the deadline. The work itself goes on.
   */
  readonly drain: (timeout: Duration.DurationInput) => Effect.Effect<void, DrainTimeout>
  /** The IDs of the tasks pending or running, in submission order. */
  readonly unfinished: Effect.Effect<ReadonlyArray<TaskId.TaskId>>
}

/**
 * The session queue service.
 *
 * @since 0.1.0
 * @category tags
 */
export class LaneQueue extends Context.Tag("effect-lanes/LaneQueue")<LaneQueue, LaneQueueService>() {}

/**
 * Creates a session's queue. The tasks it runs are owned by the `Scope`: closing it interrupts
 * them and stops the queue.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: (
  sessionId: string
) => Effect.Effect<LaneQueueService, never, LanesConfig.LanesConfig | Scope.Scope> = internal.make

/**
 * A layer with a session's queue, configured by {@link LanesConfig.LanesConfig}.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (sessionId: string): Layer.Layer<LaneQueue, never, LanesConfig.LanesConfig> =>
  Layer.scoped(LaneQueue, make(sessionId))
