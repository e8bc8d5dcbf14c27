/**
 * Per-lane settings of a session queue: concurrency limits, timeouts and the session-wide cap.
 *
 * The settings live in the {@link LanesConfig} service. Build it from Effect `Config` with
 * {@link layer} (environment variables by default, any `ConfigProvider` in tests) or from code with
 * {@link layerWith}. Defaults are the upstream report's Phase 2 values: control 4, query 8, execute 4,
 * generate 2, no timeouts.
 *
 * | key | meaning | default |
 * |---|---|---|
 * | `LANES_<LANE>_CONCURRENCY` | tasks of that lane running at once, integer 1..1024 | 4 / 8 / 4 / 2 |
 * | `LANES_<LANE>_TIMEOUT` | a task's time limit once it runs, e.g. `30 seconds` | none |
 * | `LANES_<LANE>_RETRY` | `none`, `exponential` or `fixed` | `none` |
 * | `LANES_<LANE>_RETRY_COUNT` | retries after the first attempt, 0..100 | 3 |
 * | `LANES_<LANE>_RETRY_DELAY` | the fixed delay, or the first exponential one | `100 millis` |
 * | `LANES_<LANE>_RETRY_FACTOR` | the exponential factor, 1..10 | 2 |
 * | `LANES_<LANE>_RETRY_MAX_DELAY` | the cap of an exponential delay | `30 seconds` |
 * | `LANES_<LANE>_RATE_LIMIT` | task starts (retries included) per interval (token bucket), 0 for none | generate 60, others 0 |
 * | `LANES_<LANE>_RATE_INTERVAL` | the rate limit's interval | `1 minute` |
 * | `LANES_<LANE>_MODE` | `internal`, `external` or `hybrid` | `internal` |
 * | `LANES_<LANE>_EXTERNAL_TIMEOUT` | how long an external task waits for the host | `60 seconds` |
 * | `LANES_<LANE>_PRESSURE_THRESHOLD` | pending count that raises `LanePressure`, 1..1000000 | none |
 * | `LANES_TOTAL_CONCURRENCY` | tasks running at once across all lanes, integer 1..1024 | none |
 * | `LANES_STARVATION_DEADLINE` | waiting time after which a task is promoted one priority level | `30 seconds` |
 * | `LANES_DEAD_LETTER_CAPACITY` | dead letters kept per session (oldest evicted), 1..1000000 | 1000 |
 * | `LANES_STRATEGY` | the planner's preset: `cost` (`Strategy.defaults`) or `seed` (`Strategy.seedRules`) | `cost` |
 * | `LANES_PARALLEL_MIN_TOOLS` | the strategy's `minToolCount`, integer 1..1024 | the preset's: 2 (`seed`: 6) |
 *
 * Integers and numbers are plain decimal digits; any other key under `LANES_` fails the layer.
 *
 * @since 0.1.0
 */
import * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as internal from "./internal/lanesConfig.js"
import type * as Lane from "./Lane.js"
import type { InvalidLanesConfig } from "./LaneError.js"
import type * as RetryPolicy from "./RetryPolicy.js"
import type * as Strategy from "./Strategy.js"

/**
 * The settings of one lane.
 *
 * @since 0.1.0
 * @category models
 */
export interface LaneSettings {
  /** How many tasks of this lane may run at once (1..1024). */
  readonly concurrency: number
  /** A task's time limit, counted from the moment it starts running; `None` for no limit. */
  readonly timeout: Option.Option<Duration.Duration>
  /** What to do when a task fails or times out. */
  readonly retry: RetryPolicy.RetryPolicy
  /** At most `limit` task starts per `interval` (a token bucket); `None` for no limit. */
  readonly rateLimit: Option.Option<RateLimit>
  /** Who runs the lane's tasks: this process, the host application, or both. */
  readonly mode: HandlerMode
  /** How long an external task waits for the host's answer. */
  readonly externalTimeout: Duration.Duration
  /** The pending count at which the lane raises `LanePressure`; `None` (the default) for never. */
  readonly pressureThreshold: Option.Option<number>
}

/**
 * A token-bucket rate limit: `limit` starts per `interval`, refilled evenly.
 *
 * @since 0.1.0
 * @category models
 */
export interface RateLimit {
  readonly limit: number
  readonly interval: Duration.Duration
}

/**
 * Who runs a lane's tasks. `internal`: this process. `external`: the host application, which is
 * told through an `ExternalTaskPending` event and answers with `completeExternal`; only commands
 * submitted with `submitExternal` can run there. `hybrid`: this process, and the host is told
 * about every task's start and end.
 *
 * @since 0.1.0
 * @category models
 */
export type HandlerMode = "internal" | "external" | "hybrid"

/**
 * The handler modes, for validation.
 *
 * @since 0.1.0
 * @category constants
 */
export const handlerModes: ReadonlyArray<HandlerMode> = internal.handlerModes

/**
 * Everything a session queue is configured with.
 *
 * @since 0.1.0
 * @category models
 */
export interface Settings {
  /** The settings of each lane. */
  readonly lanes: { readonly [L in Lane.Lane]: LaneSettings }
  /**
   * An optional cap on tasks running at once across the query, execute and generate lanes; a free
   * slot goes to the most urgent lane's waiting task. The control lane is never held back by it.
   */
  readonly totalConcurrency: Option.Option<number>
  /** Under a total cap, a task waiting longer than this is promoted one priority level, and so on. */
  readonly starvationDeadline: Duration.Duration
  /** How many dead letters the session keeps; the oldest is evicted first. */
  readonly deadLetterCapacity: number
  /**
   * The planner's options for this session's turns (`Strategy.runTurn` starts from them);
   * `LANES_STRATEGY` picks the preset and `LANES_PARALLEL_MIN_TOOLS` sets `minToolCount`.
   */
  readonly strategy: Strategy.Options
}

/**
 * The service holding a session queue's {@link Settings}.
 *
 * @since 0.1.0
 * @category tags
 */
export class LanesConfig extends Context.Tag("effect-lanes/LanesConfig")<LanesConfig, Settings>() {}

/**
 * The defaults: concurrency control 4, query 8, execute 4, generate 2; no timeouts; no retries;
 * the generate lane limited to 60 starts per minute; every lane internal; external tasks wait 60 s;
 * no pressure events; no session-wide cap, starvation deadline 30 s; 1000 dead letters;
 * the per-call planner (`Strategy.defaults`).
 *
 * @since 0.1.0
 * @category constants
 */
export const defaults: Settings = internal.defaults

/**
 * The settings of one lane as code gives them: every field optional, durations in any
 * `Duration.DurationInput` form (`"30 seconds"`, millis, a `Duration`).
 *
 * @since 0.1.0
 * @category models
 */
export interface LaneInput {
  readonly concurrency?: number | undefined
  readonly timeout?: Duration.DurationInput | undefined
  readonly retry?: RetryPolicy.RetryPolicy | undefined
  /**
   * A rate limit (`limit` task starts per `interval`, both required), or `false` to remove the
   * default one. A retry is a start too: each retry waits for, and takes, a token.
   */
  readonly rateLimit?: { readonly limit: number; readonly interval: Duration.DurationInput } | false | undefined
  readonly mode?: HandlerMode | undefined
  readonly externalTimeout?: Duration.DurationInput | undefined
  readonly pressureThreshold?: number | undefined
}

/**
 * Settings as code gives them to {@link layerWith} or {@link make}: any subset, the rest keeps the
 * defaults. A lane's settings go under `lanes` (`{ lanes: { query: { concurrency: 16 } } }`) or,
 * as a shorthand, at the top level (`{ query: { concurrency: 16 } }`).
 *
 * @since 0.1.0
 * @category models
 */
export interface Input extends Partial<Record<Lane.Lane, LaneInput>> {
  readonly lanes?: Partial<Record<Lane.Lane, LaneInput>> | undefined
  readonly totalConcurrency?: number | undefined
  readonly starvationDeadline?: Duration.DurationInput | undefined
  readonly deadLetterCapacity?: number | undefined
  /** The strategy's `minToolCount`, as the `LANES_PARALLEL_MIN_TOOLS` key names it. */
  readonly parallelMinTools?: number | undefined
  /** The planner's options; unspecified fields keep `Strategy.defaults`. */
  readonly strategy?: Partial<Strategy.Options> | undefined
}

export {
  /**
   * Settings given in code that are out of range; `field` names the offending setting.
   *
   * @since 0.1.0
   * @category errors
   */
  InvalidLanesConfig
} from "./LaneError.js"

/**
 * Validates settings given in code and fills in the defaults. Fails with an
 * {@link InvalidLanesConfig} naming the field for a value out of range, a key that is not a
 * setting (a misspelled lane, say), a `rateLimit` that is not `false` or `{ limit, interval }`,
 * or input that is not an object at all (`null`).
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: (input: Input) => Effect.Effect<Settings, InvalidLanesConfig> = internal.make

/**
 * The settings read through Effect `Config` under the `LANES_*` keys. A missing key takes the
 * default; an invalid one fails with a `ConfigError` whose path names the key.
 *
 * @since 0.1.0
 * @category config
 */
export const config: Config.Config<Settings> = internal.config

/**
 * Fails with a `ConfigError` naming the first key under `LANES_` of the current `ConfigProvider`
 * that no setting reads (a misspelled key would otherwise be ignored). {@link layer} runs it.
 *
 * @since 0.1.0
 * @category config
 */
export const checkKeys: Effect.Effect<void, ConfigError.ConfigError> = internal.checkKeys

/**
 * The settings from the current `ConfigProvider` (environment variables unless replaced). Numbers
 * are plain decimal digits (`1e3`, `0x10` and `+5` are rejected); a key under `LANES_` that is
 * not a setting fails the layer ({@link checkKeys}). Every failure is a `ConfigError` naming the key.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<LanesConfig, ConfigError.ConfigError> = Layer.effect(
  LanesConfig,
  Effect.zipRight(checkKeys, config)
)

/**
 * The settings from code; unspecified fields keep the defaults. Out-of-range values are a
 * programming error: the layer dies with an {@link InvalidLanesConfig} naming the field.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerWith = (input: Input): Layer.Layer<LanesConfig> =>
  Layer.effect(LanesConfig, Effect.orDie(make(input)))

/**
 * The defaults as a layer.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerDefaults: Layer.Layer<LanesConfig> = Layer.succeed(LanesConfig, defaults)
