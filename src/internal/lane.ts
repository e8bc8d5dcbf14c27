import * as Cause from "effect/Cause"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import type * as Fiber from "effect/Fiber"
import type * as FiberId from "effect/FiberId"
import * as FiberRefs from "effect/FiberRefs"
import * as Option from "effect/Option"
import * as Schedule from "effect/Schedule"
import * as ScheduleDecision from "effect/ScheduleDecision"
import * as Lane from "../Lane.js"
import { TaskTimeout } from "../LaneError.js"
import * as LaneEvent from "../LaneEvent.js"
import type * as LanesConfig from "../LanesConfig.js"
import * as RetryPolicy from "../RetryPolicy.js"
import { describeError } from "./describeCause.js"
import { common, type Ledger } from "./ledger.js"
import { Line } from "./line.js"
import type { Claim, PrioritySemaphore, TokenBucket } from "./prioritySemaphore.js"
import { currentWorker, type Restore, type Task, type WorkerSlot, type Wrap } from "./task.js"

/**
 * How a lane gets fibers; both belong to the queue: closing it interrupts them.
 *
 * @internal
 */
export interface Forks {
  /** Forks a worker, scheduled (not run on the spot). */
  readonly worker: (effect: Effect.Effect<void>) => Fiber.RuntimeFiber<void, never>
  /** Starts a fiber at once, on the spot, with the refs `updateRefs` builds for its ID. */
  readonly alone: (
    effect: Effect.Effect<void>,
    updateRefs: (bare: FiberRefs.FiberRefs, id: FiberId.Runtime) => FiberRefs.FiberRefs
  ) => Fiber.RuntimeFiber<void, never>
}

/** The refs a task runs with: its submitter's, plus `currentWorker` (set as the fiber `id`). */
const installRefs = (refs: FiberRefs.FiberRefs, id: FiberId.Runtime, slot: WorkerSlot): FiberRefs.FiberRefs =>
  FiberRefs.updateAs(refs, { fiberId: id, fiberRef: currentWorker, value: slot })

/**
 * A worker's state: the task it runs (for its observer, should it die mid-task, and for
 * `cancelAll` from inside that task), and the submitter's fiber refs it runs with.
 */
interface WorkerState extends WorkerSlot {
  task: Task | undefined
  /** The submitter's refs the worker's refs were last built from. */
  applied: FiberRefs.FiberRefs | undefined
  /** The refs built from them: the submitter's, plus `currentWorker`. */
  installed: FiberRefs.FiberRefs | undefined
}

/**
 * One lane at run time: its line of waiting tasks, its counters, its workers, and what a task
 * takes to start (a lane permit, i.e. `active < concurrency`; under a session budget a budget
 * slot; under a rate limit a token). Every take is in {@link LaneRuntime.begin} (called by
 * {@link LaneRuntime.start} and {@link LaneRuntime.startNow}) / {@link LaneRuntime.admit} and every
 * give-back in {@link LaneRuntime.release}, a few lines apart.
 *
 * Tasks run on the lane's workers, at most `concurrency` fibers forked in the queue's scope when
 * first needed. A worker takes the front task, runs it with the submitter's fiber refs (services,
 * current span, annotations), records its end, and takes the next: no fiber per task, and a lane
 * that has work never waits for a wake-up. An idle worker parks; a new task wakes one. Cancelling a
 * running task interrupts its worker (as `cancelFiberId`); the worker records the task's end and then
 * dies, and a new worker takes its place when there is work.
 *
 * The idle-lane fast path ({@link LaneRuntime.startNow}): a single submission to a lane with an empty
 * line, a free permit and no budget or limit starts at once on a fiber of its own, in the step that
 * accepts it, so a task that does not suspend costs no hand-off and no wake-up.
 *
 * Starts are strictly FIFO: a task leaves the line only from the front, in the same synchronous
 * step that takes its permit (and budget slot and token), so no newcomer overtakes it. When a lane
 * has a budget or a rate limit, one worker at a time waits for them on behalf of the front task
 * (`admitting`); the others park.
 *
 * @internal
 */
export class LaneRuntime {
  private readonly line = new Line<Task>()
  /** Tasks running (lane permits taken). */
  active = 0
  /** Whether the lane announced pressure and has not been idle since. */
  pressured = false
  /** The tasks running now. */
  readonly running = new Set<Task>()
  /** Worker fibers alive. */
  private workers = 0
  /** Parked workers, most recent last. */
  private readonly idle: Array<() => void> = []
  /** Whether a worker is waiting for the budget or the rate limit on behalf of the front task. */
  private admitting = false
  /** Whether the lane has anything besides the permit to wait for. */
  private readonly gated: boolean
  private closed = false
  readonly wrap: Wrap
  /** Publishes a running task's progress; one closure for every slot of the lane. */
  private readonly progress = (task: Task, update: LaneEvent.ProgressUpdate): void => {
    if (task.state === "running") this.ledger.progress(task, update)
  }

  constructor(
    readonly lane: Lane.Lane,
    public concurrency: number,
    settings: LanesConfig.LaneSettings,
    private readonly ledger: Ledger,
    private readonly budget: PrioritySemaphore | undefined,
    private readonly bucket: TokenBucket | undefined,
    private readonly forks: Forks,
    private readonly now: () => number
  ) {
    this.gated = budget !== undefined || bucket !== undefined
    this.wrap = makeWrap(settings, ledger, bucket, now)
  }

  /** Tasks waiting in the line. */
  get pending(): number {
    return this.line.size
  }

  // -------------------------------------------------------------------------------------------
  // the line
  // -------------------------------------------------------------------------------------------

  /** Puts a task at the back of the line. Synchronous, so the line follows call order. */
  join(task: Task): void {
    this.line.push(task)
  }

  /** The waiting tasks, front first. */
  waiting(): Array<Task> {
    return this.line.toArray()
  }

  // -------------------------------------------------------------------------------------------
  // starting and ending: every take and its give-back
  // -------------------------------------------------------------------------------------------

  /** Starts the front task: takes the lane permit (the caller took budget slot and token). */
  private start(task: Task, worker: Fiber.RuntimeFiber<unknown, unknown>, slot: WorkerState): Task {
    this.line.shift()
    task.worker = worker
    slot.task = task
    this.begin(task)
    return task
  }

  /** Takes the lane permit for a task leaving the line (or never joining it) and records its start. */
  private begin(task: Task): void {
    this.active++
    this.running.add(task)
    task.state = "running"
    this.ledger.started(task)
  }

  /**
   * Whether a task accepted now may start at once ({@link startNow}): nothing waits in the line, a
   * permit is free, and the lane has nothing else to wait for (no session budget, no rate limit).
   */
  canStartNow(): boolean {
    return !this.gated && !this.closed && this.line.size === 0 && this.active < this.concurrency
  }

  /**
   * The idle-lane fast path, when {@link canStartNow} (checked in the same synchronous step): starts
   * `task` at once, without it ever joining the line, on a fiber of its own that runs it on the spot
   * with its submitter's fiber refs (`refs`).
   *
   * Nothing waits, so starting now overtakes no one (FIFO holds); the permit is taken in the same
   * synchronous step as the acceptance. The fiber belongs to the queue's scope like the workers, so
   * closing the queue interrupts it; cancelling the task interrupts it. A task that completes
   * without suspending has ended (and answered its submitter) by the time this returns: no hand-off,
   * no wake-up, and its submitter never parks.
   */
  startNow(task: Task, refs: FiberRefs.FiberRefs): void {
    this.begin(task)
    const slot: WorkerSlot = { task, progress: this.progress }
    const fiber = this.forks.alone(this.runAlone(task), (_, id) => installRefs(refs, id, slot))
    const exit = fiber.unsafePoll()
    if (exit !== null) this.afterAlone(task, exit)
    else fiber.addObserver((exit) => this.afterAlone(task, exit))
  }

  /** Runs a task started by {@link startNow} on the fiber it was given, then ends it. */
  private runAlone(task: Task): Effect.Effect<void> {
    return Effect.uninterruptibleMask((restore) =>
      Effect.withFiberRuntime((fiber) => {
        task.worker = fiber
        return task.run(this.wrap, restore, fiber.currentContext, (exit) => {
          const reported = this.finish(task, exit)
          this.kick()
          return reported
        })
      })
    )
  }

  /** The fiber of a task started by {@link startNow} ended: if it did not end the task, it does. */
  private afterAlone(task: Task, exit: Exit.Exit<void>): void {
    if (task.state !== "running") return
    // The fiber died before or while ending the task (the queue closed as it was forked, or a
    // defect in the bookkeeping): the task ends with that cause, its submitter is answered.
    Effect.runFork(this.finish(task, Exit.isFailure(exit) ? exit : Exit.die("effect-lanes: task fiber ended")))
    this.kick()
  }

  /** Gives back what a started task holds: its lane permit and its budget slot. */
  private release(task: Task): void {
    this.active--
    this.running.delete(task)
    if (task.budgetSlot) {
      task.budgetSlot = false
      this.budget?.release()
    }
  }

  /**
   * Ends a task that started, however it ended: releases what it holds, records its end, hands the
   * exit to its submitter. The exit reaches the submitter even if the bookkeeping throws; the
   * returned effect reports such a failure.
   */
  finish(task: Task, exit: Exit.Exit<unknown, unknown>): Effect.Effect<void> {
    if (task.state === "done") return Effect.void
    this.release(task)
    return endTask(this.ledger, task, true, exit)
  }

  /** Ends a task that never started (cancelled, or its submitter is gone, or the queue closed). */
  abandon(task: Task, cause: Cause.Cause<never>): Effect.Effect<void> {
    if (task.state !== "waiting") return Effect.void
    this.line.remove(task)
    const reported = endTask(this.ledger, task, false, Exit.failCause(cause))
    this.kick()
    return reported
  }

  // -------------------------------------------------------------------------------------------
  // workers
  // -------------------------------------------------------------------------------------------

  /** Wakes or forks workers for the tasks that can start now. */
  kick(): void {
    if (this.closed || !this.ready()) return
    const wanted = this.gated ? 1 : Math.min(this.pending, this.concurrency - this.active)
    for (let i = 0; i < wanted; i++) {
      const wake = this.idle.pop()
      if (wake !== undefined) wake()
      else if (this.workers < this.concurrency) this.spawn()
      else return
    }
  }

  /** Stops forking workers (the queue is closing; its scope interrupts the workers). */
  close(): void {
    this.closed = true
  }

  private spawn(): void {
    this.workers++
    const slot: WorkerState = { task: undefined, progress: this.progress, applied: undefined, installed: undefined }
    const fiber = this.forks.worker(this.worker(slot))
    fiber.addObserver((exit) => {
      this.workers--
      const task = slot.task
      if (task !== undefined && task.state === "running") {
        // The worker died in the middle of the task (interrupted, or a defect in the
        // bookkeeping): the task ends with that cause, and its submitter is answered.
        Effect.runFork(this.finish(task, Exit.isFailure(exit) ? exit : Exit.die("effect-lanes: worker ended")))
      }
      this.kick()
    })
  }

  /** Whether a worker could take the front task now. */
  private ready(): boolean {
    return this.line.size > 0 && this.active < this.concurrency && !(this.gated && this.admitting)
  }

  /**
   * Parks an idle worker until a task may start. It checks again as it parks: the worker may have
   * been descheduled between finding nothing to do and parking, and missed the wake-up meanwhile.
   */
  private readonly park: Effect.Effect<void> = Effect.async<void>((resume) => {
    if (this.ready() && !this.closed) return resume(Effect.void)
    const wake = () => resume(Effect.void)
    this.idle.push(wake)
    return Effect.sync(() => {
      const index = this.idle.lastIndexOf(wake)
      if (index >= 0) this.idle.splice(index, 1)
    })
  })

  /**
   * A worker: takes the next task and runs it, for ever. It runs uninterruptibly except where it
   * waits (parked, for the budget, for a token) and inside the task, so an interruption never
   * lands between taking a task and recording its end.
   *
   * Each task runs with exactly its submitter's fiber refs (services, current span, log
   * annotations...) plus `currentWorker`, installed as a whole before it starts; the tasks of one
   * batch share them, so the worker builds and installs them once per batch. The loop's effects are
   * built once per worker, and a task costs the loop a handful of Effect operations: the step that
   * takes it, and its attempt with its exit.
   */
  private worker(slot: WorkerState): Effect.Effect<void> {
    return Effect.uninterruptibleMask((restore) =>
      Effect.withFiberRuntime((fiber) => {
        const install = Effect.updateFiberRefs((id) => {
          const refs = slot.task?.refs
          if (refs === undefined) return fiber.getFiberRefs()
          if (slot.applied !== refs || slot.installed === undefined) {
            slot.applied = refs
            slot.installed = installRefs(refs, id, slot)
          }
          return slot.installed
        })
        let loop: Effect.Effect<void> = Effect.void
        // After a task whose fiber was interrupted (by `cancel`, by its submitter leaving, or by
        // anything else: then its exit is an interruption), the interruption may still be pending on
        // the worker: it lands here, between tasks, and ends the worker (a new one takes its place),
        // never on the next task.
        let afterInterruption: Effect.Effect<void> = Effect.void
        // what `finish` returns when the bookkeeping went well (read once: under a CommonJS
        // transform such as tsx's, every `Effect.x` is a getter call)
        const wentWell = Effect.void
        const done = (exit: Exit.Exit<unknown, unknown>): Effect.Effect<void> => {
          const task = slot.task
          slot.task = undefined
          const reported = task === undefined ? wentWell : this.finish(task, exit)
          const next = task?.interrupted === true || (exit._tag === "Failure" && Cause.isInterrupted(exit.cause))
            ? afterInterruption
            : loop
          return reported === wentWell ? next : Effect.zipRight(reported, next)
        }
        const run = Effect.suspend(() => {
          const task = slot.task
          return task === undefined ? loop : task.run(this.wrap, restore, fiber.currentContext, done)
        })
        const installAndRun = Effect.zipRight(install, run)
        /** Runs a task just taken: with its refs as they are when the worker has them installed. */
        const runTask = (task: Task): Effect.Effect<void> =>
          task.refs === slot.applied && slot.installed !== undefined
            ? task.run(this.wrap, restore, fiber.currentContext, done)
            : installAndRun
        const parked = Effect.zipRight(restore(this.park), Effect.suspend(() => loop))
        const take = (): Effect.Effect<void> => {
          if (!this.gated) {
            const head = this.line.peek()
            return head !== undefined && this.active < this.concurrency
              ? runTask(this.start(head, fiber, slot))
              : parked
          }
          return Effect.flatMap(this.next(restore, fiber, slot), (task) => task === undefined ? loop : runTask(task))
        }
        loop = Effect.suspend(take)
        afterInterruption = Effect.zipRight(restore(Effect.void), loop)
        return loop
      })
    )
  }

  /**
   * The next task of a gated lane, taken from the front once its budget slot and token are in
   * hand; `undefined` when the worker parked meanwhile.
   */
  private next(
    restore: Restore,
    worker: Fiber.RuntimeFiber<unknown, unknown>,
    slot: WorkerState
  ): Effect.Effect<Task | undefined> {
    return Effect.suspend(() => {
      const head = this.line.peek()
      if (this.admitting || head === undefined || this.active >= this.concurrency) {
        return Effect.as(restore(this.park), undefined)
      }
      this.admitting = true
      const claim: Claim = { held: false }
      return Effect.ensuring(
        this.admit(claim, restore, worker, slot),
        Effect.sync(() => {
          this.admitting = false
          // a slot taken for a task that did not start (it was cancelled, the limit was lowered,
          // the worker was interrupted) goes back at once
          if (claim.held) this.budget?.release()
          this.kick()
        })
      )
    })
  }

  /**
   * Waits, on behalf of whatever task is at the front, for a budget slot (first) and then a token,
   * and starts the front task in the step that takes the token. Rechecks the line and the permit
   * after every wait: a task cancelled meanwhile costs no token, a lowered limit is never exceeded.
   */
  private admit(
    claim: Claim,
    restore: Restore,
    worker: Fiber.RuntimeFiber<unknown, unknown>,
    slot: WorkerState
  ): Effect.Effect<Task | undefined> {
    return Effect.suspend(() => {
      const head = this.line.peek()
      if (head === undefined || this.active >= this.concurrency) return Effect.succeed(undefined)
      const budget = this.budget
      if (budget !== undefined && !claim.held) {
        return Effect.zipRight(
          restore(
            budget.acquire(claim, Lane.priority(this.lane), head.sequence, head.submittedAt, this.promote(head))
          ),
          this.admit(claim, restore, worker, slot)
        )
      }
      const bucket = this.bucket
      if (bucket !== undefined) {
        const delay = bucket.delay(this.now())
        if (delay > 0) {
          return Effect.zipRight(
            restore(Effect.sleep(Duration.millis(delay))),
            this.admit(claim, restore, worker, slot)
          )
        }
        bucket.take()
      }
      if (claim.held) {
        claim.held = false
        head.budgetSlot = true
      }
      return Effect.succeed(this.start(head, worker, slot))
    })
  }

  /** Announces a promotion, unless the task it was computed for has left the line meanwhile. */
  private promote(task: Task) {
    return (level: number, waitedMillis: number) => {
      if (task.state !== "waiting") return
      this.ledger.publish(() =>
        LaneEvent.Promoted({ ...common(task, this.now()), to: Lane.fromPriority(level), waitedMillis })
      )
    }
  }
}

/**
 * Ends a task: records it (its last events), then hands the exit to its submitter and counts it
 * out, whatever the bookkeeping did. A failure of the bookkeeping is reported, never thrown.
 */
const endTask = (
  ledger: Ledger,
  task: Task,
  started: boolean,
  exit: Exit.Exit<unknown, unknown>
): Effect.Effect<void> => {
  let failure: unknown = undefined
  let failed = false
  try {
    ledger.settle(task, started, exit)
  } catch (error) {
    failed = true
    failure = error
  }
  try {
    task.end(exit)
  } catch (error) {
    failed = true
    failure = error
  }
  ledger.finished()
  return failed ? Effect.logError("effect-lanes: task bookkeeping failed", Cause.die(failure)) : Effect.void
}

/**
 * How a lane runs a started task: one attempt under the lane's timeout (counted from the attempt's
 * start), then the retries of the lane's policy, each announced by a `Retrying` event. A retry is a
 * start: under a rate limit it waits for, and takes, a token of its own.
 */
const makeWrap = (
  settings: LanesConfig.LaneSettings,
  ledger: Ledger,
  bucket: TokenBucket | undefined,
  now: () => number
): Wrap => {
  const timeout = settings.timeout
  const retries = RetryPolicy.retries(settings.retry)
  const schedule = RetryPolicy.toSchedule(settings.retry)
  const token: Effect.Effect<void> = Effect.suspend(() => {
    if (bucket === undefined) return Effect.void
    const delay = bucket.delay(now())
    if (delay > 0) return Effect.zipRight(Effect.sleep(Duration.millis(delay)), token)
    bucket.take()
    return Effect.void
  })
  return <A, E>(task: Task, work: Effect.Effect<A, E>): Effect.Effect<A, E | TaskTimeout> => {
    const limited: Effect.Effect<A, E | TaskTimeout> = Option.isNone(timeout) ? work : Effect.timeoutFail(work, {
      duration: timeout.value,
      onTimeout: () => new TaskTimeout({ taskId: task.id, lane: task.lane, timeout: timeout.value })
    })
    if (retries === 0) {
      task.attempts = 1
      return limited
    }
    const attempt = Effect.suspend(() => {
      task.attempts++
      return task.attempts > 1 ? Effect.zipRight(token, limited) : limited
    })
    return Effect.retry(
      Effect.tapError(attempt, (error) =>
        Effect.sync(() => {
          task.lastError = describeError(error)
        })),
      schedule.pipe(Schedule.onDecision((delay, decision) =>
        Effect.sync(() => {
          if (ScheduleDecision.isContinue(decision)) ledger.retrying(task, delay)
        })
      ))
    )
  }
}
