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
 * | `LANES_TOTAL_CONCURRENCY` | tasks running at once across all lanes, integer 1..1024 | none |
 * | `LANES_PARALLEL_MIN_TOOLS` | the strategy's `minToolCount`, integer 1..1024 | 6 |
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
import * as Schema from "effect/Schema"
import * as internal from "./internal/lanesConfig.js"
import type * as Lane from "./Lane.js"

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
}

/**
 * Everything a session queue is configured with.
 *
 * @since 0.1.0
 * @category models
 */
export interface Settings {
  /** The settings of each lane. */
  readonly lanes: { readonly [L in Lane.Lane]: LaneSettings }
  /** An optional cap on tasks running at once across all lanes of the session. */
  readonly totalConcurrency: Option.Option<number>
  /** The strategy's minimum number of tool calls before a turn may run in parallel. */
  readonly parallelMinTools: number
}

/**
 * The service holding a session queue's {@link Settings}.
 *
 * @since 0.1.0
 * @category tags
 */
export class LanesConfig extends Context.Tag("effect-lanes/LanesConfig")<LanesConfig, Settings>() {}

/**
 * The defaults: concurrency control 4, query 8, execute 4, generate 2; no timeouts; no session-wide
 * cap; parallel tool turns from 6 calls.
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
  readonly parallelMinTools?: number | undefined
}

/**
 * Settings given in code that are out of range; `field` names the offending setting.
 *
 * @since 0.1.0
 * @category errors
 */
export class InvalidLanesConfig extends Schema.TaggedError<InvalidLanesConfig>()("InvalidLanesConfig", {
  field: Schema.String,
  message: Schema.String
}) {}

/**
 * Validates settings given in code and fills in the defaults.
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
 * The settings from the current `ConfigProvider` (environment variables unless replaced).
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<LanesConfig, ConfigError.ConfigError> = Layer.effect(LanesConfig, config)

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
