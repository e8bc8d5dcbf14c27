/**
 * What happens to the tasks of a session queue, as a stream of events.
 *
 * Every event carries a task's ID, its lane and `at`, epoch milliseconds from Effect's `Clock`.
 * A task's own lifecycle events come in the order `Submitted`, `Started`, then one of `Completed`,
 * `Failed`, `TimedOut` or `Cancelled` (a task cancelled while it waits has no `Started`). Between
 * them may come `Retrying` (before each retry), `ExternalTaskPending` / `ExternalTaskCompleted`
 * (external and hybrid lanes) and `Promoted` (starvation guard); `DeadLettered` comes just before
 * the final `Failed` or `TimedOut` of a task that used up its retries, so the final event is always
 * last. `LanePressure` and `LaneIdle` describe a lane and carry the task that tipped it. `Dropped`
 * tells a subscriber that fell more than 4096 events behind how many it lost (sliding buffer).
 *
 * A task that runs a tool call of a turn (`Strategy.runTurn`, and so `effect-lanes/ai`) also carries the
 * call's `tool` name and `callId` in every event of it. The turn's plan comes once, as `TurnPlanned`, right
 * after the `Submitted` of the turn's first task (and before its `Started`). A running task may report
 * `Progress` (`LaneQueue.reportProgress`; an MCP server's `notifications/progress`), between its `Started`
 * and its final event. Events cost nothing to build when no one subscribes.
 *
 * @since 0.1.0
 */
import * as Data from "effect/Data"
import type * as Lane from "./Lane.js"
import type * as Strategy from "./Strategy.js"
import type * as TaskId from "./TaskId.js"

/**
 * The fields every event carries.
 *
 * @since 0.1.0
 * @category models
 */
export interface Common {
  readonly taskId: TaskId.TaskId
  readonly lane: Lane.Lane
  /** Epoch milliseconds from Effect's `Clock`. */
  readonly at: number
  /** The tool of the call the task runs, for a task of a turn (`Strategy.runTurn`); absent otherwise. */
  readonly tool?: string
  /** The ID of the call the task runs (as the model gave it), for a task of a turn; absent otherwise. */
  readonly callId?: string
}

/**
 * How far a running task got, as it reports it: `progress` so far, out of `total` when known (both in the
 * reporter's units, e.g. MCP's), and a short `message`.
 *
 * @since 0.1.0
 * @category models
 */
export interface ProgressUpdate {
  readonly progress: number
  readonly total?: number | undefined
  readonly message?: string | undefined
}

/**
 * One event of a session queue.
 *
 * @since 0.1.0
 * @category models
 */
export type LaneEvent = Data.TaggedEnum<{
  /** The queue accepted the task; it waits for a permit. */
  Submitted: Common
  /** The task got its permit and started running after waiting `waitedMillis`. */
  Started: Common & { readonly waitedMillis: number }
  /** The task succeeded after running `durationMillis`. */
  Completed: Common & { readonly durationMillis: number }
  /** The task failed (or died) after running `durationMillis`; `error` describes why. */
  Failed: Common & { readonly durationMillis: number; readonly error: string }
  /** The task exceeded its lane timeout of `timeoutMillis` and was interrupted. */
  TimedOut: Common & { readonly timeoutMillis: number }
  /** The task was interrupted: cancelled, its submitter interrupted, or the queue closed. */
  Cancelled: Common
  /** Attempt `attempt - 1` failed; attempt `attempt` starts after `delayMillis`. */
  Retrying: Common & { readonly attempt: number; readonly delayMillis: number; readonly error: string }
  /** The task failed for good after `attempts` attempts and was recorded as a dead letter. */
  DeadLettered: Common & { readonly attempts: number; readonly error: string }
  /** The host is asked to run (external) or told about (hybrid) a task. */
  ExternalTaskPending: Common & {
    readonly commandType: string
    readonly payload: unknown
    readonly timeoutMillis: number
  }
  /** The host's task ended (external), or the in-process run the host was told about (hybrid). */
  ExternalTaskCompleted: Common & { readonly success: boolean }
  /** The lane's pending count reached its pressure threshold. */
  LanePressure: Common & { readonly pending: number; readonly threshold: number }
  /** The lane's line is empty again after pressure. */
  LaneIdle: Common
  /** The starvation guard raised a waiting task's priority to that of `to`. */
  Promoted: Common & { readonly to: Lane.Lane; readonly waitedMillis: number }
  /**
   * This subscriber's buffer overflowed: `count` events were dropped, oldest first, starting with
   * the one of `taskId` / `lane` / `at`. Each subscriber buffers at most 4096 events (see
   * `LaneQueue.eventBufferCapacity`); a subscriber that falls that far behind loses the oldest and
   * gets this event first on its next pull.
   */
  Dropped: Common & { readonly count: number }
  /**
   * The plan of a turn of tool calls (`Strategy.runTurn`): its stages in order, each with its calls, its plan
   * and the plan's reason (the figures it used). Comes right after the `Submitted` of the turn's first task,
   * whose ID, lane, tool and call it carries.
   */
  TurnPlanned: Common & { readonly turn: Strategy.TurnPlan }
  /** The running task reported how far it got (`LaneQueue.reportProgress`, MCP's progress notifications). */
  Progress: Common & ProgressUpdate
}>

const constructors = Data.taggedEnum<LaneEvent>()

/**
 * Constructors, guards (`$is`) and matchers (`$match`) of {@link LaneEvent}.
 *
 * @since 0.1.0
 * @category constructors
 */
export const {
  $is,
  $match,
  Cancelled,
  Completed,
  DeadLettered,
  Dropped,
  ExternalTaskCompleted,
  ExternalTaskPending,
  Failed,
  LaneIdle,
  LanePressure,
  Progress,
  Promoted,
  Retrying,
  Started,
  Submitted,
  TimedOut,
  TurnPlanned
} = constructors

/**
 * Whether an event ends its task (`Completed`, `Failed`, `TimedOut` or `Cancelled`).
 *
 * @since 0.1.0
 * @category guards
 */
export const isTerminal = (event: LaneEvent): boolean =>
  event._tag === "Completed" || event._tag === "Failed" || event._tag === "TimedOut" || event._tag === "Cancelled"
