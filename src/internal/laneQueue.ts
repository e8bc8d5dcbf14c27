import * as Arr from "effect/Array"
import * as Cause from "effect/Cause"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as FiberId from "effect/FiberId"
import * as Option from "effect/Option"
import * as PubSub from "effect/PubSub"
import * as RateLimiter from "effect/RateLimiter"
import * as Runtime from "effect/Runtime"
import * as RuntimeFlags from "effect/RuntimeFlags"
import * as Stream from "effect/Stream"
import * as Lane from "../Lane.js"
import {
  DrainTimeout,
  ExternalTaskFailed,
  ExternalTaskTimeout,
  QueueShutdown,
  type TaskCancelled,
  TaskTimeout
} from "../LaneError.js"
import * as LaneEvent from "../LaneEvent.js"
import type * as LaneQueue from "../LaneQueue.js"
import * as LanesConfig from "../LanesConfig.js"
import * as LatencyModel from "../LatencyModel.js"
import * as TaskId from "../TaskId.js"
import { makeAttempts } from "./attempts.js"
import { dispatcher } from "./dispatcher.js"
import * as externalTasks from "./externalTasks.js"
import { hostAnswer } from "./externalTasks.js"
import { LaneGate, Ticket } from "./laneGate.js"
import { Outcome } from "./outcome.js"
import { byLane, type PerLane, perLane } from "./perLane.js"
import { PriorityGate } from "./priorityGate.js"
import { Session } from "./session.js"
import { laneOf } from "./strategy/calls.js"
import { taskSpan } from "./taskSpan.js"

const interrupted: Cause.Cause<never> = Cause.interrupt(FiberId.none)

/** What a submitter eventually receives for one task. */
type Delivery<A, E> = (exit: Exit.Exit<A, E | TaskTimeout | TaskCancelled>) => void

/** What every ticket of one queue shares: the queue's bookkeeping, seen from a starting task. */
interface TicketCore {
  readonly session: Session
  /** The fibers of the tasks running now. */
  readonly running: Set<Fiber.RuntimeFiber<unknown, unknown>>
  /** Gives a lane's permit back: the last act of every task fiber of the lane. */
  readonly releases: PerLane<Effect.Effect<void>>
  /** The session budget a lane's tasks hold a slot of while they run, if any. */
  readonly budgets: PerLane<Option.Option<PriorityGate>>
  readonly attempts: ReturnType<typeof makeAttempts>
}

/**
 * A ticket for a typed task. Its fiber is created only when the dispatcher starts it, from the
 * submitter's runtime (context, fiber refs such as the current span, and services), and gives the
 * lane's permit back as its last act. One class for every queue (a class per queue would give each
 * queue's tickets their own hidden class, and the lines' code megamorphic property accesses).
 */
class TaskTicket<A, E, R> extends Ticket {
  constructor(
    readonly core: TicketCore,
    id: TaskId.TaskId,
    lane: Lane.Lane,
    commandType: string,
    payload: unknown,
    at: number,
    readonly runtime: Runtime.Runtime<R>,
    readonly task: Effect.Effect<A, E, R>,
    readonly deliver: Delivery<A, E>
  ) {
    super(id, lane, commandType, payload, at)
  }

  launch(): Fiber.RuntimeFiber<unknown, unknown> {
    const core = this.core
    const work = core.attempts(this, this.task)
    const body = RuntimeFlags.interruption(this.runtime.runtimeFlags) ? work : Effect.interruptible(work)
    const fiber = Runtime.runFork(this.runtime)(Effect.ensuring(body, core.releases[this.lane]))
    fiber.addObserver((exit) => {
      core.running.delete(fiber)
      const slots = core.budgets[this.lane]
      if (Option.isSome(slots)) slots.value.release()
      this.finish(exit)
    })
    return fiber
  }

  abandon(cause: Cause.Cause<never>): void {
    this.finish(Exit.failCause(cause))
  }

  /** Records the end and answers the submitter; the answer goes out even if the bookkeeping throws. */
  private finish(exit: Exit.Exit<A, E | TaskTimeout>): void {
    try {
      this.core.session.settle(this, exit)
    } finally {
      this.deliver(this.core.session.outcome(this, exit))
    }
  }
}

/** @internal */
export const make = Effect.fnUntraced(function*(sessionId: string) {
  const settings = yield* LanesConfig.LanesConfig
  const latency = yield* LatencyModel.make
  const clock = yield* Effect.clock
  const now = () => clock.unsafeCurrentTimeMillis()
  const ids = yield* TaskId.generator(sessionId)
  const gates = yield* perLane((lane) =>
    Effect.map(
      Effect.makeSemaphore(settings.lanes[lane].concurrency),
      (semaphore) => new LaneGate(lane, semaphore, settings.lanes[lane].concurrency)
    )
  )
  const hub = yield* Effect.acquireRelease(PubSub.unbounded<LaneEvent.LaneEvent>(), PubSub.shutdown)
  const session = new Session(sessionId, settings, gates, now, hub)
  const limiters = yield* perLane((lane) =>
    Option.match(settings.lanes[lane].rateLimit, {
      onNone: () => Effect.succeed(Option.none<RateLimiter.RateLimiter>()),
      onSome: (rate) =>
        Effect.asSome(RateLimiter.make({ limit: rate.limit, interval: rate.interval, algorithm: "token-bucket" }))
    })
  )
  const budget = Option.map(
    settings.totalConcurrency,
    (total) => new PriorityGate(total, Duration.toMillis(settings.starvationDeadline), now)
  )
  /** The control lane is never held back by the session budget. */
  const budgetOf = (lane: Lane.Lane) => lane === "control" ? Option.none() : budget

  /** The fibers of the tasks running now. */
  const running = new Set<Fiber.RuntimeFiber<unknown, unknown>>()
  let closing = false

  /** Announces a promotion, unless the task it was computed for has left the line meanwhile. */
  const promote = (ticket: Ticket) => (level: number, waitedMillis: number) =>
    ticket.queued && session.publish(() =>
      LaneEvent.Promoted({
        taskId: ticket.id,
        lane: ticket.lane,
        at: now(),
        to: Lane.fromPriority(level),
        waitedMillis
      })
    )

  const start = (gate: LaneGate): boolean => {
    const ticket = gate.peek()
    if (ticket === undefined || closing) return false
    session.admit(ticket)
    const fiber = ticket.launch()
    ticket.fiber = fiber
    if (fiber.unsafePoll() === null) running.add(fiber)
    return true
  }

  yield* Effect.forEach(
    Lane.all,
    (lane) =>
      Effect.forkScoped(dispatcher(gates[lane], { limiter: limiters[lane], budget: budgetOf(lane), promote, start })),
    { discard: true }
  )

  // Runs before the dispatchers are interrupted (finalizers run in reverse order): stop starting
  // tasks, end the waiting ones, interrupt the running ones and wait for them.
  yield* Effect.addFinalizer(() =>
    Effect.suspend(() => {
      closing = true
      session.accepting = false
      for (const ticket of Array.from(session.unfinished.values())) {
        if (!ticket.admitted) ticket.abandon(interrupted)
      }
      return Fiber.interruptAll(Array.from(running))
    })
  )

  const attempts = makeAttempts(settings, session)

  /** Gives a lane's permit back: the last act of every task fiber of the lane. */
  const releases = byLane((lane) =>
    Effect.suspend(() => {
      gates[lane].active--
      return gates[lane].semaphore.release(1)
    })
  )
  const budgets = byLane(budgetOf)

  const core: TicketCore = { session, running, releases, budgets, attempts }

  const ticketFor = <A, E, R>(
    runtime: Runtime.Runtime<R>,
    id: TaskId.TaskId,
    lane: Lane.Lane,
    commandType: string,
    payload: unknown,
    at: number,
    task: Effect.Effect<A, E, R>,
    deliver: Delivery<A, E>
  ): Ticket => new TaskTicket(core, id, lane, commandType, payload, at, runtime, task, deliver)

  /** Stops a task whether it waits or runs, and waits until it has stopped. */
  const interruptTicket = (ticket: Ticket): Effect.Effect<void> =>
    Effect.suspend(() => {
      if (ticket.done) return Effect.void
      if (!ticket.admitted) {
        ticket.abandon(interrupted)
        return Effect.void
      }
      return ticket.fiber === undefined ? Effect.void : Fiber.interrupt(ticket.fiber)
    })

  const shutdownError = new QueueShutdown({ sessionId })

  /** Plain submissions cannot go to an external lane: only the host runs its commands. */
  const externalOnly = (lane: Lane.Lane): Option.Option<Effect.Effect<never>> =>
    settings.lanes[lane].mode === "external"
      ? Option.some(Effect.dieMessage(
        `effect-lanes: the ${lane} lane is external, so it runs only commands submitted with submitExternal`
      ))
      : Option.none()

  /**
   * Accepts `count` tasks in one step: the shutdown check, their IDs and their places in the line
   * happen inside one `Ref` update, so no other submission slips in between (IDs follow line order)
   * and nothing is accepted once the queue stopped accepting (closing the scope abandons every
   * waiting ticket, so a ticket accepted after that would wait for ever).
   */
  const accept = (
    count: number,
    build: (ids: ReadonlyArray<TaskId.TaskId>, at: number) => Array<Ticket>
  ): Effect.Effect<Array<Ticket>, QueueShutdown> =>
    Effect.flatMap(
      ids.allocate(count, (taskIds) => {
        if (!session.accepting) return Option.none()
        const tickets = build(taskIds, now())
        for (const ticket of tickets) session.register(ticket)
        return Option.some(tickets)
      }),
      Option.match({ onNone: () => Effect.fail(shutdownError), onSome: Effect.succeed })
    )

  /** Stops every given task that has not ended. */
  const interruptAll = (tickets: ReadonlyArray<Ticket>) =>
    Effect.forEach(tickets, interruptTicket, { discard: true, concurrency: "unbounded" })

  /**
   * Accepts tasks and waits for their outcome. Interrupting the submitter, even the instant after
   * acceptance, interrupts the tasks.
   */
  const acceptAndWait = <A, E>(
    count: number,
    build: (ids: ReadonlyArray<TaskId.TaskId>, at: number, outcome: Outcome<A, E>) => Array<Ticket>
  ): Effect.Effect<A, E | QueueShutdown> =>
    Effect.uninterruptibleMask((restore) => {
      const outcome = new Outcome<A, E>()
      return Effect.flatMap(
        accept(count, (taskIds, at) => build(taskIds, at, outcome)),
        (tickets) => Effect.onInterrupt(restore(outcome.wait), () => interruptAll(tickets))
      )
    })

  /** Submits one task and waits for it. */
  const submitOne = <A, E, R>(
    lane: Lane.Lane,
    commandType: string,
    payload: unknown,
    task: Effect.Effect<A, E, R>
  ): Effect.Effect<A, E | QueueShutdown | TaskTimeout | TaskCancelled, R> =>
    Option.getOrElse(
      externalOnly(lane),
      () =>
        Effect.flatMap(Effect.runtime<R>(), (runtime) =>
          acceptAndWait<A, E | TaskTimeout | TaskCancelled>(1, (taskIds, at, outcome) =>
            taskIds.map((id) =>
              ticketFor(runtime, id, lane, commandType, payload, at, task, (exit) =>
                outcome.complete(exit))
            )))
    )

  const submitSpan = taskSpan("LaneQueue.submit")
  const submitByToolSpan = taskSpan("LaneQueue.submitByTool")
  const enqueueSpan = taskSpan("LaneQueue.enqueue")

  const submit = <A, E, R>(
    lane: Lane.Lane,
    task: Effect.Effect<A, E, R>
  ): Effect.Effect<A, E | QueueShutdown | TaskTimeout | TaskCancelled, R> =>
    submitSpan(submitOne(lane, lane, undefined, task))

  const submitByTool = <A, E, R>(
    toolName: string,
    task: Effect.Effect<A, E, R>
  ): Effect.Effect<A, E | QueueShutdown | TaskTimeout | TaskCancelled, R> =>
    submitByToolSpan(
      submitOne(
        laneOf({ name: toolName }, settings.strategy.tools),
        toolName,
        undefined,
        latency.measure(toolName, task)
      )
    )

  type BatchExits<A, E> = Array<Exit.Exit<A, E | TaskTimeout | TaskCancelled>>

  const submitBatch = Effect.fn("LaneQueue.submitBatch")(function<A, E, R>(
    lane: Lane.Lane,
    tasks: Iterable<Effect.Effect<A, E, R>>
  ): Effect.Effect<BatchExits<A, E>, QueueShutdown, R> {
    const all = Array.from(tasks)
    return Option.getOrElse(
      externalOnly(lane),
      () =>
        Effect.flatMap(
          Effect.runtime<R>(),
          (runtime) =>
            acceptAndWait<BatchExits<A, E>, never>(all.length, (taskIds, at, outcome) => {
              const results: BatchExits<A, E> = new Array(all.length)
              let remaining = all.length
              if (remaining === 0) {
                outcome.complete(Exit.succeed(results))
              }
              return Arr.zip(taskIds, all).map(([id, task], index) =>
                ticketFor(runtime, id, lane, lane, undefined, at, task, (exit) => {
                  results[index] = exit
                  if (--remaining === 0) outcome.complete(Exit.succeed(results))
                })
              )
            })
        )
    )
  })

  const enqueue = <A, E, R>(
    lane: Lane.Lane,
    task: Effect.Effect<A, E, R>
  ): Effect.Effect<LaneQueue.TaskHandle<A, E | TaskTimeout | TaskCancelled>, QueueShutdown, R> =>
    enqueueSpan(Option.getOrElse(externalOnly(lane), () =>
      Effect.flatMap(Effect.runtime<R>(), (runtime) => {
        const outcome = new Outcome<A, E | TaskTimeout | TaskCancelled>()
        return Effect.flatMap(
          accept(1, (taskIds, at) =>
            taskIds.map((id) =>
              ticketFor(runtime, id, lane, lane, undefined, at, task, (exit) =>
                outcome.complete(exit))
            )),
          Arr.match({
            onEmpty: () =>
              Effect.dieMessage("effect-lanes: enqueue accepted no task"),
            onNonEmpty: ([ticket]): Effect.Effect<LaneQueue.TaskHandle<A, E | TaskTimeout | TaskCancelled>> =>
              Effect.succeed({
                id: ticket.id,
                await: outcome.wait,
                cancel: Effect.asVoid(cancelTickets([ticket]))
              })
          })
        )
      })))

  type ExternalError = ExternalTaskTimeout | ExternalTaskFailed | QueueShutdown | TaskTimeout | TaskCancelled

  const submitExternal = Effect.fn("LaneQueue.submitExternal")(function(
    lane: Lane.Lane,
    command: LaneQueue.ExternalCommand
  ): Effect.Effect<unknown, ExternalError> {
    return Effect.flatMap(
      Effect.runtime<never>(),
      (runtime) =>
        acceptAndWait<unknown, ExternalError>(1, (taskIds, at, outcome) =>
          taskIds.map((id) => {
            const ticket = ticketFor(
              runtime,
              id,
              lane,
              command.commandType,
              command.payload,
              at,
              hostAnswer(session, settings.lanes[lane].externalTimeout, id, lane, command),
              (exit) => outcome.complete(exit)
            )
            ticket.hostCompleted = true
            return ticket
          }))
    )
  })

  const answer = (taskId: string, result: externalTasks.Answer) =>
    Effect.sync(() => {
      const ticket = session.unfinished.get(taskId)
      return ticket !== undefined && session.external.answer(ticket.id, result)
    })

  /**
   * Cancels tasks and waits until they stopped; counts those that ended cancelled. A task that
   * finished on its own in the same instant keeps its own outcome and is not counted.
   */
  const cancelTickets = (tickets: ReadonlyArray<Ticket>) =>
    Effect.suspend(() => {
      for (const ticket of tickets) ticket.cancelled = true
      return Effect.map(interruptAll(tickets), () => tickets.filter((ticket) => ticket.endedCancelled).length)
    })

  const cancel = Effect.fn("LaneQueue.cancel")(function(taskId: string) {
    return Effect.suspend(() => {
      const ticket = session.unfinished.get(taskId)
      return ticket === undefined ? Effect.succeed(false) : Effect.map(cancelTickets([ticket]), (count) => count > 0)
    })
  })

  const laneStats = (gate: LaneGate): LaneQueue.LaneStats => ({
    pending: gate.pending,
    active: gate.active,
    concurrency: gate.concurrency
  })

  const stats = Effect.sync((): LaneQueue.QueueStats => {
    const lanes = byLane((lane) => laneStats(gates[lane]))
    let totalPending = 0
    let totalActive = 0
    for (const lane of Lane.all) {
      totalPending += lanes[lane].pending
      totalActive += lanes[lane].active
    }
    return { totalPending, totalActive, lanes }
  })

  /** The IDs of the tasks pending or running, in submission order. */
  const unfinishedIds = () => Array.from(session.unfinished.values(), (ticket) => ticket.id)

  const drain = Effect.fn("LaneQueue.drain")(
    function(timeout: Duration.DurationInput): Effect.Effect<void, DrainTimeout> {
      return Effect.timeoutFail(session.whenIdle, {
        duration: timeout,
        onTimeout: () => new DrainTimeout({ pending: unfinishedIds() })
      })
    }
  )

  const setConcurrency = Effect.fn("LaneQueue.setConcurrency")(function(lane: Lane.Lane, concurrency: number) {
    return Effect.flatMap(
      LanesConfig.make({ lanes: { [lane]: { concurrency } } }),
      () =>
        Effect.suspend(() => {
          gates[lane].concurrency = concurrency
          return gates[lane].semaphore.resize(concurrency)
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
    pendingExternal: Effect.sync(() => session.external.pending()),
    cancel,
    cancelAll: Effect.fiberIdWith((self) =>
      cancelTickets(Array.from(session.unfinished.values()).filter((ticket) => ticket.fiber?.id() !== self))
    ).pipe(Effect.withSpan("LaneQueue.cancelAll")),
    deadLetters: Effect.sync(() => session.deadLetters.toArray()),
    metrics: Effect.sync(() => session.metrics.snapshot()),
    stats,
    events: Stream.unwrapScoped(Effect.map(session.subscribe, Stream.fromQueue)),
    subscribe: Effect.map(session.subscribe, Stream.fromQueue),
    shutdown: Effect.sync(() => {
      session.accepting = false
    }).pipe(Effect.withSpan("LaneQueue.shutdown")),
    setConcurrency,
    isAccepting: Effect.sync(() => session.accepting),
    drain,
    unfinished: Effect.sync(unfinishedIds)
  }
  return service
})
