/**
 * `effect-lanes replay TRACE`: the command, its options, and their validation. Exits non-zero when nothing in
 * the trace could be replayed (after printing why), and with 2 when the trace's format is unknown.
 *
 * @since 0.1.0
 */
import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as Config from "effect/Config"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Files from "../bench/files.js"
import * as Parse from "../parse.js"
import * as Output from "../render/output.js"
import { NothingToReplay } from "../replay/errors.js"
import * as Model from "../replay/model.js"
import * as Replay from "../replay/replay.js"

const config = {
  trace: Args.text({ name: "TRACE" }).pipe(
    Args.withDescription(
      "A recorded agent session: Claude Code, Codex CLI, Gemini CLI, SWE-agent, mini-swe-agent, OpenHands, " +
        "Cline/Roo, OpenAI chat completions or Responses items, or Anthropic messages (JSON or JSONL)."
    )
  ),
  dir: Options.text("dir").pipe(
    Options.withAlias("d"),
    Options.withPseudoName("DIRECTORY"),
    Options.withDefault("."),
    Options.withDescription("The directory the calls run over (default: the current directory).")
  ),
  format: Options.choice("format", ["auto", ...Model.formats]).pipe(
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
      "For calls whose duration the trace records (explicit durations, else result time minus call time), " +
        "sleep that long instead of running them; bash calls are then simulated too."
    )
  ),
  runBash: Options.boolean("run-bash").pipe(
    Options.withDescription(
      "Run recorded shell commands in the scratch copy (skipped otherwise: they could do anything); background " +
        "commands are not waited for and are stopped at the end of each run."
    )
  ),
  parallelMinTools: Options.integer("parallel-min-tools").pipe(
    Options.withFallbackConfig(Config.integer("LANES_PARALLEL_MIN_TOOLS")),
    Options.optional,
    Options.withDescription(
      "The Strategy's minToolCount: the fewest query calls a turn needs to run in parallel (default: " +
        "LANES_PARALLEL_MIN_TOOLS, else the Strategy's default)."
    )
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
      parallelMinTools: Option.isSome(parsed.parallelMinTools)
        ? yield* Parse.integer("--parallel-min-tools", parsed.parallelMinTools.value, 1, 1024)
        : undefined
    }
    const result = yield* Replay.run(options)
    yield* Output.printTable(Replay.table(result))
    if (Option.isSome(parsed.json)) yield* Output.writeJson(parsed.json.value, result)
    if (result.turns.length === 0) {
      const top = [...result.skipped].sort((a, b) => b.count - a.count)[0]
      return yield* new NothingToReplay({
        path: parsed.trace,
        reason: result.recordedCalls === 0
          ? `no tool call found in this ${Model.labels[result.format]}`
          : `none of its ${result.recordedCalls} call(s) could be replayed${
            top === undefined ? "" : ` (most often: ${top.reason})`
          }`
      })
    }
  })

/**
 * The `replay` command.
 *
 * @since 0.1.0
 * @category commands
 */
export const command = Command.make("replay", config, handler).pipe(
  Command.withDescription(
    "Replay the tool calls of a recorded agent session over a directory, turn by turn, sequentially and " +
      "through the lanes with the Strategy, and report what was measured: the speed-up of the turns the " +
      "Strategy runs in parallel and, from recorded durations, the best plan and the Strategy's regret. Calls " +
      "that cannot be mapped onto the built-in tools are counted by reason and skipped."
  )
)
