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
 * A waiting task owns no fiber, only its place in the line. Each lane runs its tasks on at most
 * `concurrency` worker fibers that belong to the queue: a worker takes the task at the front of the
 * line (so the lane is strictly FIFO), runs it with its submitter's fiber refs (services, current
 * span, log annotations), records its end and takes the next, so a task costs no fiber of its own.
 * One exception, the idle-lane fast path: a `submit` (or `submitByTool`) to a lane whose line is
 * empty, with a free permit and no session budget or rate limit to wait for, starts its task at once,
 * in the step that accepts it, on a fiber of its own with its submitter's fiber refs; a task that
 * completes without suspending has answered before `submit` returns, and no worker is woken. Nothing
 * waits, so nothing is overtaken; the task counts against the lane's bound like any other.
 * Interrupting or cancelling a task interrupts its fiber (the work stops; a worker is replaced);
 * closing the queue's scope ends what still waits, interrupts what runs, and releases every
 * submitter. Under a rate limit a task takes its token when it really starts (after its budget
 * slot), and each retry takes one too.
 *
 * Because a task usually runs on a worker, not on a fiber of its own, a fiber it starts with a plain
 * `Effect.fork` is a child of the worker: it is not interrupted when the task ends (as it would be with
 * a fiber per task) but when the worker is (a cancel, a timeout) or the queue closes. On the idle-lane
 * fast path it is a child of the task's own fiber, and it is not interrupted when the task ends either. A
 * task that starts background work should own it: `Effect.forkScoped` inside `Effect.scoped`, or join
 * or interrupt what it forked. (Supervising every task's children costs about as much as the rest of
 * a batched task: measured 5.4 -> 10.3 µs per task with `Effect.ensuringChildren`.)
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
import type {
  DrainTimeout,
  ExternalTaskFailed,
  ExternalTaskTimeout,
  InvalidLanesConfig,
  QueueShutdown,
  TaskCancelled,
  TaskTimeout
} from "./LaneError.js"
import type * as LaneEvent from "./LaneEvent.js"
import type * as LaneMetrics from "./LaneMetrics.js"
import type * as LanesConfig from "./LanesConfig.js"
import type * as LatencyModel from "./LatencyModel.js"
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
   * The host answered an external task with a failure.
   *
   * @since 0.1.0
   * @category errors
   */
  ExternalTaskFailed,
  /**
   * The host did not answer an external task in time.
   *
   * @since 0.1.0
   * @category errors
   */
  ExternalTaskTimeout,
  /**
   * The queue no longer accepts work.
   *
   * @since 0.1.0
   * @category errors
   */
  QueueShutdown,
  /**
   * The task was cancelled.
   *
   * @since 0.1.0
   * @category errors
   */
  TaskCancelled,
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
  /** Waits for the task's outcome (`TaskCancelled` if cancelled). Interrupting the wait does not cancel the task. */
  readonly await: Effect.Effect<A, E>
  /** Interrupts the task, whether it waits or runs, and waits until it has stopped. */
  readonly cancel: Effect.Effect<void>
}

/**
 * A task that failed for good (after all its retries), kept in the session's dead-letter queue.
 *
 * @since 0.1.0
 * @category models
 */
export interface DeadLetter {
  readonly taskId: TaskId.TaskId
  readonly lane: Lane.Lane
  /** The tool name for `submitByTool`, the command type for `submitExternal`, else the lane. */
  readonly commandType: string
  /** The final error, described. */
  readonly error: string
  /** Attempts made: retries + 1 when every retry was used. */
  readonly attempts: number
  /** When it was recorded, epoch millis from Effect's `Clock`. */
  readonly at: number
}

/**
 * A command for the host application, submitted with {@link LaneQueue.submitExternal}.
 *
 * @since 0.1.0
 * @category models
 */
export interface ExternalCommand {
  /** What the host should do, e.g. a tool name. */
  readonly commandType: string
  /** Its arguments, passed to the host as they are. */
  readonly payload?: unknown
}

/**
 * An external task waiting for the host's answer.
 *
 * @since 0.1.0
 * @category models
 */
export interface ExternalTask {
  readonly taskId: TaskId.TaskId
  readonly lane: Lane.Lane
  readonly commandType: string
  readonly payload: unknown
  /** When it expires, epoch millis from Effect's `Clock`. */
  readonly deadline: number
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
export interface LaneQueue {
  /** The session the queue belongs to; task IDs start with it. */
  readonly sessionId: string
  /** The settings the queue was built with. */
  readonly settings: LanesConfig.Settings
  /**
   * The session's cost model: every `submitByTool` task and every `Strategy.runTurn` call feeds its
   * per-tool latency, and every turn the queue's overhead per task; `runTurn` plans with it.
   */
  readonly latency: LatencyModel.LatencyModel
  /**
   * Runs a task in a lane once a permit is free (strict FIFO within the lane) and returns its
   * result. Fails with `TaskTimeout` if the lane has a timeout and the task outruns it, and with
   * `QueueShutdown` if the queue no longer accepts work. Interrupting the submitter interrupts the
   * task.
   */
  readonly submit: <A, E, R>(
    lane: Lane.Lane,
    task: Effect.Effect<A, E, R>
  ) => Effect.Effect<A, E | QueueShutdown | TaskTimeout | TaskCancelled, R>
  /**
   * {@link LaneQueue.submit} to the lane the tool routes to (`Lane.fromTool`); the tool name
   * is the task's command type in dead letters and external events.
   */
  readonly submitByTool: <A, E, R>(
    toolName: string,
    task: Effect.Effect<A, E, R>
  ) => Effect.Effect<A, E | QueueShutdown | TaskTimeout | TaskCancelled, R>
  /**
   * Submits many tasks to one lane in one step: the lane's settings are read once, the IDs are
   * taken in one update, the tasks join the lane's line together and in input order. Returns one
   * `Exit` per task, in input order; one failure never cancels the others.
   */
  readonly submitBatch: <A, E, R>(
    lane: Lane.Lane,
    tasks: Iterable<Effect.Effect<A, E, R>>
  ) => Effect.Effect<Array<Exit.Exit<A, E | TaskTimeout | TaskCancelled>>, QueueShutdown, R>
  /** Puts a task in its lane's line and returns a handle at once; the task runs in the queue's scope. */
  readonly enqueue: <A, E, R>(
    lane: Lane.Lane,
    task: Effect.Effect<A, E, R>
  ) => Effect.Effect<TaskHandle<A, E | TaskTimeout | TaskCancelled>, QueueShutdown, R>
  /**
   * Hands a command to the host application instead of running it here: once the task gets its
   * permit, an `ExternalTaskPending` event carries its ID, lane, command type, payload and timeout;
   * the host answers with {@link LaneQueue.completeExternal} (or `failExternal`), and that
   * answer is the result. Without an answer within the lane's external timeout it fails with
   * `ExternalTaskTimeout`. The result is `unknown`: decode it with `Schema`.
   */
  readonly submitExternal: (
    lane: Lane.Lane,
    command: ExternalCommand
  ) => Effect.Effect<
    unknown,
    ExternalTaskTimeout | ExternalTaskFailed | QueueShutdown | TaskTimeout | TaskCancelled
  >
  /**
   * The host's result for an external task. `true` if it was delivered; `false`, changing
   * nothing, for an unknown, finished or expired ID or a second answer.
   */
  readonly completeExternal: (taskId: string, result: unknown) => Effect.Effect<boolean>
  /** The host's failure for an external task; like `completeExternal`, the submitter gets `ExternalTaskFailed`. */
  readonly failExternal: (taskId: string, error: string) => Effect.Effect<boolean>
  /** External tasks waiting for the host, oldest first. */
  readonly pendingExternal: Effect.Effect<ReadonlyArray<ExternalTask>>
  /**
   * Cancels one task, pending or running, and waits until it has stopped; its submitter fails with
   * `TaskCancelled`. `true` if the task ended cancelled; `false` for an unknown or finished ID, or a
   * task that finished on its own in the same instant (it keeps its own outcome).
   */
  readonly cancel: (taskId: string) => Effect.Effect<boolean>
  /**
   * Cancels every pending and running task of the session except the caller's own, waits until they
   * stopped, and returns how many ended cancelled.
   */
  readonly cancelAll: Effect.Effect<number>
  /** Tasks that failed for good, oldest first (at most the configured capacity). */
  readonly deadLetters: Effect.Effect<ReadonlyArray<DeadLetter>>
  /** Counts and latency quantiles per lane, as plain numbers. */
  readonly metrics: Effect.Effect<LaneMetrics.Snapshot>
  /** Pending and active counts per lane and in total. */
  readonly stats: Effect.Effect<QueueStats>
  /**
   * The queue's events from the moment the stream is run. Publishing never waits for a subscriber;
   * each subscriber buffers at most {@link eventBufferCapacity} events, dropping its oldest first
   * and then receiving a `Dropped` event with the count. The stream ends when the queue closes.
   */
  readonly events: Stream.Stream<LaneEvent.LaneEvent>
  /**
   * Subscribes to the events within a scope and returns the subscription at once, so that no event
   * published after this effect returns can be missed (unlike a stream, which subscribes when run).
   */
  readonly subscribe: Effect.Effect<Stream.Stream<LaneEvent.LaneEvent>, never, Scope.Scope>
  /** Stops accepting work; queued and running tasks go on. Idempotent. */
  readonly shutdown: Effect.Effect<void>
  /**
   * Changes a lane's concurrency limit while the queue runs (the upstream's
   * `set_query_concurrency`). Raising it starts waiting tasks at once; lowering it lets running
   * tasks finish and starts no new one until the lane is below the new limit. Fails with
   * `InvalidLanesConfig` outside 1..1024.
   */
  readonly setConcurrency: (lane: Lane.Lane, concurrency: number) => Effect.Effect<void, InvalidLanesConfig>
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
 * How many events each subscriber of {@link LaneQueue.events} / {@link LaneQueue.subscribe}
 * buffers. Publishing never waits: when a subscriber is this far behind, its oldest event is
 * dropped (a sliding buffer), and its next pull starts with a `Dropped` event carrying how many
 * it lost. Memory per subscriber is therefore bounded (about 160 bytes per buffered event).
 *
 * @since 0.1.0
 * @category constants
 */
export const eventBufferCapacity: number = internal.eventBufferCapacity

/**
 * Publishes a `Progress` event for the task the caller runs in (its ID, lane, and the tool call it runs, if
 * any): for a long tool call that can say how far it got. Does nothing outside a task of a queue, and costs
 * nothing to build when no one subscribes.
 *
 * @since 0.1.0
 * @category progress
 */
export const reportProgress: (update: LaneEvent.ProgressUpdate) => Effect.Effect<void> = internal.reportProgress

/**
 * The session queue service's tag. The contract names both the service interface and its tag
 * `LaneQueue` (`make` returns a `LaneQueue`), so the tag is a `GenericTag` over the interface, as in
 * `@effect/platform`'s `Etag`, rather than a tag class whose instance type would shadow the interface.
 *
 * @since 0.1.0
 * @category tags
 */
export const LaneQueue: Context.Tag<LaneQueue, LaneQueue> = Context.GenericTag<LaneQueue>("effect-lanes/LaneQueue")

/**
 * Creates a session's queue. The tasks it runs are owned by the `Scope`: closing it interrupts
 * them and stops the queue.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: (
  sessionId: string
) => Effect.Effect<LaneQueue, never, LanesConfig.LanesConfig | Scope.Scope> = internal.make

/**
 * A layer with a session's queue, configured by {@link LanesConfig.LanesConfig}.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (sessionId: string): Layer.Layer<LaneQueue, never, LanesConfig.LanesConfig> =>
  Layer.scoped(LaneQueue, make(sessionId))
