import * as Effect from "effect/Effect"
import type * as Exit from "effect/Exit"

/** A task's outcome, delivered once to any number of waiters (a handle may be awaited many times). */
export class Outcome<A, E> {
  private exit: Exit.Exit<A, E> | undefined = undefined
  private readonly listeners = new Set<(exit: Exit.Exit<A, E>) => void>()

  complete(exit: Exit.Exit<A, E>): void {
    if (this.exit !== undefined) return
    this.exit = exit
    for (const listener of this.listeners) listener(exit)
    this.listeners.clear()
  }

  /** Waits for the outcome; an interrupted waiter stops listening (the task goes on). */
  readonly wait: Effect.Effect<A, E> = Effect.async<A, E>((resume) => {
    if (this.exit !== undefined) return resume(this.exit)
    this.listeners.add(resume)
    return Effect.sync(() => {
      this.listeners.delete(resume)
    })
  })
}
