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
  /** Registers the cancel of a running call of a turn (by workflow execution ID) for the scope's lifetime. */
  readonly track: (executionId: string, cancel: Effect.Effect<unknown>) => Effect.Effect<void, never, Scope.Scope>
  /** Cancels the calls of a turn running on this runner; how many. */
  readonly cancelTurn: (executionId: string) => Effect.Effect<number>
}>() {}

/** @internal */
export const layer = (
  idleTimeToLive: Duration.DurationInput
): Layer.Layer<SessionQueues, never, LanesConfig.LanesConfig> =>
  Layer.scoped(
    SessionQueues,
    Effect.gen(function*() {
      const settings = yield* LanesConfig.LanesConfig
      const map = yield* RcMap.make({
        lookup: (sessionId: string) =>
          LaneQueue.make(sessionId).pipe(Effect.provideService(LanesConfig.LanesConfig, settings)),
        idleTimeToLive
      })
      const running = new Map<string, Set<Effect.Effect<unknown>>>()
      return SessionQueues.of({
        get: (sessionId) => RcMap.get(map, sessionId),
        track: (executionId, cancel) =>
          Effect.acquireRelease(
            Effect.sync(() => {
              const set = running.get(executionId) ?? new Set()
              set.add(cancel)
              running.set(executionId, set)
            }),
            () =>
              Effect.sync(() => {
                const set = running.get(executionId)
                set?.delete(cancel)
                if (set?.size === 0) running.delete(executionId)
              })
          ),
        cancelTurn: (executionId) =>
          Effect.suspend(() => {
            const cancels = Array.from(running.get(executionId) ?? [])
            return Effect.as(Effect.all(cancels, { discard: true }), cancels.length)
          })
      })
    })
  )
