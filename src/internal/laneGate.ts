import type * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import type * as Fiber from "effect/Fiber"
import type * as Lane from "../Lane.js"
import type * as TaskId from "../TaskId.js"

/**
 * One task from submission to its end. It waits as a node of its lane's line (an intrusive doubly
 * linked list: joining, leaving from the middle and leaving from the front are all O(1)) and owns
 * no fiber until it starts. Subclasses hold the submitter's typed task and know how to start it
 * (`launch`) or end it unstarted (`abandon`).
 */
export abstract class Ticket {
  prev: Ticket | undefined = undefined
  next: Ticket | undefined = undefined
  /** Whether the ticket is in the line (not started, not withdrawn). */
  queued = false
  /** Whether the task started. */
  admitted = false
  /** Whether the task ended (settled). */
  done = false
  /** When the task started running (epoch millis); meaningful once admitted. */
  startedAt = 0
  /** Attempts started so far. */
  attempts = 0
  /** The last attempt's error, described. */
  lastError = ""
  /** Whether `cancel` was asked for: the task's interruption then reads as `TaskCancelled`. */
  cancelled = false
  /** Whether the task ended by interruption alone (its `Cancelled` event). */
  endedCancelled = false
  /** Whether the host, not this process, completes the task (`submitExternal`). */
  hostCompleted = false
  /** The fiber running the task, once started. */
  fiber: Fiber.RuntimeFiber<unknown, unknown> | undefined = undefined

  constructor(
    readonly id: TaskId.TaskId,
    readonly lane: Lane.Lane,
    readonly commandType: string,
    readonly payload: unknown,
    readonly submittedAt: number
  ) {}

  /** Starts the task's fiber; its exit reaches the submitter and the bookkeeping. */
  abstract launch(): Fiber.RuntimeFiber<unknown, unknown>

  /** Ends a task that never started, with the given cause. */
  abstract abandon(cause: Cause.Cause<never>): void
}

/**
 * A lane's line of waiting tickets and its counters. The lane's dispatcher takes tickets from the
 * front only, so the order in which tasks start is the order in which they joined.
 */
export class LaneGate {
  private head: Ticket | undefined = undefined
  private tail: Ticket | undefined = undefined
  private headWaiter: ((ready: Effect.Effect<void>) => void) | undefined = undefined
  /** Tickets in the line: tasks waiting to start. */
  pending = 0
  /** Tasks running. */
  active = 0
  /** Whether the lane announced pressure and has not been idle since. */
  pressured = false

  constructor(
    readonly lane: Lane.Lane,
    readonly semaphore: Effect.Semaphore,
    public concurrency: number
  ) {}

  /** Puts a ticket at the back of the line. Synchronous, so the line follows call order. */
  join(ticket: Ticket): void {
    ticket.queued = true
    ticket.prev = this.tail
    if (this.tail === undefined) this.head = ticket
    else this.tail.next = ticket
    this.tail = ticket
    this.pending++
    const waiter = this.headWaiter
    if (waiter !== undefined) {
      this.headWaiter = undefined
      waiter(Effect.void)
    }
  }

  /** Waits until the line is not empty. */
  readonly nonEmpty: Effect.Effect<void> = Effect.async<void>((resume) => {
    if (this.head !== undefined) return resume(Effect.void)
    this.headWaiter = resume
    return Effect.sync(() => {
      this.headWaiter = undefined
    })
  })

  /** The front ticket, if any. */
  peek(): Ticket | undefined {
    return this.head
  }

  /** Takes the front ticket out of the line to start it. */
  admit(ticket: Ticket): void {
    ticket.admitted = true
    this.active++
    this.leave(ticket)
  }

  /** Removes a ticket that will never start. */
  withdraw(ticket: Ticket): void {
    if (ticket.queued) this.leave(ticket)
  }

  private leave(ticket: Ticket): void {
    if (ticket.prev === undefined) this.head = ticket.next
    else ticket.prev.next = ticket.next
    if (ticket.next === undefined) this.tail = ticket.prev
    else ticket.next.prev = ticket.prev
    ticket.prev = ticket.next = undefined
    ticket.queued = false
    this.pending--
  }
}
