/**
 * Building session queues for the benchmarks from lane settings given in code.
 *
 * @since 0.1.0
 */
import { LaneQueue, LanesConfig } from "effect-lanes"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import { InvalidArgument } from "../errors.js"

/**
 * A session queue in the current scope with the given settings (the rest default); out-of-range settings
 * fail with {@link InvalidArgument}.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (
  sessionId: string,
  input: LanesConfig.Input
): Effect.Effect<LaneQueue.LaneQueue, InvalidArgument, Scope.Scope> =>
  LanesConfig.make(input).pipe(
    Effect.mapError((error) => new InvalidArgument({ option: error.field, reason: error.message })),
    Effect.flatMap((settings) =>
      LaneQueue.make(sessionId).pipe(Effect.provideService(LanesConfig.LanesConfig, settings))
    )
  )

/**
 * The same concurrency on every lane, and no rate limit (the generate lane's default of 60 starts per minute
 * would measure the limit, not the queue).
 *
 * @since 0.1.0
 * @category constructors
 */
export const everyLane = (concurrency: number): LanesConfig.Input => ({
  control: { concurrency, rateLimit: false },
  query: { concurrency, rateLimit: false },
  execute: { concurrency, rateLimit: false },
  generate: { concurrency, rateLimit: false }
})
