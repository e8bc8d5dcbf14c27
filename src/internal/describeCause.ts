import * as Cause from "effect/Cause"

/** A one-line description of an error value, for events and dead letters. */
export const describeError = (error: unknown): string => {
  if (error instanceof Error) {
    const tag = "_tag" in error && typeof error._tag === "string" ? error._tag : error.name
    return error.message.length > 0 ? `${tag}: ${error.message}` : tag
  }
  return typeof error === "string" ? error : JSON.stringify(error) ?? String(error)
}

/** A one-line description of why a task failed. */
export const describeCause = (cause: Cause.Cause<unknown>): string => describeError(Cause.squash(cause))
