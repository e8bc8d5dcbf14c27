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
