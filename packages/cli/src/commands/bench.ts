/**
 * `effect-lanes bench`: the command and its options. `@effect/cli` validates every value (see `options.ts`);
 * the handler only turns the parsed options into the run's settings.
 *
 * @since 0.1.0
 */
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Files from "../bench/files.js"
import * as Bench from "../bench/run.js"
import { InvalidArgument } from "../errors.js"
import * as CliOptions from "../options.js"

const options = {
  dir: CliOptions.dir(
    Files.defaultDirectory,
    "this package's own source tree",
    "The directory whose files are read (plan, turn, fast, runtime)."
  ),
  scenario: Options.choice("scenario", Bench.scenarios).pipe(
    Options.withAlias("s"),
    Options.repeated,
    Options.withDescription(
      "Run only this scenario; repeat to run several. plan = the planner's regret " +
        "over a grid of turns, turn = turn speed-up, fast = fast local work, queue = queue cost, ids = task IDs, " +
        "memory = heap with pending tasks, runtime = thread pool sizing, ai = an @effect/ai agent step of 8 x 50 ms " +
        "reads, laned vs @effect/ai's unbounded resolution, replay = the example traces replayed, cluster = durable " +
        "turns (opt-in: only with -s cluster; Postgres runs need LANES_CLUSTER_DATABASE_URL). Default: all but " +
        "turn, fast, runtime and cluster."
    )
  ),
  sizes: CliOptions.integers(
    "sizes",
    { min: 1, max: 1024 },
    "Turn speed-up: the numbers of read calls N in a turn."
  ).pipe(CliOptions.withDefault([2, 4, 6, 8, 10, 12])),
  latency: CliOptions.latency(20, "Turn speed-up: latency injected before every call; 0 for purely local work."),
  runs: CliOptions.runs(
    5,
    "Recorded runs per contender: turn speed-up (per mode and N), plan (at the fast points), fast local work " +
      "(2 x runs), ai (4 x runs)."
  ),
  tasks: CliOptions.integer(
    "tasks",
    { min: 1, max: 10_000_000 },
    "Queue cost and memory: no-op tasks per run; 100000 for the full-size measurement."
  ).pipe(CliOptions.withDefault(3_000)),
  concurrency: CliOptions.concurrency(
    8,
    "Queue cost: the concurrency of every contender (four lanes: a quarter each)."
  ),
  rounds: CliOptions.integer(
    "rounds",
    { min: 1, max: 1000 },
    "Queue cost, task IDs, memory, runtime sizing, cluster: recorded interleaved rounds."
  ).pipe(CliOptions.withDefault(3)),
  ids: CliOptions.integer("ids", { min: 1, max: 100_000_000 }, "Task IDs: IDs generated per run.").pipe(
    CliOptions.withDefault(200_000)
  ),
  poolSizes: CliOptions.integers(
    "pool-sizes",
    { min: 1, max: 1024 },
    "Runtime sizing: the UV_THREADPOOL_SIZE values to compare."
  ).pipe(Options.withDescription("Default: 4 and max(4, 2 x cores)."), Options.optional),
  json: CliOptions.json,
  chart: Options.file("chart").pipe(
    Options.withPseudoName("FILE.svg"),
    Options.withDescription(
      "Draw the turn speed-up against N for each mode, with the ideal lines, to this SVG file (needs -s turn)."
    ),
    Options.optional
  )
}

type Parsed = Command.Command.ParseConfig<typeof options>

const settings = (parsed: Parsed): Effect.Effect<Bench.Settings, InvalidArgument> => {
  const scenarios = parsed.scenario.length === 0 ?
    Bench.defaultScenarios :
    Bench.scenarios.filter((s) => parsed.scenario.includes(s))
  if (Option.isSome(parsed.chart) && !scenarios.includes("turn")) {
    return Effect.fail(new InvalidArgument({ option: "--chart", reason: "needs the turn scenario (--scenario turn)" }))
  }
  return Effect.succeed({
    root: parsed.dir,
    scenarios,
    sizes: parsed.sizes,
    latency: parsed.latency,
    runs: parsed.runs,
    tasks: parsed.tasks,
    concurrency: parsed.concurrency,
    rounds: parsed.rounds,
    ids: parsed.ids,
    poolSizes: parsed.poolSizes,
    json: parsed.json,
    chart: parsed.chart
  })
}

/**
 * The `bench` command.
 *
 * @since 0.1.0
 * @category commands
 */
export const command = Command.make(
  "bench",
  options,
  (parsed) => Effect.flatMap(settings(parsed), Bench.run).pipe(Effect.asVoid)
).pipe(
  Command.withDescription(
    "Measure lanes against the alternatives: the planner's regret, turn speed-up, fast local work, queue cost, " +
      "task IDs, memory, thread pool sizing, an @effect/ai step, the example traces and durable turns. Prints a " +
      "table per scenario; a progress line on stderr shows what is running."
  )
)
