/**
 * Task IDs: `"<sessionId>-<n>"`, `n` counting from 1 in submission order within a session.
 *
 * The upstream replaced a UUID per task with a session-scoped counter; here the counter is a `Ref`
 * ({@link generator}) owned by the session queue. A batch takes all of its IDs in one update, and the
 * queue puts the tasks in their lane's line inside that same update, so IDs follow line order.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Ref from "effect/Ref"
import * as Schema from "effect/Schema"

/**
 * The `TaskId` schema: a branded string.
 *
 * @since 0.1.0
 * @category schemas
 */
export const TaskId = Schema.String.pipe(Schema.brand("effect-lanes/TaskId"))

/**
 * The ID of one task submitted to a session queue.
 *
 * @since 0.1.0
 * @category models
 */
export type TaskId = typeof TaskId.Type

/**
 * The ID of the `n`-th task of a session.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (sessionId: string, n: number): TaskId => TaskId.make(`${sessionId}-${n}`)

/**
 * The sequence number of an ID: the `n` of `"<sessionId>-<n>"` (`NaN` when there is none).
 *
 * @since 0.1.0
 * @category accessors
 */
export const sequence = (id: TaskId): number => Number(id.slice(id.lastIndexOf("-") + 1))

/**
 * A generator of a session's task IDs, backed by a `Ref` counter.
 *
 * @since 0.1.0
 * @category models
 */
export interface Generator {
  /** The session the IDs belong to. */
  readonly sessionId: string
  /** The next ID. */
  readonly next: Effect.Effect<TaskId>
  /** The next `count` IDs, consecutive and taken in one `Ref` update. */
  readonly nextBatch: (count: number) => Effect.Effect<ReadonlyArray<TaskId>>
  /**
   * Takes the next `count` IDs and hands them to `use` inside the same `Ref` update, so that whatever
   * `use` does with them (the queue puts the tasks in their lane's line) happens in ID order with no
   * other submission in between. When `use` returns `None`, no ID is consumed.
   */
  readonly allocate: <A>(
    count: number,
    use: (ids: ReadonlyArray<TaskId>) => Option.Option<A>
  ) => Effect.Effect<Option.Option<A>>
  /**
   * Like `allocate`, but hands `use` the sequence number of the first of the `count` IDs instead
   * of the IDs themselves (the queue builds an ID from its number only when it is needed).
   */
  readonly reserve: <A>(count: number, use: (first: number) => Option.Option<A>) => Effect.Effect<Option.Option<A>>
  /** How many IDs have been issued. */
  readonly issued: Effect.Effect<number>
}

/**
 * A new ID generator for a session; its first ID ends in `-1`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const generator = (sessionId: string): Effect.Effect<Generator> =>
  Effect.map(Ref.make(0), (counter) => {
    const idsFrom = (n: number, count: number): Array<TaskId> => {
      const size = Math.max(0, Math.floor(count))
      const ids: Array<TaskId> = new Array(size)
      for (let i = 0; i < size; i++) ids[i] = make(sessionId, n + i + 1)
      return ids
    }
    return {
      sessionId,
      next: Ref.modify(counter, (n) => [make(sessionId, n + 1), n + 1]),
      nextBatch: (count) =>
        Ref.modify(counter, (n) => {
          const ids = idsFrom(n, count)
          return [ids, n + ids.length]
        }),
      allocate: (count, use) =>
        Ref.modify(counter, (n) => {
          const ids = idsFrom(n, count)
          const result = use(ids)
          return [result, Option.isSome(result) ? n + ids.length : n]
        }),
      reserve: (count, use) =>
        Ref.modify(counter, (n) => {
          const size = Math.max(0, Math.floor(count))
          const result = use(n + 1)
          return [result, Option.isSome(result) ? n + size : n]
        }),
      issued: Ref.get(counter)
    }
  })
