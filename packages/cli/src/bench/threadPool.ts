/**
 * libuv's thread pool size for the CLI process, and the root command's `--uv-threadpool-size N`. File reads run
 * on that pool, 4 threads unless `UV_THREADPOOL_SIZE` says otherwise, and the variable is read when the pool
 * starts: at the first call that uses it, which in an ES module program has already happened (the module loader
 * reads files through it) before the first line of `main.ts` runs. So the option is applied by the `effect-lanes`
 * executable (`bin/effect-lanes.cjs`, CommonJS, read before the pool starts), which sets the variable; here the
 * option is only validated and checked to be in force.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as os from "node:os"
import { ThreadPoolNotApplied } from "../errors.js"
import type * as CliOptions from "../options.js"

/**
 * libuv's default pool size.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultSize = 4

/**
 * The sizes `--uv-threadpool-size` accepts: libuv's own limit. `bin/effect-lanes.cjs` applies the same bounds.
 *
 * @since 0.1.0
 * @category constants
 */
export const range: CliOptions.Range = { min: 1, max: 1024 }

/**
 * The machine's logical core count.
 *
 * @since 0.1.0
 * @category constants
 */
export const cores = (): number => os.availableParallelism()

/**
 * The size in force: `UV_THREADPOOL_SIZE` when set to a valid value, else libuv's default.
 *
 * @since 0.1.0
 * @category accessors
 */
export const current = (): number => {
  const text = process.env.UV_THREADPOOL_SIZE
  if (text === undefined) return defaultSize
  // libuv's reading (uv__threadpool_init): atoi, then 0 -> 1 and at most 1024 (a negative value, read
  // as unsigned, is above 1024)
  const value = Number.parseInt(text, 10)
  if (Number.isNaN(value) || value === 0) return range.min
  return value < 0 ? range.max : Math.min(value, range.max)
}

/**
 * Whether the user set the size.
 *
 * @since 0.1.0
 * @category accessors
 */
export const userSet = (): boolean => (process.env.UV_THREADPOOL_SIZE ?? "") !== ""

/**
 * Succeeds when no size was requested (`--uv-threadpool-size`) or the pool in force has the requested size.
 *
 * @since 0.1.0
 * @category checks
 */
export const check = (requested: Option.Option<number>): Effect.Effect<void, ThreadPoolNotApplied> =>
  Option.match(requested, {
    onNone: () => Effect.void,
    onSome: (size) =>
      size === current() ? Effect.void : Effect.fail(new ThreadPoolNotApplied({ requested: size, current: current() }))
  })
