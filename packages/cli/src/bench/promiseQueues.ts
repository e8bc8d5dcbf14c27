/**
 * The Promise-based contenders of the queue-cost benchmark, p-queue and p-limit (dev dependencies, loaded with
 * a dynamic `import()`). All Promise plumbing stays in this module: each adapter is an `Effect`.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"

/**
 * Runs `tasks` no-op async functions through a Promise queue with a concurrency limit and waits for all.
 *
 * @since 0.1.0
 * @category models
 */
export type Runner = (tasks: number, concurrency: number) => Effect.Effect<void>

/**
 * The adapters that could be loaded; `None` when the package is not installed (e.g. without dev
 * dependencies).
 *
 * @since 0.1.0
 * @category models
 */
export interface PromiseQueues {
  readonly pQueue: Option.Option<Runner>
  readonly pLimit: Option.Option<Runner>
}

const noop = async (): Promise<void> => {}

const loadPQueue = Effect.tryPromise(() => import("p-queue")).pipe(
  Effect.map(({ default: PQueue }): Runner => (tasks, concurrency) =>
    Effect.promise(async () => {
      const queue = new PQueue({ concurrency })
      const pending = new Array<Promise<void>>(tasks)
      for (let i = 0; i < tasks; i++) pending[i] = queue.add(noop)
      await Promise.all(pending)
    })
  ),
  Effect.option
)

const loadPLimit = Effect.tryPromise(() => import("p-limit")).pipe(
  Effect.map(({ default: pLimit }): Runner => (tasks, concurrency) =>
    Effect.promise(async () => {
      const limit = pLimit(concurrency)
      const pending = new Array<Promise<void>>(tasks)
      for (let i = 0; i < tasks; i++) pending[i] = limit(noop)
      await Promise.all(pending)
    })
  ),
  Effect.option
)

/**
 * Loads p-queue and p-limit.
 *
 * @since 0.1.0
 * @category constructors
 */
export const load: Effect.Effect<PromiseQueues> = Effect.map(
  Effect.all([loadPQueue, loadPLimit]),
  ([pQueue, pLimit]) => ({ pQueue, pLimit })
)
