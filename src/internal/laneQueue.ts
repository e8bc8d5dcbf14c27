import * as Arr from "effect/Array"
import * as Cause from "effect/Cause"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as PubSub from "effect/PubSub"
import * as Stream from "effect/Stream"
import * as Lane from "../Lane.js"
import { DrainTimeout, QueueShutdown, TaskTimeout } from "../LaneError.js"
import * as LaneEvent from "../LaneEvent.js"
import type * as LaneQueue from "../LaneQueue.js"
import * as LanesConfig from "../LanesConfig.js"
import * as TaskId from "../TaskId.js"
import { describeCause } from "./describeCause.js"
import { LaneGate, Ticket } from "./laneGate.js"

type Gates = { readonly [L in Lane.Lane]: LaneGate }

const makeGates = (settings: LanesConfig.Settings): Effect.Effect<Gates> =>
  Effect.all({
    control: makeGate("control", settings),
    query: makeGate("query", settings),
    execute: makeGate("execute", settings),
    generate: makeGate("generate", settings)
  })

const makeGate = (lane: Lane.Lane, settings: LanesConfig.Settings): Effect.Effect<LaneGate> => {
  const concurrency = settings.lanes[lane].concurrency
  return Effect.map(Effect.makeSemaphore(concurrency), (semaphore) => new LaneGate(lane, semaphore, concurrency))
}

/** @internal */
export const make = Effect.fnUntraced(function*(sessionId: string) {
  const settings = yield* LanesConfig.LanesConfig
  const scope = yield* Effect.scope
  const clock = yield* Effect.clock
  const ids = yield* TaskId.generator(sessionId)
  const gates = yield* makeGates(settings)
  const hub = yield* Effect.acquireRelease(PubSub.unbounded<LaneEvent.LaneEvent>(), PubSub.shutdown)

  let accepting = true
  /** Every task pending or running, in submission order. */
  const unfinished = new Map<TaskId.TaskId, Ticket>()
  /** Drains waiting for `unfinished` to empty. */
  const idleWaiters = new Set<(done: Effect.Effect<void>) => void>()

  yield* Effect.addFinalizer(() =>
    Effect.sync(() => {
      accepting = false
    })
  )

  const now = () => clock.unsafeCurrentTimeMillis()
  const publish = (event: LaneEvent.LaneEvent): void => {
    hub.unsafeOffer(event)
  }
  const shutdownError = new QueueShutdown({ sessionId })
  const refuse = Effect.fail(shutdownError)

  const register = (id: TaskId.TaskId, gate: LaneGate, at: number): Ticket => {
    const ticket = new Ticket(id, gate.lane, at)
    gate.join(ticket)
    unfinished.set(id, ticket)
    publish(LaneEvent.Submitted({ taskId: id, lane: gate.lane, at }))
    return ticket
  }

  const onAdmit = (ticket: Ticket) => () => {
    const at = now()
    ticket.startedAt = at
    publish(LaneEvent.Started({ taskId: ticket.id, lane: ticket.lane, at, waitedMillis: at - ticket.submittedAt }))
  }

  const settle = (gate: LaneGate, ticket: Ticket, exit: Exit.Exit<unknown, unknown>): void => {
    if (!ticket.admitted) gate.withdraw(ticket)
    unfinished.delete(ticket.id)
    const at = now()
    const common = { taskId: ticket.id, lane: ticket.lane, at }
    const durationMillis = ticket.admitted ? at - ticket.startedAt : 0
    if (Exit.isSuccess(exit)) {
      publish(LaneEvent.Completed({ ...common, durationMillis }))
    } else if (Cause.isInterruptedOnly(exit.cause)) {
      publish(LaneEvent.Cancelled(common))
    } else {
      const timeout = Cause.failureOption(exit.cause).pipe(
        Option.filter((error) => error instanceof TaskTimeout && error.taskId === ticket.id)
      )
      publish(
        Option.isSome(timeout) && timeout.value instanceof TaskTimeout
          ? LaneEvent.TimedOut({ ...common, timeoutMillis: Duration.toMillis(timeout.value.timeout) })
          : LaneEvent.Failed({ ...common, durationMillis, error: describeCause(exit.cause) })
      )
    }
    if (unfinished.size === 0 && idleWaiters.size > 0) {
      const waiters = Array.from(idleWaiters)
      idleWaiters.clear()
      for (const wake of waiters) wake(Effect.void)
    }
  }

  /** What runs in the task's fiber: wait for the turn, take a permit, run with the timeout. */
  const job = <A, E, R>(
    gate: LaneGate,
    ticket: Ticket,
    task: Effect.Effect<A, E, R>,
    timeout: Option.Option<Duration.Duration>
  ): Effect.Effect<A, E | TaskTimeout, R> => {
    const limited: Effect.Effect<A, E | TaskTimeout, R> = Option.isNone(timeout) ? task : Effect.timeoutFail(task, {
      duration: timeout.value,
      onTimeout: () => new TaskTimeout({ taskId: ticket.id, lane: ticket.lane, timeout: timeout.value })
    })
    return gate.awaitTurn(ticket).pipe(
      Effect.zipRight(gate.withPermit(ticket, onAdmit(ticket), limited)),
      Effect.onExit((exit) => Effect.sync(() => settle(gate, ticket, exit)))
    )
  }

  const fork = <A, E, R>(
    gate: LaneGate,
    ticket: Ticket,
    task: Effect.Effect<A, E, R>,
    timeout: Option.Option<Duration.Duration>
  ) => Effect.forkIn(Effect.interruptible(job(gate, ticket, task, timeout)), scope)

  // Tasks are forked from inside `uninterruptibleMask` (so that a registered ticket always gets
  // its fiber), and a fiber inherits its parent's interruptibility: hence `interruptible` above.

  /** Awaits a task's fiber; interrupting the awaiting fiber interrupts the task. */
  const joinOwned = <A, E>(fiber: Fiber.RuntimeFiber<A, E>): Effect.Effect<A, E> =>
    Effect.onInterrupt(Fiber.join(fiber), () => Fiber.interrupt(fiber))

  const submit = Effect.fn("LaneQueue.submit")(
    function<A, E, R>(
      lane: Lane.Lane,
      task: Effect.Effect<A, E, R>
    ): Effect.Effect<A, E | QueueShutdown | TaskTimeout, R> {
      return Effect.uninterruptibleMask((restore): Effect.Effect<A, E | QueueShutdown | TaskTimeout, R> => {
        if (!accepting) return refuse
        const gate = gates[lane]
        return Effect.flatMap(ids.next, (id) => {
          const ticket = register(id, gate, now())
          return Effect.flatMap(
            fork(gate, ticket, task, settings.lanes[lane].timeout),
            (fiber) => restore(joinOwned(fiber))
          )
        })
      })
    }
  )

  const submitBatch = Effect.fn("LaneQueue.submitBatch")(
    function<A, E, R>(
      lane: Lane.Lane,
      tasks: Iterable<Effect.Effect<A, E, R>>
    ): Effect.Effect<Array<Exit.Exit<A, E | TaskTimeout>>, QueueShutdown, R> {
      return Effect.uninterruptibleMask((restore) => {
        if (!accepting) return refuse
        const all = Array.from(tasks)
        const gate = gates[lane]
        const timeout = settings.lanes[lane].timeout
        return Effect.flatMap(ids.nextBatch(all.length), (batchIds) => {
          const at = now()
          const entries = Arr.zipWith(batchIds, all, (id, task) => [register(id, gate, at), task] as const)
          return Effect.flatMap(
            Effect.forEach(entries, ([ticket, task]) => fork(gate, ticket, task, timeout)),
            (fibers) =>
              restore(Effect.forEach(fibers, Fiber.await)).pipe(
                Effect.onInterrupt(() => Fiber.interruptAll(fibers))
              )
          )
        })
      })
    }
  )

  const enqueue = Effect.fn("LaneQueue.enqueue")(
    function<A, E, R>(
      lane: Lane.Lane,
      task: Effect.Effect<A, E, R>
    ): Effect.Effect<LaneQueue.TaskHandle<A, E | TaskTimeout>, QueueShutdown, R> {
      return Effect.suspend(() => {
        if (!accepting) return refuse
        const gate = gates[lane]
        return Effect.flatMap(ids.next, (id) => {
          const ticket = register(id, gate, now())
          return Effect.map(
            Effect.uninterruptible(fork(gate, ticket, task, settings.lanes[lane].timeout)),
            (fiber): LaneQueue.TaskHandle<A, E | TaskTimeout> => ({
              id,
              await: Fiber.join(fiber),
              cancel: Fiber.interrupt(fiber).pipe(Effect.asVoid)
            })
          )
        })
      })
    }
  )

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

  const whenIdle: Effect.Effect<void> = Effect.async<void>((resume) => {
    if (unfinished.size === 0) return resume(Effect.void)
    idleWaiters.add(resume)
    return Effect.sync(() => {
      idleWaiters.delete(resume)
    })
  })

  const drain = Effect.fn("LaneQueue.drain")(
    function(timeout: Duration.DurationInput): Effect.Effect<void, DrainTimeout> {
      return Effect.timeoutFail(whenIdle, {
        duration: timeout,
        onTimeout: () => new DrainTimeout({ pending: Array.from(unfinished.keys()) })
      })
    }
  )

  const service: LaneQueue.LaneQueueService = {
    sessionId,
    settings,
    submit,
    submitByTool: (toolName, task) => submit(Lane.fromTool(toolName), task),
    submitBatch,
    enqueue,
    stats,
    events: Stream.fromPubSub(hub),
    subscribe: Effect.map(PubSub.subscribe(hub), Stream.fromQueue),
    shutdown: Effect.sync(() => {
      accepting = false
    }).pipe(Effect.withSpan("LaneQueue.shutdown")),
    isAccepting: Effect.sync(() => accepting),
    drain,
    unfinished: Effect.sync(() => Array.from(unfinished.keys()))
  }
  return service
})
