import * as Context from "effect/Context"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as RcMap from "effect/RcMap"
import type * as Scope from "effect/Scope"
import * as LaneQueue from "../../LaneQueue.js"
import * as LanesConfig from "../../LanesConfig.js"

/**
 * The lane queues of the sessions a runner holds, one per session ID, built on first use and closed once nothing
 * has held it for `idleTimeToLive` (the session entity holds its queue while it lives).
 *
 * @internal
 */
export class SessionQueues extends Context.Tag("effect-lanes/cluster/SessionQueues")<SessionQueues, {
  readonly get: (sessionId: string) => Effect.Effect<LaneQueue.LaneQueue, never, Scope.Scope>
  readonly keys: Effect.Effect<ReadonlyArray<string>>
}>() {}

/** @internal */
export const layer = (idleTimeToLive: Duration.DurationInput): Layer.Layer<SessionQueues, never, LanesConfig.LanesConfig> =>
  Layer.scoped(
    SessionQueues,
    Effect.gen(function*() {
      const settings = yield* LanesConfig.LanesConfig
      const map = yield* RcMap.make({
        lookup: (sessionId: string) =>
          LaneQueue.make(sessionId).pipe(Effect.provideService(LanesConfig.LanesConfig, settings)),
        idleTimeToLive
      })
      return SessionQueues.of({ get: (sessionId) => RcMap.get(map, sessionId), keys: RcMap.keys(map) })
    })
  )
