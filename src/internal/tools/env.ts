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
import type * as Limits from "./limits.js"
import type * as Proxy from "./proxy.js"

/**
 * What one call of `bash` has of its own: the `cgroup.procs` files of its cgroups, and its proxy's socket.
 *
 * @internal
 */
export interface Call {
  readonly procs: ReadonlyArray<string>
  readonly proxy: string | undefined
}

/**
 * How `bash` runs: the argv of a call (the command follows as its last argument), the environment of the
 * child, and, in the sandbox, the plan of its limits and the policy of its network.
 *
 * @internal
 */
export interface Launcher {
  /** Whether the command runs in bwrap (then killing its init kills everything it started). */
  readonly sandboxed: boolean
  readonly argv: (call: Call) => ReadonlyArray<string>
  readonly env: Readonly<Record<string, string>>
  readonly limits: Limits.Plan | undefined
  readonly network: Proxy.Policy | undefined
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
