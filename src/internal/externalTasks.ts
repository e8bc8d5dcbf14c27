import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import type * as Lane from "../Lane.js"
import { ExternalTaskFailed, ExternalTaskTimeout } from "../LaneError.js"
import * as LaneEvent from "../LaneEvent.js"
import type * as LaneQueue from "../LaneQueue.js"
import type * as TaskId from "../TaskId.js"
import type { Ledger } from "./ledger.js"

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
  private readonly waiting = new Map<string, Entry>()

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
  answer(taskId: string, answer: Answer): boolean {
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

/**
 * The host's side of an external task: announce it with `ExternalTaskPending`, wait for the answer
 * or the timeout, announce the end with `ExternalTaskCompleted`.
 */
export const hostAnswer = (
  session: Ledger,
  timeout: Duration.Duration,
  id: TaskId.TaskId,
  lane: Lane.Lane,
  command: LaneQueue.ExternalCommand
): Effect.Effect<unknown, ExternalTaskTimeout | ExternalTaskFailed> =>
  Effect.suspend(() => {
    const at = session.now()
    const timeoutMillis = Duration.toMillis(timeout)
    const task: LaneQueue.ExternalTask = {
      taskId: id,
      lane,
      commandType: command.commandType,
      payload: command.payload,
      deadline: at + timeoutMillis
    }
    session.publish(() => LaneEvent.ExternalTaskPending({ ...task, at, timeoutMillis }))
    return session.external.await(task).pipe(
      Effect.timeoutFail({
        duration: timeout,
        onTimeout: () => new ExternalTaskTimeout({ taskId: id, lane, timeout })
      }),
      Effect.flatMap(Either.match({
        onLeft: (error) => Effect.fail(new ExternalTaskFailed({ taskId: id, lane, error })),
        onRight: Effect.succeed
      })),
      Effect.onExit((exit) =>
        Effect.sync(() =>
          session.publish(() =>
            LaneEvent.ExternalTaskCompleted({ taskId: id, lane, at: session.now(), success: Exit.isSuccess(exit) })
          )
        )
      )
    )
  })
