/**
 * `effect-lanes replay TRACE`: the command and its options, validated by `@effect/cli` (see `options.ts`).
 *
 * Exit codes: 0 when at least one call of the trace was replayed, even with warnings (too many failed calls,
 * calls without a recorded duration: they are in the report, not in the exit code); 1 when nothing in the
 * trace could be replayed (after printing the table and why), when the trace cannot be read, or when the replay
 * itself fails; 2 for a usage error (a bad option, an unknown trace format); 130 when interrupted.
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
import * as Report from "../replay/report.js"

const config = {
  trace: Args.file({ name: "TRACE", exists: "yes" }).pipe(
    Args.withDescription(
      "A recorded agent session: Claude Code (session or stream-json), Codex CLI, OpenCode (export or run --format " +
        "json), Gemini CLI (session or stream-json), SWE-agent, mini-swe-agent, OpenHands (V0 or V1 events), " +
        "Cline/Roo, OpenAI chat completions or Responses items, or Anthropic messages (JSON or JSONL, UTF-8 or " +
        "UTF-16 with a byte-order mark). A file holding several sessions replays each."
    )
  ),
  dir: CliOptions.dir(
    ".",
    "the current directory",
    "The directory the calls run over (not used with --use-recorded-latency, which runs nothing)."
  ),
  root: Options.text("root").pipe(
    Options.withPseudoName("PATH"),
    Options.withDescription(
      "The project root the agent worked in, as the trace's paths spell it (e.g. /home/me/app or C:\\Users\\me\\app), " +
        "when the trace records none or another. Default: the root the trace states, else the one its paths " +
        "agree on in --dir, else the folder common to its absolute paths."
    ),
    Options.optional
  ),
  format: Options.choice("format", ["auto", ...Model.formats]).pipe(
    Options.withDescription("The trace's format; auto detects it."),
    CliOptions.withDefault("auto")
  ),
  runs: CliOptions.runs(3, "Recorded runs of the whole trace in each way, after one warm-up run."),
  concurrency: CliOptions.concurrency(8, "The query lane's concurrency for the lanes run."),
  latency: CliOptions.latency(0, "Latency injected before every executed call."),
  useRecordedLatency: Options.boolean("use-recorded-latency").pipe(
    Options.withDescription(
      "Simulate every call with the duration the agent recorded (a call without one takes none, and is " +
        "counted), on a virtual clock: the real planner and lanes, a day-long session in seconds, no checkout needed."
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
    const results = yield* Replay.run({
      trace: parsed.trace,
      dir: parsed.dir,
      root: Option.getOrUndefined(parsed.root),
      format: parsed.format,
      runs: parsed.runs,
      concurrency: parsed.concurrency,
      latency: parsed.latency,
      useRecordedLatency: parsed.useRecordedLatency,
      runBash: parsed.runBash,
      parallelMinTools: Option.getOrUndefined(parsed.parallelMinTools)
    })
    for (const result of results) yield* Output.printTable(Report.table(result))
    if (Option.isSome(parsed.json)) {
      // one session: its result, as always; several: each, in file order
      yield* Output.writeJson(
        parsed.json.value,
        results.length === 1 ? results[0] : { trace: parsed.trace, sessions: results }
      )
    }
    if (results.every((result) => result.turns.length === 0)) {
      const recorded = results.reduce((total, result) => total + result.recordedCalls, 0)
      const top = results.flatMap((result) => result.skipped).sort((a, b) => b.count - a.count)[0]
      return yield* new NothingToReplay({
        path: parsed.trace,
        reason: recorded === 0
          ? `no tool call found in this ${results.map((result) => Model.labels[result.format]).join(" or ")}`
          : `none of its ${recorded} call(s) could be replayed${
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
      "that cannot be mapped onto the built-in tools are counted by reason and skipped. Exit code 0 when a " +
      "call was replayed, 1 when none could be (or the trace cannot be read), 2 for a usage error."
  )
)
