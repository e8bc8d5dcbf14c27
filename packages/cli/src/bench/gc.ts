/**
 * Access to V8's garbage collector for the memory figures. Uses `globalThis.gc` when node runs with
 * `--expose-gc`; otherwise enables the flag at run time (`v8.setFlagsFromString`) and takes `gc` from a fresh
 * VM context, which works on Node 20 and later. When neither works, the figures are taken without a forced
 * collection and say so.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as v8 from "node:v8"
import * as vm from "node:vm"

const find = (): Option.Option<() => void> => {
  const exposed = globalThis.gc
  if (exposed !== undefined) return Option.some(() => void exposed())
  try {
    v8.setFlagsFromString("--expose-gc")
    const fn: unknown = vm.runInNewContext("gc")
    return typeof fn === "function" ? Option.some(() => void fn()) : Option.none()
  } catch {
    return Option.none()
  }
}

let cached: Option.Option<() => void> | undefined

/**
 * The garbage collector, if it can be reached (found once, then cached).
 *
 * @since 0.1.0
 * @category accessors
 */
export const collector: Effect.Effect<Option.Option<() => void>> = Effect.sync(() => {
  if (cached === undefined) cached = find()
  return cached
})

/**
 * Runs a full collection twice (to also collect what the first one's finalizers released); does nothing when
 * the collector cannot be reached.
 *
 * @since 0.1.0
 * @category actions
 */
export const collect: Effect.Effect<void> = Effect.flatMap(collector, (gc) =>
  Effect.sync(() => {
    if (Option.isSome(gc)) {
      gc.value()
      gc.value()
    }
  }))

/**
 * The V8 heap in use, in bytes, after a collection when possible.
 *
 * @since 0.1.0
 * @category accessors
 */
export const heapUsed: Effect.Effect<number> = Effect.zipRight(
  collect,
  Effect.sync(() => process.memoryUsage().heapUsed)
)
