/**
 * The `effect-lanes` program: the root command with its subcommands, run on Node with errors rendered as one
 * line on stderr and a non-zero exit code.
 *
 * @since 0.1.0
 */
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as ValidationError from "@effect/cli/ValidationError"
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { Otel } from "effect-lanes/otel"
import * as Cause from "effect/Cause"
import * as ConfigError from "effect/ConfigError"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Predicate from "effect/Predicate"
import * as ThreadPool from "./bench/threadPool.js"
import * as BenchCommand from "./commands/bench.js"
import * as ReplayCommand from "./commands/replay.js"
import * as CliOptions from "./options.js"
import * as CliConsole from "./render/console.js"
import * as Progress from "./render/progress.js"

/**
 * The package version shown by `--version`.
 *
 * @since 0.1.0
 * @category constants
 */
export const version = "0.1.0"

/**
 * The options of the root command, given before the subcommand (`effect-lanes --uv-threadpool-size 8 bench`);
 * each takes effect around whichever subcommand runs (see {@link command}).
 *
 * @since 0.1.0
 * @category options
 */
export const globalOptions = {
  uvThreadpoolSize: CliOptions.integer(
    "uv-threadpool-size",
    ThreadPool.range,
    "libuv's thread pool size for this run (file reads run on it; `bench -s runtime` measures which size suits " +
      "this machine). Applied as UV_THREADPOOL_SIZE by the effect-lanes executable, before the pool starts."
  ).pipe(
    Options.withDescription(`Default: UV_THREADPOOL_SIZE if set, else ${ThreadPool.defaultSize}.`),
    Options.optional
  ),
  otel: Options.boolean("otel").pipe(
    Options.withDescription(
      "Export the run's spans and metrics over OTLP/HTTP (effect-lanes/otel's layerOtlpFromEnv) to the collector " +
        "named by the standard variables: OTEL_EXPORTER_OTLP_ENDPOINT (required), or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT " +
        "/ OTEL_EXPORTER_OTLP_METRICS_ENDPOINT, OTEL_EXPORTER_OTLP_HEADERS, OTEL_EXPORTER_OTLP_PROTOCOL " +
        "(http/protobuf or http/json), OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES. Tracing adds to the per-task " +
        "figures the benchmarks measure."
    )
  )
}

/**
 * The root command. Its options are global: each one takes effect around the subcommand that runs, through a
 * transformation of the root's handler (`Command.provideEffectDiscard` for a check, as here;
 * `Command.provide` for `--otel`, which provides the OTLP exporter).
 *
 * @since 0.1.0
 * @category commands
 */
export const command = Command.make("effect-lanes", globalOptions).pipe(
  Command.withDescription(
    "Benchmarks and trace replays for effect-lanes, the per-session lane scheduler for AI-agent work."
  ),
  Command.withSubcommands([BenchCommand.command, ReplayCommand.command]),
  Command.provideEffectDiscard(({ uvThreadpoolSize }) => ThreadPool.check(uvThreadpoolSize)),
  Command.provide(({ otel }) => otel ? Otel.layerOtlpFromEnv : Layer.empty)
)

/**
 * The parsed and dispatched program for an argv (`process.argv` shape: node, script, args...).
 *
 * @since 0.1.0
 * @category running
 */
export const cli = Command.run(command, { name: "effect-lanes", version })

const messageOf = (error: unknown): string => {
  // a ConfigError's message leaves out the key it is about; its rendering names it
  if (ConfigError.isConfigError(error)) return String(error)
  if (error instanceof Error) return error.message
  if (typeof error === "object" && error !== null && "message" in error && typeof error.message === "string") {
    return error.message
  }
  return String(error)
}

/**
 * The errors that are a usage error (exit code 2): a bad command line (`@effect/cli`'s validation errors, an
 * option that does not fit the others, `--uv-threadpool-size` outside the executable) and an unknown trace
 * format.
 */
const usageErrors: ReadonlyArray<string> = ["InvalidArgument", "ThreadPoolNotApplied", "UnknownTraceFormat"]

/**
 * Renders a failed run as one line on stderr (nothing for command-line validation errors, which `@effect/cli`
 * has already printed) and sets the exit code: 2 for a usage error (a bad command line, an unknown trace
 * format), 130 when interrupted, 1 otherwise. Never prints a stack trace.
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
    const validation = failure._tag === "Some" && ValidationError.isValidationError(failure.value)
    const usage = failure._tag === "Some" && usageErrors.some((tag) => Predicate.isTagged(failure.value, tag))
    process.exitCode = validation || usage ? 2 : 1
    if (validation) return
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
    Effect.provide(Layer.mergeAll(NodeContext.layer, Progress.layerStderr, CliConsole.layer)),
    NodeRuntime.runMain({ disableErrorReporting: true, disablePrettyLogger: true })
  )
