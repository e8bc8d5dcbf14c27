import * as Cause from "effect/Cause"
import type * as Context from "effect/Context"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import type * as Fiber from "effect/Fiber"
import * as FiberId from "effect/FiberId"
import * as FiberRef from "effect/FiberRef"
import type * as FiberRefs from "effect/FiberRefs"
import * as HashSet from "effect/HashSet"
import * as Option from "effect/Option"
import type * as Lane from "../Lane.js"
import { TaskCancelled, type TaskTimeout } from "../LaneError.js"
import type * as LaneEvent from "../LaneEvent.js"
import type * as Strategy from "../Strategy.js"
import * as TaskId from "../TaskId.js"
import type { CallTag, SubmissionTags } from "./callTags.js"

/**
 * Where a task is in its life. `waiting`: in its lane's line, owning nothing. `running`: a lane
 * worker runs it and it holds a lane permit (the lane's `active` count) and, under a session
 * budget, a budget slot. `done`: it ended and its submitter has its exit. The only transitions
 * are waiting -> running -> done and waiting -> done (cancelled or abandoned before it started).
 *
 * @internal
 */
export type State = "waiting" | "running" | "done"

/**
 * The interruptor of `cancel`: a task interrupted by it (and by nothing else) ends as
 * `TaskCancelled` for its submitter. Any other interruption (the submitter's, the queue closing)
 * keeps its own cause.
 *
 * @internal
 */
export const cancelFiberId: FiberId.FiberId = FiberId.make(-11_001, 0)

/**
 * The interruptor used when a submitter stops waiting for its tasks (it was interrupted).
 *
 * @internal
 */
export const abandonFiberId: FiberId.FiberId = FiberId.make(-11_002, 0)

/**
 * What a lane worker shares with the fibers of the task it runs: the task.
 *
 * @internal
 */
export interface WorkerSlot {
  task: Task | undefined
  /** Publishes a task's progress (`LaneQueue.reportProgress`). */
  readonly progress: (task: Task, update: LaneEvent.ProgressUpdate) => void
}

/**
 * The lane worker the current fiber works for, if any: installed in the worker's refs and
 * inherited by every fiber a task forks (its timeout's race included), so that `cancelAll` from
 * inside a task can leave that task alone (`slot.task`).
 *
 * @internal
 */
export const currentWorker: FiberRef.FiberRef<WorkerSlot | undefined> = FiberRef.unsafeMake<WorkerSlot | undefined>(
  undefined
)

/**
 * Whether a cause is an interruption by `cancel` alone.
 *
 * @internal
 */
export const isCancellation = (cause: Cause.Cause<unknown>): boolean =>
  Cause.isInterruptedOnly(cause) &&
  HashSet.some(Cause.interruptors(cause), (id) => HashSet.has(FiberId.ids(id), -11_001))

/**
 * Where a task's exit goes: a submitter's `Deferred`, or its slot in a batch's results.
 *
 * @internal
 */
export interface Sink<A, E> {
  readonly complete: (index: number, exit: Exit.Exit<A, E | TaskTimeout | TaskCancelled>) => void
}

/**
 * One task from submission to its end, with its state machine in one place. The queue and the
 * lanes see it through this interface; its typed work and exit stay inside {@link TypedTask}.
 *
 * @internal
 */
export interface Task {
  readonly sequence: number
  readonly lane: Lane.Lane
  /** The tool name for `submitByTool`, the command type for `submitExternal`, else the lane. */
  readonly commandType: string
  readonly payload: unknown
  /** Whether the host completes the task (`submitExternal`). */
  readonly external: boolean
  /** The tool call it runs, for a task of a turn (`Strategy.runTurn`). */
  readonly tag: CallTag | undefined
  /** The plan of its turn, for the first task of a turn's first submission. */
  readonly turn: (() => Strategy.TurnPlan) | undefined
  /** When it was accepted, epoch millis. */
  readonly submittedAt: number
  /** The submitter's fiber refs (its services, current span, log annotations...). */
  readonly refs: FiberRefs.FiberRefs
  state: State
  /** The worker running the task, while it runs. */
  worker: Fiber.RuntimeFiber<unknown, unknown> | undefined
  /**
   * Whether its fiber was interrupted for it ({@link interrupt}): a lane worker whose task was
   * interrupted does not go on to the next task.
   */
  readonly interrupted: boolean
  /** Interrupts the fiber running the task, as `interruptor` (the task must be running). */
  interrupt(interruptor: FiberId.FiberId): void
  /** Whether it holds a slot of the session budget, while it runs. */
  budgetSlot: boolean
  /** Its place in the lane's line (see `Line`). */
  position: number
  startedAt: number
  /** Attempts started so far. */
  attempts: number
  /** The last attempt's error, described. */
  lastError: string
  /** The task's ID (`"<sessionId>-<sequence>"`). */
  readonly id: TaskId.TaskId
  /**
   * Runs the work under `wrap` (timeout and retries), interruptibly (`restore`), with the
   * submitter's services (`current` is the running fiber's context), then hands its exit to `done`.
   */
  run(
    wrap: Wrap,
    restore: Restore,
    current: Context.Context<never>,
    done: (exit: Exit.Exit<unknown, unknown>) => Effect.Effect<void>
  ): Effect.Effect<void>
  /**
   * Ends the task with `exit` (the last attempt's, or the cause that ended it unstarted) and hands
   * the exit to its submitter, `TaskCancelled` for an interruption by `cancel`. Returns whether
   * the task was still unfinished (a task ends once).
   */
  end(exit: Exit.Exit<unknown, unknown>): boolean
  /** Completes once the task is done: with whether it ended by `cancel` (as `TaskCancelled`). */
  whenDone(): Effect.Effect<boolean>
}

/**
 * How a lane runs a task's attempts (its timeout and retries).
 *
 * @internal
 */
export type Wrap = <A, E>(task: Task, work: Effect.Effect<A, E>) => Effect.Effect<A, E | TaskTimeout>

/**
 * A sink that completes a `Deferred` (a single submission, or an enqueued task's handle).
 *
 * @internal
 */
export class DeferredSink<A, E> implements Sink<A, E> {
  constructor(readonly deferred: Deferred.Deferred<A, E | TaskTimeout | TaskCancelled>) {}
  complete(_index: number, exit: Exit.Exit<A, E | TaskTimeout | TaskCancelled>): void {
    Deferred.unsafeDone(this.deferred, exit)
  }
}

/**
 * A sink for one waiting submitter: the exit resumes it, or waits for it if it arrives first.
 *
 * @internal
 */
export class Waiter<A, E> implements Sink<A, E> {
  private exit: Exit.Exit<A, E | TaskTimeout | TaskCancelled> | undefined = undefined
  private resume: ((exit: Exit.Exit<A, E | TaskTimeout | TaskCancelled>) => void) | undefined = undefined

  complete(_index: number, exit: Exit.Exit<A, E | TaskTimeout | TaskCancelled>): void {
    if (this.exit !== undefined) return
    this.exit = exit
    const resume = this.resume
    this.resume = undefined
    resume?.(exit)
  }

  /** The exit, if it has arrived. */
  poll(): Exit.Exit<A, E | TaskTimeout | TaskCancelled> | undefined {
    return this.exit
  }

  /** Waits for the exit (an interrupted wait leaves the task alone: the caller stops it). */
  get wait(): Effect.Effect<A, E | TaskTimeout | TaskCancelled> {
    return Effect.async<A, E | TaskTimeout | TaskCancelled>((resume) => {
      if (this.exit !== undefined) return resume(this.exit)
      this.resume = resume
    })
  }
}

/**
 * A batch's sink: each task's exit goes to its place in the results; the last one completes the
 * batch's `Deferred`.
 *
 * @internal
 */
export class BatchSink<A, E> implements Sink<A, E> {
  private remaining: number
  readonly results: Array<Exit.Exit<A, E | TaskTimeout | TaskCancelled>>
  constructor(
    count: number,
    readonly deferred: Deferred.Deferred<Array<Exit.Exit<A, E | TaskTimeout | TaskCancelled>>>
  ) {
    this.remaining = count
    this.results = new Array(count)
    if (count === 0) Deferred.unsafeDone(deferred, Exit.succeed(this.results))
  }
  complete(index: number, exit: Exit.Exit<A, E | TaskTimeout | TaskCancelled>): void {
    this.results[index] = exit
    if (--this.remaining === 0) Deferred.unsafeDone(this.deferred, Exit.succeed(this.results))
  }
}

/**
 * Makes an effect interruptible again inside an uninterruptible region (`uninterruptibleMask`).
 *
 * @internal
 */
export type Restore = <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>

/**
 * What the tasks of one submission (a `submit`, or a whole `submitBatch`) share, held once rather
 * than by every task: a batch's tasks cost a pointer to it each.
 *
 * @internal
 */
export class Submission<A, E, R> {
  constructor(
    readonly sessionId: string,
    readonly lane: Lane.Lane,
    readonly commandType: string,
    readonly payload: unknown,
    readonly external: boolean,
    /** When it was accepted, epoch millis. */
    readonly submittedAt: number,
    /** The submitter's fiber refs. */
    readonly refs: FiberRefs.FiberRefs,
    /** The submitter's services, which the tasks' effects require. */
    readonly context: Context.Context<R>,
    readonly sink: Sink<A, E>,
    /** The tool calls its tasks run, when a turn submitted them. */
    readonly tags: SubmissionTags | undefined
  ) {}
}

/**
 * A task submitted with its types. One class for every queue and lane, so that the lanes' code
 * sees one hidden class.
 *
 * @internal
 */
export class TypedTask<A, E, R> implements Task {
  state: State = "waiting"
  worker: Fiber.RuntimeFiber<unknown, unknown> | undefined = undefined
  interrupted = false
  budgetSlot = false
  position = 0
  startedAt = 0
  attempts = 0
  lastError = ""
  private waiters: Array<() => void> | undefined = undefined
  /** Whether it ended by `cancel`, once done. */
  private cancelled = false

  constructor(
    readonly submission: Submission<A, E, R>,
    readonly sequence: number,
    readonly effect: Effect.Effect<A, E, R>,
    readonly index: number
  ) {}

  get id(): TaskId.TaskId {
    return TaskId.make(this.submission.sessionId, this.sequence)
  }
  get lane(): Lane.Lane {
    return this.submission.lane
  }
  get commandType(): string {
    return this.submission.commandType
  }
  get payload(): unknown {
    return this.submission.payload
  }
  get external(): boolean {
    return this.submission.external
  }
  get tag(): CallTag | undefined {
    return this.submission.tags?.calls[this.index]
  }
  get turn(): (() => Strategy.TurnPlan) | undefined {
    return this.index === 0 ? this.submission.tags?.turn : undefined
  }
  get submittedAt(): number {
    return this.submission.submittedAt
  }
  get refs(): FiberRefs.FiberRefs {
    return this.submission.refs
  }

  interrupt(interruptor: FiberId.FiberId): void {
    this.interrupted = true
    this.worker?.unsafeInterruptAsFork(interruptor)
  }

  end(exit: Exit.Exit<unknown, unknown>): boolean {
    if (this.state === "done") return false
    this.state = "done"
    this.worker = undefined
    this.cancelled = Exit.isFailure(exit) && isCancellation(exit.cause)
    this.submission.sink.complete(this.index, this.outcome(exit))
    const waiters = this.waiters
    if (waiters !== undefined) {
      this.waiters = undefined
      for (const wake of waiters) wake()
    }
    return true
  }

  whenDone(): Effect.Effect<boolean> {
    return Effect.async<boolean>((resume) => {
      if (this.state === "done") return resume(Effect.succeed(this.cancelled))
      const wake = () => resume(Effect.succeed(this.cancelled))
      ;(this.waiters ??= []).push(wake)
      return Effect.sync(() => {
        const index = this.waiters?.indexOf(wake) ?? -1
        if (index >= 0) this.waiters?.splice(index, 1)
      })
    })
  }

  /**
   * The exit the submitter sees. The exit is the task's own (an `Exit<A, E | TaskTimeout>`) when
   * it succeeded or failed; otherwise only its cause's interruptions and defects matter.
   */
  private outcome(exit: Exit.Exit<unknown, unknown>): Exit.Exit<A, E | TaskTimeout | TaskCancelled> {
    if (this.cancelled) {
      return Exit.fail(new TaskCancelled({ taskId: this.id, lane: this.lane }))
    }
    if (this.ownExit !== undefined && exit === this.ownExit) return this.ownExit
    // An exit not produced by the task's own work (abandoned, or its worker died): keep only the
    // interruptions and defects, which every exit type can carry.
    return Exit.failCause(Exit.isFailure(exit) ? Cause.stripFailures(exit.cause) : Cause.empty)
  }

  /** The exit of the task's own work, once it ran. */
  private ownExit: Exit.Exit<A, E | TaskTimeout> | undefined = undefined

  run(
    wrap: Wrap,
    restore: Restore,
    current: Context.Context<never>,
    done: (exit: Exit.Exit<unknown, unknown>) => Effect.Effect<void>
  ): Effect.Effect<void> {
    // The worker installed the submitter's refs, whose context is this task's: then its
    // requirements are met as they are (providing them again costs more than a no-op task).
    const context = this.submission.context
    const work = hasContext(this.effect, current, context) ? this.effect : Effect.provide(this.effect, context)
    return Effect.flatMap(Effect.exit(restore(wrap(this, work))), (exit) => {
      this.ownExit = exit
      return done(exit)
    })
  }
}

/**
 * Whether an effect's requirements are met by the current fiber's context: they are when that
 * context is the very one captured, together with the effect, from its submitter.
 */
const hasContext = <A, E, R>(
  _effect: Effect.Effect<A, E, R>,
  current: Context.Context<never>,
  captured: Context.Context<R>
): _effect is Effect.Effect<A, E, never> & Effect.Effect<A, E, R> => Object.is(current, captured)

/**
 * The sequence number of an ID given by a caller, when it is one of `sessionId`'s.
 *
 * @internal
 */
export const sequenceOf = (sessionId: string, taskId: string): Option.Option<number> => {
  const prefix = `${sessionId}-`
  if (!taskId.startsWith(prefix)) return Option.none()
  const digits = taskId.slice(prefix.length)
  if (!/^[1-9][0-9]*$/.test(digits)) return Option.none()
  const n = Number(digits)
  return Number.isSafeInteger(n) ? Option.some(n) : Option.none()
}
