import * as Cause from "effect/Cause"
import * as Inspectable from "effect/Inspectable"

/** Runs `describe`, or gives `undefined` if it throws. */
const attempt = (describe: () => string | undefined): string | undefined => {
  try {
    return describe()
  } catch {
    return undefined
  }
}

/** The `_tag` or name and the message of an error-like value, if it has them and reading them works. */
const errorLike = (error: object): string | undefined => {
  if (!(error instanceof Error)) return undefined
  const tag = "_tag" in error && typeof error._tag === "string" ? error._tag : String(error.name)
  return typeof error.message === "string" && error.message.length > 0 ? `${tag}: ${error.message}` : tag
}

/**
 * A one-line description of an error value, for events and dead letters. Total: any value, any
 * prototype (or none), getters that throw, BigInts, cycles; it never throws.
 *
 * @internal
 */
export const describeError = (error: unknown): string => {
  if (typeof error === "string") return error
  if (typeof error === "object" && error !== null) {
    const described = attempt(() => errorLike(error))
    if (described !== undefined) return described
  }
  return attempt(() => JSON.stringify(error)) ??
    // BigInts and objects that refer to themselves cannot be serialised as JSON
    attempt(() => Inspectable.toStringUnknown(error)) ??
    attempt(() => Object.prototype.toString.call(error)) ??
    "an error that cannot be described"
}

/**
 * A one-line description of why a task failed; never throws.
 *
 * @internal
 */
export const describeCause = (cause: Cause.Cause<unknown>): string =>
  attempt(() => describeError(Cause.squash(cause))) ?? "an error that cannot be described"
