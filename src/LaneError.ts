/**
 * The typed errors of a session queue.
 *
 * @since 0.1.0
 */
import * as Duration from "effect/Duration"
import * as Schema from "effect/Schema"
import * as Lane from "./Lane.js"
import * as TaskId from "./TaskId.js"

/**
 * The queue no longer accepts work: `shutdown` was called or its scope closed.
 *
 * @since 0.1.0
 * @category errors
 */
export class QueueShutdown extends Schema.TaggedError<QueueShutdown>()("QueueShutdown", {
  sessionId: Schema.String
}) {
  override get message(): string {
    return `the queue of session ${this.sessionId} is shut down`
  }
}

/**
 * A task ran longer than its lane's timeout and was interrupted.
 *
 * @since 0.1.0
 * @category errors
 */
export class TaskTimeout extends Schema.TaggedError<TaskTimeout>()("TaskTimeout", {
  taskId: TaskId.TaskId,
  lane: Lane.Lane,
  timeout: Schema.DurationFromSelf
}) {
  override get message(): string {
    return `task ${this.taskId} (${this.lane}) timed out after ${Duration.format(this.timeout)}`
  }
}

/**
 * A tool call ran past its own deadline (`timeout` of its `ToolSpec` or of the call) and was interrupted; the
 * lane's timeout, if any, stays the outer bound. `callId` and `tool` name the call, `timeout` the limit.
 *
 * @since 0.1.0
 * @category errors
 */
export class CallTimeout extends Schema.TaggedError<CallTimeout>()("CallTimeout", {
  callId: Schema.String,
  tool: Schema.String,
  timeout: Schema.DurationFromSelf
}) {
  override get message(): string {
    return `call ${this.callId} (${this.tool}) ran past its deadline of ${Duration.format(this.timeout)}`
  }
}

/**
 * `drain` reached its deadline while tasks were still pending or running.
 *
 * @since 0.1.0
 * @category errors
 */
export class DrainTimeout extends Schema.TaggedError<DrainTimeout>()("DrainTimeout", {
  pending: Schema.Array(TaskId.TaskId)
}) {
  override get message(): string {
    return `drain timed out with ${this.pending.length} unfinished task(s)`
  }
}

/**
 * The task was cancelled (by `cancel`, `cancelAll` or its handle) before it finished.
 *
 * @since 0.1.0
 * @category errors
 */
export class TaskCancelled extends Schema.TaggedError<TaskCancelled>()("TaskCancelled", {
  taskId: TaskId.TaskId,
  lane: Lane.Lane
}) {
  override get message(): string {
    return `task ${this.taskId} (${this.lane}) was cancelled`
  }
}

/**
 * The host did not answer an external task within the lane's external timeout.
 *
 * @since 0.1.0
 * @category errors
 */
export class ExternalTaskTimeout extends Schema.TaggedError<ExternalTaskTimeout>()("ExternalTaskTimeout", {
  taskId: TaskId.TaskId,
  lane: Lane.Lane,
  timeout: Schema.DurationFromSelf
}) {
  override get message(): string {
    return `the host did not complete external task ${this.taskId} (${this.lane}) within ${
      Duration.format(this.timeout)
    }`
  }
}

/**
 * The host answered an external task with a failure.
 *
 * @since 0.1.0
 * @category errors
 */
export class ExternalTaskFailed extends Schema.TaggedError<ExternalTaskFailed>()("ExternalTaskFailed", {
  taskId: TaskId.TaskId,
  lane: Lane.Lane,
  error: Schema.String
}) {
  override get message(): string {
    return `the host failed external task ${this.taskId} (${this.lane}): ${this.error}`
  }
}

/**
 * Settings given in code that are out of range; `field` names the offending setting.
 *
 * @since 0.1.0
 * @category errors
 */
export class InvalidLanesConfig extends Schema.TaggedError<InvalidLanesConfig>()("InvalidLanesConfig", {
  field: Schema.String,
  message: Schema.String
}) {}
