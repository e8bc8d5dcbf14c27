/**
 * `effect-lanes replay TRACE`: the command and its options, validated by `@effect/cli` (see `options.ts`). Exits non-zero when nothing in
 * the trace could be replayed (after printing why), and with 2 when the trace's format is unknown.
 *
 * @since 0.1.0
 */
import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as CliOptions from "../options.js"
import * as Output from "../render/output.js"
import { NothingToReplay } from "../replay/errors.js"
import * as Model from "../replay/model.js"
import * as Replay from "../replay/replay.js"

const config = {
  trace: Args.file({ name: "TRACE", exists: "yes" }).pipe(
    Args.withDescription(
      "A recorded agent session: Claude Code, Codex CLI, Gemini CLI, SWE-agent, mini-swe-agent, OpenHands, " +
        "Cline/Roo, OpenAI chat completions or Responses items, or Anthropic messages (JSON or JSONL)."
    )
  ),
  dir: CliOptions.dir(".", "the current directory", "The directory the calls run over."),
  format: Options.choice("format", ["auto", ...Model.formats]).pipe(
    Options.withDescription("The trace's format; auto detects it."),
    CliOptions.withDefault("auto")
  ),
  runs: CliOptions.runs(3, "Recorded runs of the whole trace in each way, after one warm-up run."),
  concurrency: CliOptions.concurrency(8, "The query lane's concurrency for the lanes run."),
  latency: CliOptions.latency(0, "Latency injected before every executed call."),
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
  parallelMinTools: CliOptions.integer(
    "parallel-min-tools",
    { min: 1, max: 1024 },
    "The Strategy's minToolCount: the fewest query calls a turn needs to run in parallel.",
    "LANES_PARALLEL_MIN_TOOLS"
  ).pipe(
    Options.withDescription("Default: LANES_PARALLEL_MIN_TOOLS, else the Strategy's default."),
    Options.optional
  ),
  json: CliOptions.json
}

type Parsed = Command.Command.ParseConfig<typeof config>

const handler = (parsed: Parsed) =>
  Effect.gen(function*() {
    const result = yield* Replay.run({
      trace: parsed.trace,
      root: parsed.dir,
      format: parsed.format,
      runs: parsed.runs,
      concurrency: parsed.concurrency,
      latency: parsed.latency,
      useRecordedLatency: parsed.useRecordedLatency,
      runBash: parsed.runBash,
      parallelMinTools: Option.getOrUndefined(parsed.parallelMinTools)
    })
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
