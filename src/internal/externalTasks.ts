import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import type * as LaneQueue from "../LaneQueue.js"
import type * as TaskId from "../TaskId.js"

/** The host's answer to an external task. */
export type Answer = Either.Either<unknown, string>

interface Entry {
  readonly task: LaneQueue.ExternalTask
  readonly resume: (answer: Effect.Effect<Answer>) => void
}

/**
 * External tasks waiting for the host, by ID. Only the queue that issued an ID holds it, so only
 * that queue can complete it; an entry leaves on its first answer, timeout or interruption.
 */
export class ExternalTasks {
  private readonly waiting = new Map<TaskId.TaskId, Entry>()

  /** Waits for the host's answer to `task`; interruptible, and leaves no entry behind. */
  await(task: LaneQueue.ExternalTask): Effect.Effect<Answer> {
    return Effect.async<Answer>((resume) => {
      this.waiting.set(task.taskId, { task, resume })
      return Effect.sync(() => {
        this.waiting.delete(task.taskId)
      })
    })
  }

  /** Delivers the host's answer; `false` when no such task waits (unknown, done or expired). */
  answer(taskId: TaskId.TaskId, answer: Answer): boolean {
    const entry = this.waiting.get(taskId)
    if (entry === undefined) return false
    this.waiting.delete(taskId)
    entry.resume(Effect.succeed(answer))
    return true
  }

  pending(): Array<LaneQueue.ExternalTask> {
    return Array.from(this.waiting.values(), (entry) => entry.task)
  }
}

export const success = (value: unknown): Answer => Either.right(value)
export const failure = (error: string): Answer => Either.left(error)
