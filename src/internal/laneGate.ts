import * as Effect from "effect/Effect"
import type * as Fiber from "effect/Fiber"
import type * as Lane from "../Lane.js"
import type * as TaskId from "../TaskId.js"

/**
 * One task's place in a lane's line, and its bookkeeping until it ends. The line is an intrusive
 * doubly linked list, so joining, leaving from the middle (a cancelled waiter) and leaving from the
 * front are all O(1).
 */
export class Ticket {
  prev: Ticket | undefined = undefined
  next: Ticket | undefined = undefined
  /** Set while the task's fiber waits to reach the front of the line. */
  wake: ((turn: Effect.Effect<void>) => void) | undefined = undefined
  /** Whether the ticket is still in the line (not admitted, not withdrawn). */
  queued = false
  /** Whether the task got its permit and started. */
  admitted = false
  /** When the task started running (epoch millis); meaningful once admitted. */
  startedAt = 0
  /** Attempts started so far. */
  attempts = 0
  /** The last attempt's error, described. */
  lastError = ""
  /** Whether `cancel` was asked for this task: its interruption then reads as `TaskCancelled`. */
  cancelled = false
  /** The fiber running the task, once forked. */
  fiber: Fiber.RuntimeFiber<unknown, unknown> | undefined = undefined

  constructor(
    readonly id: TaskId.TaskId,
    readonly lane: Lane.Lane,
    readonly commandType: string,
    readonly payload: unknown,
    readonly submittedAt: number
  ) {}
}

const turn: Effect.Effect<void> = Effect.void

/**
 * Strictly FIFO admission to a lane's `Semaphore`.
 *
 * Effect's `Semaphore` wakes its waiters in no guaranteed order relative to a newcomer: a fiber that
 * calls `take` the instant a permit is released can barge past fibers that have waited longer. The
 * gate fixes the order: tickets join a line synchronously when the task is submitted, and only the
 * ticket at the front of the line ever waits on the semaphore. When it is admitted it leaves the
 * line and hands the front to the next ticket, so at most one fiber waits on the semaphore at a
 * time and nobody can overtake.
 */
export class LaneGate {
  private head: Ticket | undefined = undefined
  private tail: Ticket | undefined = undefined
  /** Tickets in the line: tasks waiting to start. */
  pending = 0
  /** Tasks running. */
  active = 0
  /** Whether the lane announced pressure and has not been idle since. */
  pressured = false

  constructor(
    readonly lane: Lane.Lane,
    readonly semaphore: Effect.Semaphore,
    readonly concurrency: number
  ) {}

  /** Puts a new ticket at the back of the line. Synchronous, so the line follows call order. */
  join(ticket: Ticket): void {
    ticket.queued = true
    ticket.prev = this.tail
    if (this.tail === undefined) this.head = ticket
    else this.tail.next = ticket
    this.tail = ticket
    this.pending++
  }

  /** Waits until the ticket is at the front of the line. Interruptible; see {@link withdraw}. */
  awaitTurn(ticket: Ticket): Effect.Effect<void> {
    if (this.head === ticket) return turn
    return Effect.async<void>((resume) => {
      if (this.head === ticket) return resume(turn)
      ticket.wake = resume
      return Effect.sync(() => {
        ticket.wake = undefined
      })
    })
  }

  /** The front ticket starts running: it leaves the line and the next ticket is woken. */
  admit(ticket: Ticket): void {
    ticket.admitted = true
    this.active++
    this.leave(ticket)
  }

  /** Removes a ticket that will never be admitted (its task was interrupted while waiting). */
  withdraw(ticket: Ticket): void {
    if (ticket.queued) this.leave(ticket)
  }

  private leave(ticket: Ticket): void {
    const wasHead = this.head === ticket
    if (ticket.prev === undefined) this.head = ticket.next
    else ticket.prev.next = ticket.next
    if (ticket.next === undefined) this.tail = ticket.prev
    else ticket.next.prev = ticket.prev
    ticket.prev = ticket.next = undefined
    ticket.queued = false
    ticket.wake = undefined
    this.pending--
    if (wasHead && this.head !== undefined) {
      const wake = this.head.wake
      this.head.wake = undefined
      wake?.(turn)
    }
  }
}
