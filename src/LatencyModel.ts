/**
 * A session's cost model for the planner's cost rule: per tool, an exponential moving average (EMA) of
 * the observed latency of its calls, in milliseconds; and the queue's own overhead per task, also an EMA,
 * learned online from the turns `Strategy.runTurn` runs. Held in a `Ref`.
 *
 * Why an EMA of the mean: the planner compares sums of latencies (the time of a turn in order) with
 * makespans, and both are linear in each call's expected latency, so the mean, not a median, is the
 * quantity it needs. An EMA tracks drift (caches warming, files growing) with O(1) state per tool and
 * forgets a cold first call in a few samples (its weight after k more samples is `(1 - alpha)^k`). An outlier
 * only pushes a tool's estimate up, toward running it in parallel, which is the cheap side of the decision:
 * through the lanes a parallel wave costs about what the same calls cost in order.
 *
 * The first sample of a tool becomes its estimate; each later sample `x` moves it to
 * `alpha * x + (1 - alpha) * estimate` (`alpha` defaults to {@link defaultAlpha}). Samples that are
 * not finite numbers >= 0 are ignored, so every estimate is a finite number >= 0.
 *
 * `estimates(calls)` gives one estimate per call for `Strategy.plan`'s `estimates` option, or
 * `undefined` when some tool has no history yet (`Strategy.runTurn` then uses a declared or a prior latency).
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
  /** Records many `[toolName, millis]` samples, in order, in one update (invalid ones are ignored). */
  readonly recordAll: (samples: Iterable<readonly [string, number]>) => Effect.Effect<void>
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
  /**
   * The queue's overhead per task in milliseconds: the prior until a turn was measured, then an EMA of the
   * measurements, each capped at twice the current estimate (a cold or disturbed stage cannot blow it up).
   */
  readonly overhead: Effect.Effect<number>
  /** Records one observed overhead per task (ms); ignores values that are not finite numbers >= 0. */
  readonly recordOverhead: (millis: number) => Effect.Effect<void>
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
  /** The overhead per task (ms) before any is measured; default {@link defaultOverheadMillis}. */
  readonly overhead?: number
}

/**
 * The queue's overhead per task before a session has measured its own: 0.02 ms (20 µs), the cost of one
 * `submit` to an idle lane measured by `effect-lanes bench -s plan` on a 2-core machine (see
 * `bench/README.md`). Each session replaces it with its own measurements.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultOverheadMillis = 0.02

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

interface State {
  readonly tools: HashMap.HashMap<string, number>
  readonly overhead: Option.Option<number>
}

const normalizeAlpha = (alpha: number | undefined): number =>
  alpha !== undefined && Number.isFinite(alpha) && alpha > 0 && alpha <= 1 ? alpha : defaultAlpha

const initialTools = (initial: Iterable<readonly [string, number]> | undefined): HashMap.HashMap<string, number> => {
  let tools = HashMap.empty<string, number>()
  for (const [name, millis] of initial ?? []) {
    if (isValidSample(millis)) tools = HashMap.set(tools, name, millis)
  }
  return tools
}

const elapsedMillis = (start: bigint, end: bigint): number => Number(end - start) / 1_000_000

const fromRef = (state: Ref.Ref<State>, alpha: number, prior: number): LatencyModel => {
  const record = (toolName: string, millis: number): Effect.Effect<void> =>
    isValidSample(millis)
      ? Ref.update(state, (s) => ({
        ...s,
        tools: HashMap.set(s.tools, toolName, update(HashMap.get(s.tools, toolName), millis, alpha))
      }))
      : Effect.void

  const recordAll = (samples: Iterable<readonly [string, number]>): Effect.Effect<void> =>
    Ref.update(state, (s) => {
      let tools = s.tools
      for (const [toolName, millis] of samples) {
        if (isValidSample(millis)) {
          tools = HashMap.set(tools, toolName, update(HashMap.get(tools, toolName), millis, alpha))
        }
      }
      return tools === s.tools ? s : { ...s, tools }
    })

  const estimate = (toolName: string) => Effect.map(Ref.get(state), (s) => HashMap.get(s.tools, toolName))

  const estimates = (calls: ReadonlyArray<{ readonly name: string }>) =>
    Effect.map(
      Ref.get(state),
      (s) => Option.getOrUndefined(Option.all(calls.map((call) => HashMap.get(s.tools, call.name))))
    )

  const measure = <A, E, R>(toolName: string, self: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
    Effect.flatMap(Clock.currentTimeNanos, (start) =>
      Effect.onExit(self, (exit) =>
        Exit.isInterrupted(exit)
          ? Effect.void
          : Effect.flatMap(Clock.currentTimeNanos, (end) => record(toolName, elapsedMillis(start, end)))))

  const snapshot = Effect.map(Ref.get(state), (s) => new Map(s.tools))

  const overhead = Effect.map(Ref.get(state), (s) => Option.getOrElse(s.overhead, () => prior))

  // The overhead is a floor-like cost (what the queue itself takes); a stage slowed by a cold start, a GC
  // pause or a loaded machine says little about it. So one sample moves the estimate at most to twice its
  // current value: a real rise is still followed, by up to `1 + alpha` per stage.
  const recordOverhead = (millis: number): Effect.Effect<void> =>
    isValidSample(millis)
      ? Ref.update(state, (s) => {
        const current = Option.getOrElse(s.overhead, () => prior)
        return { ...s, overhead: Option.some(update(s.overhead, Math.min(millis, 2 * current), alpha)) }
      })
      : Effect.void

  return { alpha, record, recordAll, estimate, estimates, measure, snapshot, overhead, recordOverhead }
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
  const alpha = normalizeAlpha(options.alpha)
  const prior = options.overhead !== undefined && isValidSample(options.overhead)
    ? options.overhead
    : defaultOverheadMillis
  return Effect.map(
    Ref.make<State>({ tools: initialTools(options.initial), overhead: Option.none() }),
    (state) => fromRef(state, alpha, prior)
  )
}

/**
 * Builds a latency model with no history and `alpha` {@link defaultAlpha}.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: Effect.Effect<LatencyModel> = makeWith()
