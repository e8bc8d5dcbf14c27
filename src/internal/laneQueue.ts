import * as Arr from "effect/Array"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as PubSub from "effect/PubSub"
import * as RateLimiter from "effect/RateLimiter"
import * as Schedule from "effect/Schedule"
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
import * as RetryPolicy from "../RetryPolicy.js"
import * as TaskId from "../TaskId.js"
import { describeError } from "./describeCause.js"
import * as externalTasks from "./externalTasks.js"
import { LaneGate, type Ticket } from "./laneGate.js"
import { PriorityGate } from "./priorityGate.js"
import { Session } from "./session.js"

type PerLane<A> = { readonly [L in Lane.Lane]: A }

const byLane = <A>(f: (lane: Lane.Lane) => A): PerLane<A> => ({
  control: f("control"),
  query: f("query"),
  execute: f("execute"),
  generate: f("generate")
})

const perLane = <A, E, R>(f: (lane: Lane.Lane) => Effect.Effect<A, E, R>): Effect.Effect<PerLane<A>, E, R> =>
  Effect.all(byLane(f))

/** Wraps a task's start: what must pass before it may start (rate limit, session budget). */
type StartGate = <A, E, R>(ticket: Ticket, self: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>

/** @internal */
export const make = Effect.fnUntraced(function*(sessionId: string) {
  const settings = yield* LanesConfig.LanesConfig
  const scope = yield* Effect.scope
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
  yield* Effect.addFinalizer(() =>
    Effect.sync(() => {
      session.accepting = false
    })
  )

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
  const promote = (ticket: Ticket) => (level: number, waitedMillis: number) =>
    session.publish(LaneEvent.Promoted({
      taskId: ticket.id,
      lane: ticket.lane,
      at: now(),
      to: Lane.fromPriority(level),
      waitedMillis
    }))
  const startGates = byLane((lane): StartGate => {
    const limiter = limiters[lane]
    const slots = lane === "control" ? Option.none() : budget
    return (ticket, self) => {
      const budgeted = Option.isNone(slots)
        ? self
        : slots.value.withSlot(Lane.priority(lane), TaskId.sequence(ticket.id), promote(ticket), self)
      return Option.isNone(limiter) ? budgeted : limiter.value(budgeted)
    }
  })
  const retrySchedules = byLane((lane) => RetryPolicy.toSchedule(settings.lanes[lane].retry))

  /** One run of the task with the lane timeout, then the retries of the lane's policy. */
  const attempts = <A, E, R>(ticket: Ticket, task: Effect.Effect<A, E, R>): Effect.Effect<A, E | TaskTimeout, R> => {
    const timeout = settings.lanes[ticket.lane].timeout
    const limited: Effect.Effect<A, E | TaskTimeout, R> = Option.isNone(timeout) ? task : Effect.timeoutFail(task, {
      duration: timeout.value,
      onTimeout: () => new TaskTimeout({ taskId: ticket.id, lane: ticket.lane, timeout: timeout.value })
    })
    const attempt = Effect.suspend(() => {
      ticket.attempts++
      return limited
    })
    if (RetryPolicy.retries(settings.lanes[ticket.lane].retry) === 0) return attempt
    return Effect.retry(
      Effect.tapError(attempt, (error) =>
        Effect.sync(() => {
          ticket.lastError = describeError(error)
        })),
      retrySchedules[ticket.lane].pipe(
        Schedule.tapOutput((delay) => Effect.sync(() => session.retrying(ticket, delay)))
      )
    )
  }

  /** What runs in the task's fiber: its turn in the line, a permit, the start gate, the attempts. */
  const job = <A, E, R>(ticket: Ticket, task: Effect.Effect<A, E, R>): Effect.Effect<A, E | TaskTimeout, R> => {
    const gate = gates[ticket.lane]
    return gate.awaitTurn(ticket).pipe(
      Effect.zipRight(
        gate.semaphore.withPermits(1)(startGates[ticket.lane](
          ticket,
          Effect.suspend(() => {
            session.admit(ticket)
            return Effect.ensuring(
              attempts(ticket, task),
              Effect.sync(() => {
                gate.active--
              })
            )
          })
        ))
      )
    )
  }

  // A task is forked from inside `uninterruptibleMask` (so that a registered ticket always gets its
  // fiber), and a fiber inherits its parent's interruptibility: hence `interruptible` here. The
  // ticket is settled by an observer of the fiber, not by a finalizer inside it, because a fiber
  // interrupted before its first step never runs its finalizers.
  const fork = <A, E, R>(ticket: Ticket, task: Effect.Effect<A, E, R>) =>
    Effect.tap(Effect.forkIn(Effect.interruptible(job(ticket, task)), scope), (fiber) => {
      ticket.fiber = fiber
      fiber.addObserver((exit) => session.settle(ticket, exit))
      return ticket.cancelled ? Fiber.interruptFork(fiber) : Effect.void
    })

  /** The task's outcome as its submitter sees it; interrupting the submitter interrupts the task. */
  const outcome = <A, E>(ticket: Ticket, fiber: Fiber.RuntimeFiber<A, E>) =>
    Effect.map(
      Effect.onInterrupt(Fiber.await(fiber), () => Fiber.interrupt(fiber)),
      (exit) => session.outcome(ticket, exit)
    )

  const refuse = Effect.fail(new QueueShutdown({ sessionId }))
  const refuseExternal = (lane: Lane.Lane) =>
    Effect.dieMessage(
      `effect-lanes: the ${lane} lane is external, so it runs only commands submitted with submitExternal`
    )

  const admissible = (lane: Lane.Lane): Option.Option<Effect.Effect<never, QueueShutdown>> =>
    !session.accepting
      ? Option.some(refuse)
      : settings.lanes[lane].mode === "external"
      ? Option.some(refuseExternal(lane))
      : Option.none()

  const submitCommand = <A, E, R>(
    lane: Lane.Lane,
    commandType: string,
    payload: unknown,
    task: Effect.Effect<A, E, R>
  ): Effect.Effect<A, E | QueueShutdown | TaskTimeout | TaskCancelled, R> =>
    Effect.uninterruptibleMask((restore) =>
      Effect.flatMap(ids.next, (id) => {
        const ticket = session.register(id, lane, commandType, payload, now())
        return Effect.flatMap(fork(ticket, task), (fiber) => Effect.flatten(restore(outcome(ticket, fiber))))
      })
    )

  const submit = Effect.fn("LaneQueue.submit")(function<A, E, R>(
    lane: Lane.Lane,
    task: Effect.Effect<A, E, R>
  ): Effect.Effect<A, E | QueueShutdown | TaskTimeout | TaskCancelled, R> {
    return Effect.suspend(() => Option.getOrElse(admissible(lane), () => submitCommand(lane, lane, undefined, task)))
  })

  const submitByTool = Effect.fn("LaneQueue.submitByTool")(function<A, E, R>(
    toolName: string,
    task: Effect.Effect<A, E, R>
  ): Effect.Effect<A, E | QueueShutdown | TaskTimeout | TaskCancelled, R> {
    const lane = Lane.fromTool(toolName)
    return Effect.suspend(() =>
      Option.getOrElse(admissible(lane), () => submitCommand(lane, toolName, undefined, task))
    )
  })

  const submitBatch = Effect.fn("LaneQueue.submitBatch")(function<A, E, R>(
    lane: Lane.Lane,
    tasks: Iterable<Effect.Effect<A, E, R>>
  ): Effect.Effect<Array<Exit.Exit<A, E | TaskTimeout | TaskCancelled>>, QueueShutdown, R> {
    return Effect.suspend(() => {
      const refused = admissible(lane)
      if (Option.isSome(refused)) return refused.value
      const all = Array.from(tasks)
      return Effect.uninterruptibleMask((restore) =>
        Effect.flatMap(ids.nextBatch(all.length), (batchIds) => {
          const at = now()
          const entries = Arr.zipWith(batchIds, all, (id, task) =>
            [session.register(id, lane, lane, undefined, at), task] as const)
          return Effect.flatMap(
            Effect.forEach(entries, ([ticket, task]) =>
              fork(ticket, task)),
            (fibers) =>
              restore(Effect.forEach(fibers, (fiber, i) => {
                const ticket = entries[i]?.[0]
                return Effect.map(Fiber.await(fiber), (exit) =>
                  ticket === undefined ? exit : session.outcome(ticket, exit))
              })).pipe(Effect.onInterrupt(() =>
                Fiber.interruptAll(fibers)
              ))
          )
        })
      )
    })
  })

  const enqueue = Effect.fn("LaneQueue.enqueue")(function<A, E, R>(
    lane: Lane.Lane,
    task: Effect.Effect<A, E, R>
  ): Effect.Effect<LaneQueue.TaskHandle<A, E | TaskTimeout | TaskCancelled>, QueueShutdown, R> {
    return Effect.suspend(() => {
      const refused = admissible(lane)
      if (Option.isSome(refused)) return refused.value
      return Effect.flatMap(ids.next, (id) => {
        const ticket = session.register(id, lane, lane, undefined, now())
        return Effect.map(
          Effect.uninterruptible(fork(ticket, task)),
          (fiber): LaneQueue.TaskHandle<A, E | TaskTimeout | TaskCancelled> => ({
            id,
            await: Effect.flatMap(Fiber.await(fiber), (exit) => session.outcome(ticket, exit)),
            cancel: Effect.suspend(() => {
              ticket.cancelled = true
              return Fiber.interrupt(fiber)
            }).pipe(Effect.asVoid)
          })
        )
      })
    })
  })

  /** The host's side of an external task: announce it, wait for the answer or the timeout. */
  const hostAnswer = (ticket: Ticket, command: LaneQueue.ExternalCommand) =>
    Effect.suspend(() => {
      const lane = ticket.lane
      const timeout = settings.lanes[lane].externalTimeout
      const at = now()
      const timeoutMillis = Duration.toMillis(timeout)
      const task: LaneQueue.ExternalTask = {
        taskId: ticket.id,
        lane,
        commandType: command.commandType,
        payload: command.payload,
        deadline: at + timeoutMillis
      }
      session.publish(LaneEvent.ExternalTaskPending({ ...task, at, timeoutMillis }))
      return session.external.await(task).pipe(
        Effect.timeoutFail({
          duration: timeout,
          onTimeout: () => new ExternalTaskTimeout({ taskId: ticket.id, lane, timeout })
        }),
        Effect.flatMap(Either.match({
          onLeft: (error) => Effect.fail(new ExternalTaskFailed({ taskId: ticket.id, lane, error })),
          onRight: Effect.succeed
        })),
        Effect.onExit((exit) =>
          Effect.sync(() =>
            session.publish(LaneEvent.ExternalTaskCompleted({
              taskId: ticket.id,
              lane,
              at: now(),
              success: Exit.isSuccess(exit)
            }))
          )
        )
      )
    })

  const submitExternal = Effect.fn("LaneQueue.submitExternal")(function(
    lane: Lane.Lane,
    command: LaneQueue.ExternalCommand
  ): Effect.Effect<
    unknown,
    ExternalTaskTimeout | ExternalTaskFailed | QueueShutdown | TaskTimeout | TaskCancelled
  > {
    return Effect.suspend((): Effect.Effect<
      unknown,
      ExternalTaskTimeout | ExternalTaskFailed | QueueShutdown | TaskTimeout | TaskCancelled
    > => {
      if (!session.accepting) return refuse
      return Effect.uninterruptibleMask((restore) =>
        Effect.flatMap(ids.next, (id) => {
          const ticket = session.register(id, lane, command.commandType, command.payload, now())
          return Effect.flatMap(
            fork(ticket, hostAnswer(ticket, command)),
            (fiber) => Effect.flatten(restore(outcome(ticket, fiber)))
          )
        })
      )
    })
  })

  const answer = (taskId: string, result: externalTasks.Answer) =>
    Effect.sync(() => {
      const ticket = session.unfinished.get(taskId)
      return ticket !== undefined && session.external.answer(ticket.id, result)
    })

  const cancelTickets = (tickets: ReadonlyArray<Ticket>) =>
    Effect.suspend(() => {
      const fibers: Array<Fiber.RuntimeFiber<unknown, unknown>> = []
      for (const ticket of tickets) {
        ticket.cancelled = true
        if (ticket.fiber !== undefined) fibers.push(ticket.fiber)
      }
      return Effect.as(Fiber.interruptAll(fibers), tickets.length)
    })

  const cancel = Effect.fn("LaneQueue.cancel")(function(taskId: string) {
    return Effect.suspend(() => {
      const ticket = session.unfinished.get(taskId)
      return ticket === undefined ? Effect.succeed(false) : Effect.as(cancelTickets([ticket]), true)
    })
  })

  const laneStats = (gate: LaneGate): LaneQueue.LaneStats => ({
    pending: gate.pending,
    active: gate.active,
    concurrency: gate.concurrency
  })

  const stats = Effect.sync((): LaneQueue.QueueStats => {
    const lanes = {
      control: laneStats(gates.control),
      query: laneStats(gates.query),
      execute: laneStats(gates.execute),
      generate: laneStats(gates.generate)
    }
    let totalPending = 0
    let totalActive = 0
    for (const lane of Lane.all) {
      totalPending += lanes[lane].pending
      totalActive += lanes[lane].active
    }
    return { totalPending, totalActive, lanes }
  })

  const drain = Effect.fn("LaneQueue.drain")(
    function(timeout: Duration.DurationInput): Effect.Effect<void, DrainTimeout> {
      return Effect.timeoutFail(session.whenIdle, {
        duration: timeout,
        onTimeout: () => new DrainTimeout({ pending: Array.from(session.unfinished.values(), (ticket) => ticket.id) })
      })
    }
  )

  const service: LaneQueue.LaneQueueService = {
    sessionId,
    settings,
    submit,
    submitByTool,
    submitBatch,
    enqueue,
    submitExternal,
    completeExternal: (taskId, result) => answer(taskId, externalTasks.success(result)),
    failExternal: (taskId, error) => answer(taskId, externalTasks.failure(error)),
    pendingExternal: Effect.sync(() => session.external.pending()),
    cancel,
    cancelAll: Effect.suspend(() => cancelTickets(Array.from(session.unfinished.values()))).pipe(
      Effect.withSpan("LaneQueue.cancelAll")
    ),
    deadLetters: Effect.sync(() => session.deadLetters.toArray()),
    metrics: Effect.sync(() => session.metrics.snapshot()),
    stats,
    events: Stream.fromPubSub(hub),
    subscribe: Effect.map(PubSub.subscribe(hub), Stream.fromQueue),
    shutdown: Effect.sync(() => {
      session.accepting = false
    }).pipe(Effect.withSpan("LaneQueue.shutdown")),
    isAccepting: Effect.sync(() => session.accepting),
    drain,
    unfinished: Effect.sync(() => Array.from(session.unfinished.values(), (ticket) => ticket.id))
  }
  return service
})
