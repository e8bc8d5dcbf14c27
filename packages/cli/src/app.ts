/**
 * The `effect-lanes` program: the root command with its subcommands, run on Node with errors rendered as one
 * line on stderr and a non-zero exit code.
 *
 * @since 0.1.0
 */
import * as Command from "@effect/cli/Command"
import * as ValidationError from "@effect/cli/ValidationError"
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as Cause from "effect/Cause"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as BenchCommand from "./commands/bench.js"
import * as ReplayCommand from "./commands/replay.js"
import * as Progress from "./render/progress.js"

/**
 * The package version shown by `--version`.
 *
 * @since 0.1.0
 * @category constants
 */
export const version = "0.1.0"

/**
 * The root command.
 *
 * @since 0.1.0
 * @category commands
 */
export const command = Command.make("effect-lanes").pipe(
  Command.withDescription(
    "Benchmarks and trace replays for effect-lanes, the per-session lane scheduler for AI-agent work."
  ),
  Command.withSubcommands([BenchCommand.command, ReplayCommand.command])
)

/**
 * The parsed and dispatched program for an argv (`process.argv` shape: node, script, args...).
 *
 * @since 0.1.0
 * @category running
 */
export const cli = Command.run(command, { name: "effect-lanes", version })

const hasTag = (error: unknown, tag: string): boolean =>
  typeof error === "object" && error !== null && "_tag" in error && error._tag === tag

const messageOf = (error: unknown): string => {
  if (error instanceof Error) return error.message
  if (typeof error === "object" && error !== null && "message" in error && typeof error.message === "string") {
    return error.message
  }
  return String(error)
}

/**
 * Renders a failed run as one line on stderr (nothing for command-line validation errors, which `@effect/cli`
 * has already printed with the usage) and sets the exit code to 1 (2 for an unknown trace format). Never prints a stack trace.
 *
 * @since 0.1.0
 * @category running
 */
export const reportFailure = (cause: Cause.Cause<unknown>): Effect.Effect<void> =>
  Effect.gen(function*() {
    if (Cause.isInterruptedOnly(cause)) {
      process.exitCode = 130
      return
    }
    const failure = Cause.failureOption(cause)
    // an unknown trace format is a usage error: exit 2, as for a bad option
    process.exitCode = failure._tag === "Some" && hasTag(failure.value, "UnknownTraceFormat") ? 2 : 1
    if (failure._tag === "Some" && ValidationError.isValidationError(failure.value)) return
    const error = failure._tag === "Some" ? failure.value : Cause.squash(cause)
    const prefix = failure._tag === "Some" ? "" : "internal error: "
    yield* Console.error(`effect-lanes: ${prefix}${messageOf(error).split("\n")[0]}`)
  })

/**
 * Runs the program on the given argv with Node's platform layers, and exits.
 *
 * @since 0.1.0
 * @category running
 */
export const main = (argv: ReadonlyArray<string>): void =>
  cli(argv).pipe(
    Effect.catchAllCause(reportFailure),
    Effect.provide(Layer.mergeAll(NodeContext.layer, Progress.layerStderr)),
    NodeRuntime.runMain({ disableErrorReporting: true, disablePrettyLogger: true })
  )
