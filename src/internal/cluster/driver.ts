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

const notInstalled = (error: unknown, name: string): boolean =>
  Predicate.hasProperty(error, "code") && error.code === "ERR_MODULE_NOT_FOUND" &&
  Predicate.hasProperty(error, "message") && typeof error.message === "string" && error.message.includes(name)

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
        reason: notInstalled(error, name)
          ? `it is not installed (npm install ${name})`
          : `it failed to load: ${error instanceof Error ? error.message : String(error)}`
      })
  })
