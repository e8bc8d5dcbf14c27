/**
 * What the tool implementations share: the platform services resolved when the `Tools` service was built, the
 * confined file access of the root, the bash sandbox and the settings.
 *
 * @internal
 */
import type * as CommandExecutor from "@effect/platform/CommandExecutor"
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import type { Confined } from "./confined.js"
import type { SandboxUnavailable } from "./errors.js"

/**
 * How `bash` runs: the argv put before `bash -c command`, and the environment of the child.
 *
 * @internal
 */
export interface Launcher {
  /** Whether the command runs in bwrap (then killing its init kills everything it started). */
  readonly sandboxed: boolean
  readonly prefix: ReadonlyArray<string>
  readonly env: Readonly<Record<string, string>>
}

/** @internal */
export interface ToolEnv {
  readonly executor: CommandExecutor.CommandExecutor
  readonly confined: Confined
  readonly launcher: Effect.Effect<Launcher, SandboxUnavailable>
  readonly ignore: ReadonlySet<string>
  readonly maxGlobResults: number
  readonly maxGrepMatches: number
  readonly maxReadBytes: number
  readonly maxEditBytes: number
  readonly maxGrepFileBytes: number
  readonly maxOutputBytes: number
  readonly bashTimeout: Duration.Duration
  readonly bashKillGrace: Duration.Duration
}
