import * as Cause from "effect/Cause"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as Lane from "../Lane.js"
import { TaskTimeout } from "../LaneError.js"
import * as LaneEvent from "../LaneEvent.js"
import type * as LanesConfig from "../LanesConfig.js"
import * as RetryPolicy from "../RetryPolicy.js"
import { DeadLetters } from "./deadLetters.js"
import { describeCause } from "./describeCause.js"
import { ExternalTasks } from "./externalTasks.js"
import { QueueMetrics } from "./laneMetrics.js"
import type { Task } from "./task.js"

/** What the ledger needs to know of a lane's line. */
interface Line {
  readonly pending: number
  pressured: boolean
}

/** The fields every event of a task has: its ID, lane and time, and the tool call it runs if any. */
export const common = (ticket: Task, at: number): LaneEvent.Common => {
  const tag = ticket.tag
  return tag === undefined
    ? { taskId: ticket.id, lane: ticket.lane, at }
    : { taskId: ticket.id, lane: ticket.lane, at, tool: tag.name, callId: tag.id }
}

const timeoutOf = (ticket: Task, cause: Cause.Cause<unknown>): Option.Option<TaskTimeout> =>
  Option.flatMap(
    Cause.failureOption(cause),
    (error) => error instanceof TaskTimeout && error.taskId === ticket.id ? Option.some(error) : Option.none()
  )

/**
 * One subscriber's buffer: at most `capacity` events; when it is full the oldest event is dropped
 * (sliding) and counted, and the subscriber's next pull starts with a `Dropped` event.
 */
class Subscriber {
  private buffer: Array<LaneEvent.LaneEvent> = []
  private dropped = 0
  private firstDropped: LaneEvent.LaneEvent | undefined = undefined
  private waiter: (() => void) | undefined = undefined
  private closed = false

  constructor(readonly capacity: number) {}

  /** Ends the subscription once what it buffered has been taken. */
  close(): void {
    this.closed = true
    this.wake()
  }

  private wake(): void {
    const waiter = this.waiter
    if (waiter !== undefined) {
      this.waiter = undefined
      waiter()
    }
  }

  offer(event: LaneEvent.LaneEvent): void {
    if (this.buffer.length >= this.capacity) {
      const oldest = this.buffer.shift()
      if (this.dropped === 0) this.firstDropped = oldest
      this.dropped++
    }
    this.buffer.push(event)
    this.wake()
  }

  /**
   * Takes what the buffer holds (waiting for at least one event), after a `Dropped` notice if due;
   * fails with `None` once closed and empty.
   */
  readonly take: Effect.Effect<Array<LaneEvent.LaneEvent>, Option.Option<never>> = Effect.suspend(() => {
    if (this.buffer.length === 0) {
      if (this.closed) return Effect.fail(Option.none())
      return Effect.zipRight(
        Effect.async<void>((resume) => {
          this.waiter = () => resume(Effect.void)
          return Effect.sync(() => {
            this.waiter = undefined
          })
        }),
        this.take
      )
    }
    const events = this.buffer
    this.buffer = []
    const first = this.firstDropped
    if (this.dropped === 0 || first === undefined) return Effect.succeed(events)
    const notice = LaneEvent.Dropped({ taskId: first.taskId, lane: first.lane, at: first.at, count: this.dropped })
    this.dropped = 0
    this.firstDropped = undefined
    return Effect.succeed([notice, ...events])
  })
}

/**
 * The bookkeeping of one session queue: the count of unfinished tasks, events, metrics, dead
 * letters and external tasks. Every method is synchronous and runs inside an Effect (`Effect.sync`
 * or a worker's uninterruptible step), so the state is only touched by one fiber step at a time.
 */
export class Ledger {
  accepting = true
  /** Tasks pending or running. */
  unfinished = 0
  readonly metrics: QueueMetrics
  readonly deadLetters: DeadLetters
  readonly external = new ExternalTasks()
  private readonly idleWaiters = new Set<(done: Effect.Effect<void>) => void>()
  private readonly subscribers = new Set<Subscriber>()

  constructor(
    readonly sessionId: string,
    readonly settings: LanesConfig.Settings,
    private readonly lineOf: (lane: Lane.Lane) => Line,
    readonly now: () => number,
    private readonly eventBuffer: number
  ) {
    this.metrics = new QueueMetrics()
    this.deadLetters = new DeadLetters(settings.deadLetterCapacity)
  }

  /** Ends every subscription (the queue closed) once it has taken what it buffered. */
  close(): void {
    for (const subscriber of this.subscribers) subscriber.close()
    this.subscribers.clear()
  }

  /** Publishes the event `make` builds to every subscriber, if any. Never waits. */
  publish(make: () => LaneEvent.LaneEvent): void {
    if (this.subscribers.size === 0) return
    const event = make()
    for (const subscriber of this.subscribers) subscriber.offer(event)
  }

  /** A subscription to the events while its scope is open, as a stream of what it buffered. */
  get subscribe(): Effect.Effect<Stream.Stream<LaneEvent.LaneEvent>, never, Scope.Scope> {
    return Effect.map(
      Effect.acquireRelease(
        Effect.sync(() => {
          const subscriber = new Subscriber(this.eventBuffer)
          this.subscribers.add(subscriber)
          return subscriber
        }),
        (subscriber) =>
          Effect.sync(() => {
            this.subscribers.delete(subscriber)
          })
      ),
      (subscriber) => Stream.flattenIterables(Stream.repeatEffectOption(subscriber.take))
    )
  }

  /** Accepts `count` tasks of a lane that joined its line (metrics; the pressure check). */
  accepted(lane: Lane.Lane, count: number, last: Task): void {
    this.unfinished += count
    this.metrics.lanes[lane].countBy("submitted", count)
    const line = this.lineOf(lane)
    const threshold = this.settings.lanes[lane].pressureThreshold
    if (!line.pressured && Option.isSome(threshold) && line.pending >= threshold.value) {
      line.pressured = true
      this.publish(() =>
        LaneEvent.LanePressure({ ...common(last, last.submittedAt), pending: line.pending, threshold: threshold.value })
      )
    }
  }

  /** A task accepted: its `Submitted` event, then its turn's plan when it is the turn's first task. */
  submitted(ticket: Task): void {
    this.publish(() => LaneEvent.Submitted(common(ticket, ticket.submittedAt)))
    const turn = ticket.turn
    if (turn !== undefined) {
      this.publish(() => LaneEvent.TurnPlanned({ ...common(ticket, ticket.submittedAt), turn: turn() }))
    }
  }

  /** A running task's progress, as it reported it. */
  progress(ticket: Task, update: LaneEvent.ProgressUpdate): void {
    this.publish(() => LaneEvent.Progress({ ...update, ...common(ticket, this.now()) }))
  }

  /** The task starts running (it left its line). */
  started(ticket: Task): void {
    const gate = this.lineOf(ticket.lane)
    const at = this.now()
    ticket.startedAt = at
    const waitedMillis = at - ticket.submittedAt
    const recorder = this.metrics.lanes[ticket.lane]
    recorder.count("started")
    recorder.waited(waitedMillis)
    this.publish(() => LaneEvent.Started({ ...common(ticket, at), waitedMillis }))
    if (this.notifiesHost(ticket)) {
      this.publish(() =>
        LaneEvent.ExternalTaskPending({
          ...common(ticket, at),
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
  retrying(ticket: Task, delay: Duration.Duration): void {
    this.metrics.lanes[ticket.lane].count("retried")
    this.publish(() =>
      LaneEvent.Retrying({
        ...common(ticket, this.now()),
        attempt: ticket.attempts + 1,
        delayMillis: Duration.toMillis(delay),
        error: ticket.lastError
      })
    )
  }

  /**
   * The task ended, however it ended (`started`: whether it ran): classify, record and announce.
   * Called once per task, before its submitter gets the exit.
   */
  settle(ticket: Task, started: boolean, exit: Exit.Exit<unknown, unknown>): void {
    const gate = this.lineOf(ticket.lane)
    const at = this.now()
    if (!started) this.checkIdle(gate, ticket, at)
    const recorder = this.metrics.lanes[ticket.lane]
    const durationMillis = started ? at - ticket.startedAt : 0
    if (started) recorder.ran(durationMillis)
    // The task's own last event comes last: dead letter and host notice first.
    if (started && this.notifiesHost(ticket)) {
      this.publish(() => LaneEvent.ExternalTaskCompleted({ ...common(ticket, at), success: Exit.isSuccess(exit) }))
    }
    if (exit._tag === "Success") {
      recorder.count("completed")
      this.publish(() => LaneEvent.Completed({ ...common(ticket, at), durationMillis }))
    } else if (Cause.isInterruptedOnly(exit.cause)) {
      recorder.count("cancelled")
      this.publish(() => LaneEvent.Cancelled(common(ticket, at)))
    } else {
      const timeout = timeoutOf(ticket, exit.cause)
      const error = describeCause(exit.cause)
      if (RetryPolicy.retries(this.settings.lanes[ticket.lane].retry) > 0) this.deadLetter(ticket, error, at)
      if (Option.isSome(timeout)) {
        recorder.count("timedOut")
        this.publish(() =>
          LaneEvent.TimedOut({ ...common(ticket, at), timeoutMillis: Duration.toMillis(timeout.value.timeout) })
        )
      } else {
        recorder.count("failed")
        this.publish(() => LaneEvent.Failed({ ...common(ticket, at), durationMillis, error }))
      }
    }
  }

  /** A task is done (its submitter has its exit): wakes the drains once none is left. */
  finished(): void {
    this.unfinished--
    if (this.unfinished === 0) this.wakeDrains()
  }

  /** Completes once no task is pending or running. */
  readonly whenIdle: Effect.Effect<void> = Effect.async<void>((resume) => {
    if (this.unfinished === 0) return resume(Effect.void)
    this.idleWaiters.add(resume)
    return Effect.sync(() => {
      this.idleWaiters.delete(resume)
    })
  })

  /** Hybrid lanes tell the host about the tasks they run themselves. */
  private notifiesHost(ticket: Task): boolean {
    return !ticket.external && this.settings.lanes[ticket.lane].mode === "hybrid"
  }

  private deadLetter(ticket: Task, error: string, at: number): void {
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
    this.publish(() => LaneEvent.DeadLettered({ ...common(ticket, at), attempts, error }))
  }

  private checkIdle(gate: Line, ticket: Task, at: number): void {
    if (gate.pressured && gate.pending === 0) {
      gate.pressured = false
      this.publish(() => LaneEvent.LaneIdle(common(ticket, at)))
    }
  }

  private wakeDrains(): void {
    if (this.idleWaiters.size === 0) return
    const waiters = Array.from(this.idleWaiters)
    this.idleWaiters.clear()
    for (const wake of waiters) wake(Effect.void)
  }
}
