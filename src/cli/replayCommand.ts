/**
 * `effect-lanes replay TRACE`: the command, its options, and their validation.
 *
 * @since 0.1.0
 */
import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Files from "./files.js"
import * as Output from "./output.js"
import * as Parse from "./parse.js"
import * as Replay from "./replay.js"

const config = {
  trace: Args.text({ name: "TRACE" }).pipe(
    Args.withDescription("A recorded conversation: OpenAI chat-completion or Anthropic messages, as JSON or JSONL.")
  ),
  dir: Options.text("dir").pipe(
    Options.withAlias("d"),
    Options.withPseudoName("DIRECTORY"),
    Options.withDefault("."),
    Options.withDescription("The directory the calls run over (default: the current directory).")
  ),
  format: Options.choice("format", ["auto", "openai", "anthropic"]).pipe(
    Options.withDefault("auto"),
    Options.withDescription("The trace's format (default: detected).")
  ),
  runs: Options.integer("runs").pipe(
    Options.withDefault(3),
    Options.withDescription("Recorded runs of the whole trace in each way, after one warm-up run.")
  ),
  concurrency: Options.integer("concurrency").pipe(
    Options.withDefault(8),
    Options.withDescription("The query lane's concurrency for the lanes run.")
  ),
  latency: Options.text("latency").pipe(
    Options.withPseudoName("DURATION"),
    Options.withDefault("0"),
    Options.withDescription("Latency injected before every executed call, e.g. \"20 millis\" (default 0).")
  ),
  useRecordedLatency: Options.boolean("use-recorded-latency").pipe(
    Options.withDescription(
      "For calls whose duration the trace records (duration_ms / durationMs), sleep that long instead of running them."
    )
  ),
  runBash: Options.boolean("run-bash").pipe(
    Options.withDescription(
      "Run recorded bash commands in the scratch copy (skipped otherwise: they could do anything)."
    )
  ),
  costAware: Options.boolean("cost-aware").pipe(
    Options.withDescription("Plan turns with the cost rule, from per-tool latencies learnt in the warm-up run.")
  ),
  json: Output.jsonOption
}

type Parsed = Command.Command.ParseConfig<typeof config>

const handler = (parsed: Parsed) =>
  Effect.gen(function*() {
    const options: Replay.Options = {
      trace: parsed.trace,
      root: yield* Files.directory(parsed.dir),
      format: parsed.format,
      runs: yield* Parse.integer("--runs", parsed.runs, 1, 1000),
      concurrency: yield* Parse.integer("--concurrency", parsed.concurrency, 1, 1024),
      latency: yield* Parse.duration("--latency", parsed.latency),
      useRecordedLatency: parsed.useRecordedLatency,
      runBash: parsed.runBash,
      costAware: parsed.costAware
    }
    const result = yield* Replay.run(options)
    yield* Output.printTable(Replay.table(result))
    if (Option.isSome(parsed.json)) yield* Output.writeJson(parsed.json.value, result)
  })

/**
 * The `replay` command.
 *
 * @since 0.1.0
 * @category commands
 */
export const command = Command.make("replay", config, handler).pipe(
  Command.withDescription(
    "Replay the tool calls of a recorded agent conversation over a directory, turn by turn, sequentially and " +
      "through the lanes with the Strategy, and report the time of each and the speed-up. Tool names such as " +
      "Read, read_file, Grep, Glob, LS, Bash, Edit, MultiEdit and Write map onto the built-in tools; calls that " +
      "cannot be mapped or parsed are reported and skipped."
  )
)
