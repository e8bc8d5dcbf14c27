import * as Effect from "effect/Effect"
import * as Predicate from "effect/Predicate"
import * as Schema from "effect/Schema"

/** @internal */
export class DriverUnavailable extends Schema.TaggedError<DriverUnavailable>()("DriverUnavailable", {
  package: Schema.String,
  reason: Schema.String
}) {
  override get message(): string {
    return `effect-lanes/cluster: this storage needs the package ${this.package}: ${this.reason}`
  }
}

/** The package a failed import could not find (Node's "Cannot find package 'x' imported from ..."), if that is why. */
const missingPackage = (error: unknown): string | undefined => {
  if (!Predicate.hasProperty(error, "code") || error.code !== "ERR_MODULE_NOT_FOUND") return undefined
  const message = Predicate.hasProperty(error, "message") && typeof error.message === "string" ? error.message : ""
  return /Cannot find (?:package|module) '([^']+)'/.exec(message)?.[1]
}

/** Why a driver did not load: the driver missing, a package it needs missing, or its own failure. */
const reasonOf = (error: unknown, name: string): string => {
  const missing = missingPackage(error)
  if (missing === name || missing?.startsWith(`${name}/`) === true) return `it is not installed (npm install ${name})`
  if (missing !== undefined) return `it needs ${missing}, which is not installed`
  return `it failed to load: ${error instanceof Error ? error.message : String(error)}`
}

/**
 * @internal Loads an optional SQL driver when its layer is built, so that only the driver in use must be
 * installed.
 */
export const driver = <A>(name: string, load: () => Promise<A>): Effect.Effect<A, DriverUnavailable> =>
  Effect.tryPromise({
    try: load,
    catch: (error) =>
      new DriverUnavailable({
        package: name,
        reason: reasonOf(error, name)
      })
  })
