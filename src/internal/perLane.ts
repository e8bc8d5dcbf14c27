import * as Effect from "effect/Effect"
import type * as Lane from "../Lane.js"

/** One value per lane. */
export type PerLane<A> = { readonly [L in Lane.Lane]: A }

/** A value for every lane. */
export const byLane = <A>(f: (lane: Lane.Lane) => A): PerLane<A> => ({
  control: f("control"),
  query: f("query"),
  execute: f("execute"),
  generate: f("generate")
})

/** An effect's value for every lane, computed in lane order. */
export const perLane = <A, E, R>(f: (lane: Lane.Lane) => Effect.Effect<A, E, R>): Effect.Effect<PerLane<A>, E, R> =>
  Effect.all(byLane(f))
