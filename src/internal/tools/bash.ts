/**
 * The `bash` tool.
 *
 * @since 0.1.0
 * @internal
 */
import * as Command from "@effect/platform/Command"
import type * as CommandExecutor from "@effect/platform/CommandExecutor"
import type { PlatformError } from "@effect/platform/Error"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Stream from "effect/Stream"
import type { ToolEnv } from "./env.js"
import { ToolFailed, ToolTimeout } from "./errors.js"
import type { BashArgs, BashResult } from "./schemas.js"

const collect = (stream: Stream.Stream<Uint8Array, PlatformError>): Effect.Effect<string, PlatformError> =>
  stream.pipe(Stream.decodeText(), Stream.mkString)

// When the scope closes before the command completed (timeout, interruption), kills the process group, even if
// bash itself already exited and only its background jobs remain, escalating to SIGKILL after a grace period.
// Finalizers are uninterruptible, so the wait for the exit is made interruptible for the grace timeout to end it.
const killOnClose = (child: CommandExecutor.Process, grace: Duration.Duration) =>
  Effect.addFinalizer((exit) =>
    Effect.gen(function*() {
      const running = yield* child.isRunning
      if (!running && Exit.isSuccess(exit)) return
      yield* child.kill("SIGTERM").pipe(
        Effect.interruptible,
        Effect.timeout(grace),
        Effect.catchAll(() => child.kill("SIGKILL"))
      )
    }).pipe(Effect.ignore)
  )

/**
 * Runs `bash -c command` in the root directory with an empty stdin, and collects its output and exit code. On
 * timeout (the call's `timeout`, else the service's default) or interruption the process group is killed
 * (SIGTERM, then SIGKILL after `bashKillGrace`).
 *
 * @since 0.1.0
 * @category tools
 */
export const bash =
  (env: ToolEnv) => (args: typeof BashArgs.Type): Effect.Effect<typeof BashResult.Type, ToolFailed | ToolTimeout> => {
    const timeout = args.timeout ?? env.bashTimeout
    const command = Command.make("bash", "-c", args.command).pipe(
      Command.workingDirectory(env.sandbox.root),
      Command.feed("")
    )
    return Effect.scoped(
      Effect.gen(function*() {
        const child = yield* env.executor.start(command)
        yield* killOnClose(child, env.bashKillGrace)
        const [stdout, stderr, exitCode] = yield* Effect.all(
          [collect(child.stdout), collect(child.stderr), child.exitCode],
          { concurrency: "unbounded" }
        )
        return { exitCode, stdout, stderr }
      })
    ).pipe(
      Effect.mapError((error) => new ToolFailed({ tool: "bash", message: error.message })),
      Effect.timeoutFail({ duration: timeout, onTimeout: () => new ToolTimeout({ tool: "bash", timeout }) })
    )
  }
