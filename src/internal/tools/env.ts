/**
 * What the tool implementations share: the platform services resolved when the `Tools` service was built, the
 * sandbox of the root, and the settings.
 *
 * @since 0.1.0
 * @internal
 */
import type * as CommandExecutor from "@effect/platform/CommandExecutor"
import type * as FileSystem from "@effect/platform/FileSystem"
import type * as Path from "@effect/platform/Path"
import type * as Duration from "effect/Duration"
import type { Sandbox } from "./sandbox.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface ToolEnv {
  readonly fs: FileSystem.FileSystem
  readonly path: Path.Path
  readonly executor: CommandExecutor.CommandExecutor
  readonly sandbox: Sandbox
  readonly ignore: ReadonlySet<string>
  readonly maxGlobResults: number
  readonly maxGrepMatches: number
  readonly bashTimeout: Duration.Duration
  readonly bashKillGrace: Duration.Duration
}
