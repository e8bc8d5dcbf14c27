/**
 * Per-tool latency estimates for the planner's cost rule: an exponential moving average (EMA) of
 * the observed latency of each tool, in milliseconds, held in a `Ref`.
 *
 * The first sample of a tool becomes its estimate; each later sample `x` moves it to
 * `alpha * x + (1 - alpha) * estimate` (`alpha` defaults to {@link defaultAlpha}). Samples that are
 * not finite numbers >= 0 are ignored, so every estimate is a finite number >= 0.
 *
 * `estimates(calls)` gives one estimate per call for `Strategy.plan`'s `estimates` option, or
 * `undefined` when some tool has no history yet, so the planner falls back to the seed's rules.
 *
 * @since 0.1.0
 */
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as HashMap from "effect/HashMap"
import * as Option from "effect/Option"
import * as Ref from "effect/Ref"

/**
 * A per-tool latency model. Not a service: build one with {@link make} and pass it around.
 *
 * @since 0.1.0
 * @category models
 */
export interface LatencyModel {
  /** The EMA weight of a new sample, in (0, 1]. */
  readonly alpha: number
  /** Records one observed latency of a tool; ignores values that are not finite numbers >= 0. */
  readonly record: (toolName: string, millis: number) => Effect.Effect<void>
  /** The current estimate for a tool, `None` without history. */
  readonly estimate: (toolName: string) => Effect.Effect<Option.Option<number>>
  /** One estimate per call, in order, or `undefined` when any call's tool has no history. */
  readonly estimates: (
    calls: ReadonlyArray<{ readonly name: string }>
  ) => Effect.Effect<ReadonlyArray<number> | undefined>
  /** Runs an effect and records its wall-clock time (Effect's `Clock`) unless it is interrupted. */
  readonly measure: <A, E, R>(toolName: string, self: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
  /** Every tool's current estimate. */
  readonly snapshot: Effect.Effect<ReadonlyMap<string, number>>
}

/**
 * Settings for {@link makeWith}.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** The EMA weight of a new sample, in (0, 1]; anything else means {@link defaultAlpha}. */
  readonly alpha?: number
  /** Estimates to start from, e.g. a previous `snapshot`; invalid values are skipped. */
  readonly initial?: Iterable<readonly [string, number]>
}

/**
 * The default EMA weight of a new sample: 0.2.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultAlpha = 0.2

/**
 * Whether a latency sample is usable: a finite number >= 0.
 *
 * @since 0.1.0
 * @category guards
 */
export const isValidSample = (millis: number): boolean => Number.isFinite(millis) && millis >= 0

/**
 * One EMA step: the new estimate after observing `sample`, given the previous estimate (if any).
 *
 * @since 0.1.0
 * @category math
 */
export const update = (previous: Option.Option<number>, sample: number, alpha: number): number =>
  Option.match(previous, {
    onNone: () => sample,
    onSome: (estimate) => alpha * sample + (1 - alpha) * estimate
  })

// ---------------------------------------------------------------------------------------------
// internals
// ---------------------------------------------------------------------------------------------

type State = HashMap.HashMap<string, number>

const normalizeAlpha = (alpha: number | undefined): number =>
  alpha !== undefined && Number.isFinite(alpha) && alpha > 0 && alpha <= 1 ? alpha : defaultAlpha

const initialState = (initial: Iterable<readonly [string, number]> | undefined): State => {
  let state = HashMap.empty<string, number>()
  for (const [name, millis] of initial ?? []) {
    if (isValidSample(millis)) state = HashMap.set(state, name, millis)
  }
  return state
}

const elapsedMillis = (start: bigint, end: bigint): number => Number(end - start) / 1_000_000

const fromRef = (state: Ref.Ref<State>, alpha: number): LatencyModel => {
  const record = Effect.fn("LatencyModel.record")(function*(toolName: string, millis: number) {
    if (!isValidSample(millis)) return
    yield* Ref.update(state, (map) => HashMap.set(map, toolName, update(HashMap.get(map, toolName), millis, alpha)))
  })

  const estimate = Effect.fn("LatencyModel.estimate")(function*(toolName: string) {
    return HashMap.get(yield* Ref.get(state), toolName)
  })

  const estimates = Effect.fn("LatencyModel.estimates")(function*(calls: ReadonlyArray<{ readonly name: string }>) {
    const map = yield* Ref.get(state)
    const found = calls.map((call) => HashMap.get(map, call.name))
    return Option.getOrUndefined(Option.all(found))
  })

  const measure = <A, E, R>(toolName: string, self: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
    Effect.flatMap(Clock.currentTimeNanos, (start) =>
      Effect.onExit(self, (exit) =>
        Exit.isInterrupted(exit)
          ? Effect.void
          : Effect.flatMap(Clock.currentTimeNanos, (end) => record(toolName, elapsedMillis(start, end)))))

  const snapshot = Effect.map(Ref.get(state), (map) => new Map(map))

  return { alpha, record, estimate, estimates, measure, snapshot }
}

// ---------------------------------------------------------------------------------------------
// constructors
// ---------------------------------------------------------------------------------------------

/**
 * Builds a latency model with the given settings.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeWith = (options: Options = {}): Effect.Effect<LatencyModel> => {
  const initial = initialState(options.initial)
  const alpha = normalizeAlpha(options.alpha)
  return Effect.map(Ref.make(initial), (state) => fromRef(state, alpha))
}

/**
 * Builds a latency model with no history and `alpha` {@link defaultAlpha}.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: Effect.Effect<LatencyModel> = makeWith()
