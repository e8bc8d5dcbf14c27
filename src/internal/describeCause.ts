import * as Cause from "effect/Cause"
import * as Inspectable from "effect/Inspectable"

/** A one-line description of an error value, for events and dead letters. */
export const describeError = (error: unknown): string => {
  if (error instanceof Error) {
    const tag = "_tag" in error && typeof error._tag === "string" ? error._tag : error.name
    return error.message.length > 0 ? `${tag}: ${error.message}` : tag
  }
  if (typeof error === "string") return error
  try {
    return JSON.stringify(error) ?? String(error)
  } catch {
    // BigInts and objects that refer to themselves cannot be serialised.
    return Inspectable.toStringUnknown(error)
  }
}

/** A one-line description of why a task failed. */
export const describeCause = (cause: Cause.Cause<unknown>): string => describeError(Cause.squash(cause))
