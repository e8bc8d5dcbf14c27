import * as Cause from "effect/Cause"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import * as PubSub from "effect/PubSub"
import type * as Queue from "effect/Queue"
import type * as Scope from "effect/Scope"
import * as Lane from "../Lane.js"
import { TaskCancelled, TaskTimeout } from "../LaneError.js"
import * as LaneEvent from "../LaneEvent.js"
import type * as LanesConfig from "../LanesConfig.js"
import * as RetryPolicy from "../RetryPolicy.js"
import { DeadLetters } from "./deadLetters.js"
import { describeCause } from "./describeCause.js"
import { ExternalTasks } from "./externalTasks.js"
import type { LaneGate, Ticket } from "./laneGate.js"
import { QueueMetrics } from "./laneMetrics.js"

type Gates = { readonly [L in Lane.Lane]: LaneGate }

const timeoutOf = (ticket: Ticket, cause: Cause.Cause<unknown>): Option.Option<TaskTimeout> =>
  Option.flatMap(
    Cause.failureOption(cause),
    (error) => error instanceof TaskTimeout && error.taskId === ticket.id ? Option.some(error) : Option.none()
  )

/**
 * The bookkeeping of one session queue: its lanes' lines, the tasks not yet finished, events,
 * metrics, dead letters and external tasks. Every method is synchronous and runs inside an Effect
 * (`Effect.sync` or a finalizer), so the state is only touched by one fiber step at a time.
 */
export class Session {
  accepting = true
  /** Every task pending or running, in submission order. */
  readonly unfinished = new Map<string, Ticket>()
  readonly metrics: QueueMetrics
  readonly deadLetters: DeadLetters
  readonly external = new ExternalTasks()
  private readonly idleWaiters = new Set<(done: Effect.Effect<void>) => void>()

  constructor(
    readonly sessionId: string,
    readonly settings: LanesConfig.Settings,
    readonly gates: Gates,
    readonly now: () => number,
    private readonly hub: PubSub.PubSub<LaneEvent.LaneEvent>
  ) {
    this.metrics = new QueueMetrics()
    this.deadLetters = new DeadLetters(settings.deadLetterCapacity)
  }

  /** Subscriptions open now; events are only built when someone listens. */
  subscribers = 0

  /** Publishes the event `make` builds, if anyone subscribes. Never waits. */
  publish(make: () => LaneEvent.LaneEvent): void {
    if (this.subscribers > 0) this.hub.unsafeOffer(make())
  }

  /** A subscription to the events, counted while its scope is open. */
  get subscribe(): Effect.Effect<Queue.Dequeue<LaneEvent.LaneEvent>, never, Scope.Scope> {
    return Effect.zipRight(
      Effect.acquireRelease(
        Effect.sync(() => this.subscribers++),
        () => Effect.sync(() => this.subscribers--)
      ),
      PubSub.subscribe(this.hub)
    )
  }

  /** Accepts a task: its ticket joins the lane's line. */
  register(ticket: Ticket): void {
    const { id, lane, submittedAt: at } = ticket
    const gate = this.gates[lane]
    gate.join(ticket)
    this.unfinished.set(id, ticket)
    this.metrics.lanes[lane].count("submitted")
    this.publish(() => LaneEvent.Submitted({ taskId: id, lane, at }))
    const threshold = this.settings.lanes[lane].pressureThreshold
    if (!gate.pressured && Option.isSome(threshold) && gate.pending >= threshold.value) {
      gate.pressured = true
      this.publish(() =>
        LaneEvent.LanePressure({ taskId: id, lane, at, pending: gate.pending, threshold: threshold.value })
      )
    }
  }

  /** The task starts running. */
  admit(ticket: Ticket): void {
    const gate = this.gates[ticket.lane]
    gate.admit(ticket)
    const at = this.now()
    ticket.startedAt = at
    const waitedMillis = at - ticket.submittedAt
    const recorder = this.metrics.lanes[ticket.lane]
    recorder.count("started")
    recorder.waited(waitedMillis)
    this.publish(() => LaneEvent.Started({ taskId: ticket.id, lane: ticket.lane, at, waitedMillis }))
    if (this.notifiesHost(ticket)) {
      this.publish(() =>
        LaneEvent.ExternalTaskPending({
          taskId: ticket.id,
          lane: ticket.lane,
          at,
          commandType: ticket.commandType,
          payload: ticket.payload,
          timeoutMillis: Option.match(this.settings.lanes[ticket.lane].timeout, {
            onNone: () => 0,
            onSome: Duration.toMillis
          })
        })
      )
    }
    this.checkIdle(gate, ticket, at)
  }

  /** A retry of the task starts after `delay`. */
  retrying(ticket: Ticket, delay: Duration.Duration): void {
    this.metrics.lanes[ticket.lane].count("retried")
    this.publish(() =>
      LaneEvent.Retrying({
        taskId: ticket.id,
        lane: ticket.lane,
        at: this.now(),
        attempt: ticket.attempts + 1,
        delayMillis: Duration.toMillis(delay),
        error: ticket.lastError
      })
    )
  }

  /** The task ended, however it ended: classify, record, announce, and wake drains. Once per task. */
  settle(ticket: Ticket, exit: Exit.Exit<unknown, unknown>): void {
    if (ticket.done) return
    ticket.done = true
    const gate = this.gates[ticket.lane]
    const at = this.now()
    if (!ticket.admitted) {
      gate.withdraw(ticket)
      this.checkIdle(gate, ticket, at)
    }
    this.unfinished.delete(ticket.id)
    const recorder = this.metrics.lanes[ticket.lane]
    const common = { taskId: ticket.id, lane: ticket.lane, at }
    const durationMillis = ticket.admitted ? at - ticket.startedAt : 0
    if (ticket.admitted) recorder.ran(durationMillis)
    // The task's own last event comes last: dead letter and host notice first.
    if (ticket.admitted && this.notifiesHost(ticket)) {
      this.publish(() => LaneEvent.ExternalTaskCompleted({ ...common, success: Exit.isSuccess(exit) }))
    }
    if (Exit.isSuccess(exit)) {
      recorder.count("completed")
      this.publish(() => LaneEvent.Completed({ ...common, durationMillis }))
    } else if (Cause.isInterruptedOnly(exit.cause)) {
      ticket.endedCancelled = true
      recorder.count("cancelled")
      this.publish(() => LaneEvent.Cancelled(common))
    } else {
      const timeout = timeoutOf(ticket, exit.cause)
      const error = describeCause(exit.cause)
      if (RetryPolicy.retries(this.settings.lanes[ticket.lane].retry) > 0) this.deadLetter(ticket, error, at)
      if (Option.isSome(timeout)) {
        recorder.count("timedOut")
        this.publish(() => LaneEvent.TimedOut({ ...common, timeoutMillis: Duration.toMillis(timeout.value.timeout) }))
      } else {
        recorder.count("failed")
        this.publish(() => LaneEvent.Failed({ ...common, durationMillis, error }))
      }
    }
    if (this.unfinished.size === 0) this.wakeDrains()
  }

  /**
   * What the submitter sees: an end by interruption alone (what `settle` counts as `Cancelled`)
   * asked for by `cancel` reads as `TaskCancelled`.
   */
  outcome<A, E>(ticket: Ticket, exit: Exit.Exit<A, E>): Exit.Exit<A, E | TaskCancelled> {
    return ticket.cancelled && Exit.isFailure(exit) && Cause.isInterruptedOnly(exit.cause)
      ? Exit.fail(new TaskCancelled({ taskId: ticket.id, lane: ticket.lane }))
      : exit
  }

  /** Completes once no task is pending or running. */
  readonly whenIdle: Effect.Effect<void> = Effect.async<void>((resume) => {
    if (this.unfinished.size === 0) return resume(Effect.void)
    this.idleWaiters.add(resume)
    return Effect.sync(() => {
      this.idleWaiters.delete(resume)
    })
  })

  /** Hybrid lanes tell the host about the tasks they run themselves. */
  private notifiesHost(ticket: Ticket): boolean {
    return !ticket.hostCompleted && this.settings.lanes[ticket.lane].mode === "hybrid"
  }

  private deadLetter(ticket: Ticket, error: string, at: number): void {
    const attempts = Math.max(1, ticket.attempts)
    this.deadLetters.add({
      taskId: ticket.id,
      lane: ticket.lane,
      commandType: ticket.commandType,
      error,
      attempts,
      at
    })
    this.metrics.lanes[ticket.lane].count("deadLettered")
    this.publish(() => LaneEvent.DeadLettered({ taskId: ticket.id, lane: ticket.lane, at, attempts, error }))
  }

  private checkIdle(gate: LaneGate, ticket: Ticket, at: number): void {
    if (gate.pressured && gate.pending === 0) {
      gate.pressured = false
      this.publish(() => LaneEvent.LaneIdle({ taskId: ticket.id, lane: ticket.lane, at }))
    }
  }

  private wakeDrains(): void {
    if (this.idleWaiters.size === 0) return
    const waiters = Array.from(this.idleWaiters)
    this.idleWaiters.clear()
    for (const wake of waiters) wake(Effect.void)
  }
}
