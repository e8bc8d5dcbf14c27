import * as Cause from "effect/Cause"
import * as Context from "effect/Context"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as FiberId from "effect/FiberId"
import * as FiberRef from "effect/FiberRef"
import * as FiberRefs from "effect/FiberRefs"
import * as FiberSet from "effect/FiberSet"
import * as Option from "effect/Option"
import * as Runtime from "effect/Runtime"
import * as Stream from "effect/Stream"
import * as Lane from "../Lane.js"
import {
  DrainTimeout,
  type ExternalTaskFailed,
  type ExternalTaskTimeout,
  QueueShutdown,
  type TaskCancelled,
  type TaskTimeout
} from "../LaneError.js"
import type * as LaneEvent from "../LaneEvent.js"
import type * as LaneQueue from "../LaneQueue.js"
import * as LanesConfig from "../LanesConfig.js"
import * as LatencyModel from "../LatencyModel.js"
import * as TaskId from "../TaskId.js"
import { currentTags, takeTags } from "./callTags.js"
import * as externalTasks from "./externalTasks.js"
import { hostAnswer } from "./externalTasks.js"
import { type Forks, LaneRuntime } from "./lane.js"
import { Ledger } from "./ledger.js"
import { byLane, type PerLane } from "./perLane.js"
import { PrioritySemaphore, TokenBucket } from "./prioritySemaphore.js"
import { laneOf as laneOfCall } from "./strategy/calls.js"
import {
  abandonFiberId,
  BatchSink,
  cancelFiberId,
  currentWorker,
  DeferredSink,
  sequenceOf,
  type Sink,
  Submission,
  type Task,
  TypedTask,
  Waiter
} from "./task.js"
import { taskSpan } from "./taskSpan.js"

/** @internal */
export const eventBufferCapacity = 4096

/** @internal */
export const make = Effect.fnUntraced(function*(sessionId: string) {
  const settings = yield* LanesConfig.LanesConfig
  const latency = yield* LatencyModel.make
  const clock = yield* Effect.clock
  const now = () => clock.unsafeCurrentTimeMillis()
  /** The session's ID counter (a `Ref`): IDs follow acceptance order, from `<sessionId>-1`. */
  const ids = yield* TaskId.generator(sessionId)
  const lines: { [L in Lane.Lane]?: LaneRuntime } = {}
  const ledger = new Ledger(sessionId, settings, (lane) => laneOf(lane), now, eventBufferCapacity)
  // Runs last: the event streams end after the last task's last event.
  yield* Effect.addFinalizer(() => Effect.sync(() => ledger.close()))
  // Registered before the finalizer below, so closed after it: the workers are interrupted (and record the ends of the tasks
  // they ran) after the finalizer below stopped the lanes and ended the waiting tasks.
  const fork = yield* FiberSet.makeRuntime<never, void, never>()
  // The fibers of tasks started at once on an idle lane: forked from a runtime with no refs of its
  // own (they get their submitter's), tracked only while they run.
  const bare = Runtime.make({
    context: Context.empty(),
    runtimeFlags: (yield* Effect.runtime<never>()).runtimeFlags,
    fiberRefs: FiberRefs.empty()
  })
  const alone = new Set<Fiber.RuntimeFiber<void, never>>()
  const forks: Forks = {
    // scheduled, not run on the spot: a worker forked while another is between taking a task and
    // running it must not run first
    worker: (worker) => fork(worker, { immediate: false }),
    alone: (effect, updateRefs) => {
      const fiber = Runtime.runFork(bare, effect, { updateRefs })
      if (fiber.unsafePoll() === null) {
        alone.add(fiber)
        fiber.addObserver(() => alone.delete(fiber))
      }
      return fiber
    }
  }
  const budget = Option.getOrUndefined(Option.map(
    settings.totalConcurrency,
    (total) => new PrioritySemaphore(total, Duration.toMillis(settings.starvationDeadline), now)
  ))
  const lanes: PerLane<LaneRuntime> = byLane((lane) => {
    const laneSettings = settings.lanes[lane]
    const bucket = Option.getOrUndefined(Option.map(
      laneSettings.rateLimit,
      (rate) => new TokenBucket(rate.limit, Duration.toMillis(rate.interval), now())
    ))
    // The control lane is never held back by the session budget.
    const runtime = new LaneRuntime(
      lane,
      laneSettings.concurrency,
      laneSettings,
      ledger,
      lane === "control" ? undefined : budget,
      bucket,
      forks,
      now
    )
    lines[lane] = runtime
    return runtime
  })
  function laneOf(lane: Lane.Lane): LaneRuntime {
    return lanes[lane]
  }

  // Closing the scope: stop accepting and starting, end the waiting tasks, interrupt the tasks started
  // at once on idle lanes (waiting for them to end); then (FiberSet) the workers are interrupted, each
  // recording the end of the task it ran.
  yield* Effect.addFinalizer(() =>
    Effect.suspend(() => {
      ledger.accepting = false
      for (const lane of Lane.all) lanes[lane].close()
      const interrupted = Cause.interrupt(FiberId.none)
      return Effect.zipRight(
        Effect.forEach(
          Lane.all.flatMap((lane) => lanes[lane].waiting()),
          (task) => lanes[task.lane].abandon(task, interrupted),
          { discard: true }
        ),
        Fiber.interruptAll(Array.from(alone))
      )
    })
  )

  /** Every task pending or running, in submission order. */
  const unfinishedTasks = (): Array<Task> => {
    const tasks: Array<Task> = []
    for (const lane of Lane.all) {
      for (const task of lanes[lane].running) tasks.push(task)
      for (const task of lanes[lane].waiting()) tasks.push(task)
    }
    return tasks.sort((a, b) => a.sequence - b.sequence)
  }

  /** The unfinished task with this ID, if any. */
  const findTask = (taskId: string): Task | undefined =>
    Option.match(sequenceOf(sessionId, taskId), {
      onNone: () => undefined,
      onSome: (sequence) => {
        for (const lane of Lane.all) {
          for (const task of lanes[lane].running) if (task.sequence === sequence) return task
        }
        for (const lane of Lane.all) {
          for (const task of lanes[lane].waiting()) if (task.sequence === sequence) return task
        }
        return undefined
      }
    })

  /**
   * Stops a task whether it waits or runs, as `interruptor`, and waits until it has stopped;
   * whether it ended by `cancel`.
   */
  const interruptTask = (task: Task, interruptor: FiberId.FiberId): Effect.Effect<boolean> =>
    Effect.suspend(() => {
      switch (task.state) {
        case "done":
          return Effect.succeed(false)
        case "waiting":
          return Effect.zipRight(lanes[task.lane].abandon(task, Cause.interrupt(interruptor)), task.whenDone())
        case "running":
          task.interrupt(interruptor)
          return task.whenDone()
      }
    })

  const shutdownError = new QueueShutdown({ sessionId })

  /**
   * Why a plain submission to `lane` cannot be accepted, if it cannot: an unknown lane (untyped
   * input), or an external lane, which only runs commands submitted with `submitExternal`.
   */
  const refusals = byLane((lane) =>
    settings.lanes[lane].mode === "external"
      ? Effect.dieMessage(
        `effect-lanes: the ${lane} lane is external, so it runs only commands submitted with submitExternal`
      )
      : undefined
  )
  const refusal = (lane: Lane.Lane): Effect.Effect<never> | undefined =>
    Object.hasOwn(lanes, lane)
      ? refusals[lane]
      : Effect.dieMessage(`effect-lanes: unknown lane ${JSON.stringify(String(lane))}`)

  /** What the tasks of one submission share, taken from the submitting fiber as it is accepted. */
  const submissionOf = <A, E, R>(
    fiber: Fiber.RuntimeFiber<unknown, unknown>,
    lane: Lane.Lane,
    commandType: string,
    payload: unknown,
    external: boolean,
    context: Context.Context<R>,
    sink: Sink<A, E>
  ) =>
    new Submission(
      sessionId,
      lane,
      commandType,
      payload,
      external,
      now(),
      fiber.getFiberRefs(),
      context,
      sink,
      takeTags(fiber.getFiberRef(currentTags))
    )

  /**
   * Accepts tasks in one synchronous step: the shutdown check, their IDs and their places in the
   * line, so no other submission slips in between (IDs follow line order) and nothing is accepted
   * once the queue stopped accepting. Then wakes the lane's workers once.
   */
  const accept = <A, E, R>(
    lane: Lane.Lane,
    effects: ReadonlyArray<Effect.Effect<A, E, R>>,
    sink: Sink<A, E>,
    commandType: string,
    payload: unknown,
    external: boolean
  ): Effect.Effect<Array<Task>, QueueShutdown, R> =>
    Effect.contextWithEffect((context: Context.Context<R>) =>
      Effect.withFiberRuntime<Array<Task>, QueueShutdown>((fiber) =>
        Effect.flatMap(
          ids.reserve(effects.length, (first) => {
            if (!ledger.accepting) return Option.none()
            const line = lanes[lane]
            const tasks: Array<Task> = new Array(effects.length)
            const submission = submissionOf(fiber, lane, commandType, payload, external, context, sink)
            let i = 0
            for (const effect of effects) {
              const task = new TypedTask(submission, first + i, effect, i)
              line.join(task)
              ledger.submitted(task)
              tasks[i++] = task
            }
            const last = tasks[tasks.length - 1]
            if (last !== undefined) ledger.accepted(lane, tasks.length, last)
            line.kick()
            return Option.some(tasks)
          }),
          (accepted) => Option.isSome(accepted) ? Effect.succeed(accepted.value) : shutdownFailure
        )
      )
    )

  /** The shutdown failure, as an effect. */
  const shutdownFailure = Effect.fail(shutdownError)

  /**
   * Accepts one task and waits for its outcome: the lean path of `submit` (one task, one waiter,
   * no arrays). Interrupting the submitter, even the instant after acceptance, stops the task.
   *
   * On an idle lane the task starts at once on a fiber of its own (`LaneRuntime.startNow`), in the
   * step that accepts it; a task that completes without suspending has answered by the time that
   * step ends, and its submitter goes on without parking.
   */
  const submitAndWait = <A, E, R>(
    lane: Lane.Lane,
    effect: Effect.Effect<A, E, R>,
    commandType: string,
    payload: unknown,
    external: boolean
  ): Effect.Effect<A, E | TaskTimeout | TaskCancelled | QueueShutdown, R> =>
    Effect.uninterruptibleMask((restore) =>
      Effect.contextWithEffect((context: Context.Context<R>) =>
        Effect.withFiberRuntime<A, E | TaskTimeout | TaskCancelled | QueueShutdown>((fiber) => {
          const waiter = new Waiter<A, E>()
          return Effect.flatMap(
            ids.reserve(1, (sequence) => {
              if (!ledger.accepting) return Option.none()
              const line = lanes[lane]
              const submission = submissionOf(fiber, lane, commandType, payload, external, context, waiter)
              const task = new TypedTask(submission, sequence, effect, 0)
              if (!external && line.canStartNow()) {
                ledger.submitted(task)
                ledger.accepted(lane, 1, task)
                line.startNow(task, submission.refs)
              } else {
                line.join(task)
                ledger.submitted(task)
                ledger.accepted(lane, 1, task)
                line.kick()
              }
              return Option.some(task)
            }),
            (accepted): Effect.Effect<A, E | TaskTimeout | TaskCancelled | QueueShutdown> =>
              Option.isNone(accepted) ? shutdownFailure : waiter.poll() ??
                Effect.onInterrupt(restore(waiter.wait), () => interruptTask(accepted.value, abandonFiberId))
          )
        })
      )
    )

  /** Stops every given task that has not ended, as `interruptor`; how many ended by `cancel`. */
  const interruptAll = (tasks: ReadonlyArray<Task>, interruptor: FiberId.FiberId): Effect.Effect<number> =>
    Effect.map(
      Effect.forEach(tasks, (task) => interruptTask(task, interruptor), { concurrency: "unbounded" }),
      (ended) => ended.filter((cancelled) => cancelled).length
    )

  /**
   * Accepts tasks and waits for `deferred`. Interrupting the submitter, even the instant after
   * acceptance, stops the tasks.
   */
  const acceptAndWait = <A, E, R, B, F>(
    lane: Lane.Lane,
    effects: ReadonlyArray<Effect.Effect<A, E, R>>,
    sink: Sink<A, E>,
    deferred: Deferred.Deferred<B, F>,
    commandType: string,
    payload: unknown,
    external: boolean
  ): Effect.Effect<B, F | QueueShutdown, R> =>
    Effect.uninterruptibleMask((restore) =>
      Effect.flatMap(
        accept(lane, effects, sink, commandType, payload, external),
        (tasks) => Effect.onInterrupt(restore(Deferred.await(deferred)), () => interruptAll(tasks, abandonFiberId))
      )
    )

  /** Submits one task and waits for it. */
  const submitOne = <A, E, R>(
    lane: Lane.Lane,
    commandType: string,
    task: Effect.Effect<A, E, R>
  ): Effect.Effect<A, E | QueueShutdown | TaskTimeout | TaskCancelled, R> =>
    refusal(lane) ?? submitAndWait(lane, task, commandType, undefined, false)

  /** The attributes of a submission's span: the session and the lane (OpenTelemetry attribute names). */
  const spanAttributes = (lane: Lane.Lane) => ({ "effect_lanes.session_id": sessionId, "effect_lanes.lane": lane })
  const submitSpan = taskSpan("LaneQueue.submit")
  const submitByToolSpan = taskSpan("LaneQueue.submitByTool")
  const enqueueSpan = taskSpan("LaneQueue.enqueue")

  const submit = <A, E, R>(
    lane: Lane.Lane,
    task: Effect.Effect<A, E, R>
  ): Effect.Effect<A, E | QueueShutdown | TaskTimeout | TaskCancelled, R> =>
    submitSpan(submitOne(lane, lane, task), () => spanAttributes(lane))

  const submitByTool = <A, E, R>(
    toolName: string,
    task: Effect.Effect<A, E, R>
  ): Effect.Effect<A, E | QueueShutdown | TaskTimeout | TaskCancelled, R> =>
    Effect.suspend(() => {
      // the lane is resolved once: a tool's classifier runs once per call, traced or not
      const lane = laneOfCall({ name: toolName }, settings.strategy.tools)
      return submitByToolSpan(
        submitOne(lane, toolName, latency.measure(toolName, task)),
        () => ({ ...spanAttributes(lane), "effect_lanes.tool": toolName })
      )
    })

  type BatchExits<A, E> = Array<Exit.Exit<A, E | TaskTimeout | TaskCancelled>>

  const submitBatch = Effect.fn("LaneQueue.submitBatch")(function<A, E, R>(
    lane: Lane.Lane,
    tasks: Iterable<Effect.Effect<A, E, R>>
  ): Effect.Effect<BatchExits<A, E>, QueueShutdown, R> {
    return refusal(lane) ?? (
      Effect.suspend(() => {
        const all = Array.from(tasks)
        const deferred = Deferred.unsafeMake<BatchExits<A, E>>(FiberId.none)
        return Effect.zipRight(
          Effect.annotateCurrentSpan({ ...spanAttributes(lane), "effect_lanes.tasks": all.length }),
          acceptAndWait(lane, all, new BatchSink<A, E>(all.length, deferred), deferred, lane, undefined, false)
        )
      })
    )
  })

  const enqueue = <A, E, R>(
    lane: Lane.Lane,
    task: Effect.Effect<A, E, R>
  ): Effect.Effect<LaneQueue.TaskHandle<A, E | TaskTimeout | TaskCancelled>, QueueShutdown, R> =>
    enqueueSpan(
      refusal(lane) ?? (
        Effect.suspend(() => {
          const deferred = Deferred.unsafeMake<A, E | TaskTimeout | TaskCancelled>(FiberId.none)
          return Effect.flatMap(
            accept(lane, [task], new DeferredSink(deferred), lane, undefined, false),
            (accepted) => {
              const ticket = accepted[0]
              return ticket === undefined
                ? Effect.dieMessage("effect-lanes: enqueue accepted no task")
                : Effect.succeed<LaneQueue.TaskHandle<A, E | TaskTimeout | TaskCancelled>>({
                  id: ticket.id,
                  await: Deferred.await(deferred),
                  cancel: Effect.asVoid(interruptTask(ticket, cancelFiberId))
                })
            }
          )
        })
      ),
      () => spanAttributes(lane)
    )

  type ExternalError = ExternalTaskTimeout | ExternalTaskFailed | QueueShutdown | TaskTimeout | TaskCancelled

  const submitExternal = Effect.fn("LaneQueue.submitExternal")(function(
    lane: Lane.Lane,
    command: LaneQueue.ExternalCommand
  ): Effect.Effect<unknown, ExternalError> {
    if (!Object.hasOwn(lanes, lane)) {
      return Effect.dieMessage(`effect-lanes: unknown lane ${JSON.stringify(String(lane))}`)
    }
    const timeout = settings.lanes[lane].externalTimeout
    // The host's side needs the task's ID, known once it is accepted: read it from the task itself.
    const work = Effect.flatMap(FiberRef.get(currentWorker), (worker) => {
      const task = worker?.task
      return task === undefined
        ? Effect.dieMessage("effect-lanes: external task without its task")
        : hostAnswer(ledger, timeout, task.id, lane, command)
    })
    return submitAndWait(lane, work, command.commandType, command.payload, true)
  })

  const answer = (taskId: string, result: externalTasks.Answer) =>
    Effect.sync(() => ledger.external.answer(taskId, result))

  /**
   * Cancels tasks and waits until they stopped; counts those that ended cancelled. A task that
   * finished on its own in the same instant keeps its own outcome and is not counted.
   */
  const cancelTasks = (tasks: ReadonlyArray<Task>) => interruptAll(tasks, cancelFiberId)

  const cancel = Effect.fn("LaneQueue.cancel")(function(taskId: string) {
    return Effect.suspend(() => {
      const task = typeof taskId === "string" ? findTask(taskId) : undefined
      return task === undefined ? Effect.succeed(false) : Effect.map(cancelTasks([task]), (count) => count > 0)
    })
  })

  const stats = Effect.sync((): LaneQueue.QueueStats => {
    const laneStats = byLane((lane): LaneQueue.LaneStats => ({
      pending: lanes[lane].pending,
      active: lanes[lane].active,
      concurrency: lanes[lane].concurrency
    }))
    let totalPending = 0
    let totalActive = 0
    for (const lane of Lane.all) {
      totalPending += laneStats[lane].pending
      totalActive += laneStats[lane].active
    }
    return { totalPending, totalActive, lanes: laneStats }
  })

  /** The IDs of the tasks pending or running, in submission order. */
  const unfinishedIds = () => unfinishedTasks().map((task) => task.id)

  const drain = Effect.fn("LaneQueue.drain")(
    function(timeout: Duration.DurationInput): Effect.Effect<void, DrainTimeout> {
      return Effect.timeoutFail(ledger.whenIdle, {
        duration: timeout,
        onTimeout: () => new DrainTimeout({ pending: unfinishedIds() })
      })
    }
  )

  const setConcurrency = Effect.fn("LaneQueue.setConcurrency")(function(lane: Lane.Lane, concurrency: number) {
    return Effect.flatMap(
      LanesConfig.make({ lanes: { [lane]: { concurrency } } }),
      () =>
        Effect.sync(() => {
          lanes[lane].concurrency = concurrency
          lanes[lane].kick()
        })
    )
  })

  const service: LaneQueue.LaneQueue = {
    sessionId,
    settings,
    latency,
    submit,
    submitByTool,
    submitBatch,
    enqueue,
    submitExternal,
    completeExternal: (taskId, result) => answer(taskId, externalTasks.success(result)),
    failExternal: (taskId, error) => answer(taskId, externalTasks.failure(error)),
    pendingExternal: Effect.sync(() => ledger.external.pending()),
    cancel,
    // The caller's own task (the one it runs in, or forked from) is left alone.
    cancelAll: Effect.flatMap(
      FiberRef.get(currentWorker),
      (worker) => {
        const own = worker?.task
        return cancelTasks(unfinishedTasks().filter((task) => task !== own))
      }
    ).pipe(Effect.withSpan("LaneQueue.cancelAll")),
    deadLetters: Effect.sync(() => ledger.deadLetters.toArray()),
    metrics: Effect.sync(() => ledger.metrics.snapshot()),
    stats,
    events: Stream.unwrapScoped(ledger.subscribe),
    subscribe: ledger.subscribe,
    shutdown: Effect.sync(() => {
      ledger.accepting = false
    }).pipe(Effect.withSpan("LaneQueue.shutdown")),
    setConcurrency,
    isAccepting: Effect.sync(() => ledger.accepting),
    drain,
    unfinished: Effect.sync(unfinishedIds)
  }
  return service
})

/**
 * A function that publishes `Progress` events for the task the caller runs in now, for callbacks that fire
 * later (an MCP client's `onprogress`); it does nothing outside a task, and once that task has ended.
 *
 * @internal
 */
export const progressReporter: Effect.Effect<(update: LaneEvent.ProgressUpdate) => void> = Effect.map(
  FiberRef.get(currentWorker),
  (slot) => {
    const task = slot?.task
    return slot === undefined || task === undefined ? ignoreProgress : (update) => slot.progress(task, update)
  }
)

const ignoreProgress = (_: LaneEvent.ProgressUpdate): void => {}

/** @internal */
export const reportProgress = (update: LaneEvent.ProgressUpdate): Effect.Effect<void> =>
  Effect.flatMap(progressReporter, (report) => Effect.sync(() => report(update)))
