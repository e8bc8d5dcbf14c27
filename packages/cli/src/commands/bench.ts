/**
 * `effect-lanes bench`: the command, its options, and their validation.
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
import * as Parse from "../parse.js"
import * as Output from "../render/output.js"

/**
 * The defaults of `bench`, chosen so that a plain `effect-lanes bench` finishes within a minute on a 2-core
 * machine.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaults = {
  sizes: "2,4,6,8,10,12",
  latency: "20 millis",
  runs: 5,
  tasks: 3_000,
  concurrency: 8,
  rounds: 3,
  ids: 200_000
} as const

const options = {
  dir: Options.text("dir").pipe(
    Options.withAlias("d"),
    Options.withPseudoName("DIRECTORY"),
    Options.withDefault(Files.defaultDirectory),
    Options.withDescription("The directory whose files are read (default: this package's own source tree).")
  ),
  scenario: Options.choice("scenario", Bench.scenarios).pipe(
    Options.withAlias("s"),
    Options.repeated,
    Options.withDescription(
      "Run only this scenario; repeat to run several (default: all but turn, fast, runtime and cluster). plan = the planner's regret " +
        "over a grid of turns, turn = turn speed-up, fast = fast local work, queue = queue cost, ids = task IDs, " +
        "memory = heap with pending tasks, runtime = thread pool sizing, ai = an @effect/ai agent step of 8 x 50 ms " +
        "reads, laned vs @effect/ai's unbounded resolution, replay = the example traces replayed, cluster = durable " +
        "turns (opt-in: only with -s cluster; Postgres runs need LANES_CLUSTER_DATABASE_URL)."
    )
  ),
  sizes: Options.text("sizes").pipe(
    Options.withPseudoName("N,N,..."),
    Options.withDefault(defaults.sizes),
    Options.withDescription("Turn speed-up: the numbers of read calls N, comma-separated.")
  ),
  latency: Options.text("latency").pipe(
    Options.withPseudoName("DURATION"),
    Options.withDefault(defaults.latency),
    Options.withDescription("Turn speed-up: latency injected per call, e.g. \"20 millis\"; 0 for purely local.")
  ),
  runs: Options.integer("runs").pipe(
    Options.withDefault(defaults.runs),
    Options.withDescription("Turn speed-up: recorded runs per mode and N (fast local work: 2 x runs).")
  ),
  tasks: Options.integer("tasks").pipe(
    Options.withDefault(defaults.tasks),
    Options.withDescription("Queue cost and memory: no-op tasks per run (the issue's full size is 100000).")
  ),
  concurrency: Options.integer("concurrency").pipe(
    Options.withDefault(defaults.concurrency),
    Options.withDescription("Queue cost: concurrency of every contender (four lanes: a quarter each).")
  ),
  rounds: Options.integer("rounds").pipe(
    Options.withDefault(defaults.rounds),
    Options.withDescription("Queue cost, task IDs, memory, runtime sizing: recorded interleaved rounds.")
  ),
  ids: Options.integer("ids").pipe(
    Options.withDefault(defaults.ids),
    Options.withDescription("Task IDs: IDs generated per run.")
  ),
  poolSizes: Options.text("pool-sizes").pipe(
    Options.withPseudoName("N,N,..."),
    Options.optional,
    Options.withDescription("Runtime sizing: UV_THREADPOOL_SIZE values to compare (default: 4 and max(4, 2 x cores)).")
  ),
  noCache: Options.boolean("no-threadpool-cache").pipe(
    Options.withDescription("Runtime sizing: do not cache the chosen thread pool size for the CLI's start-up.")
  ),
  json: Output.jsonOption,
  chart: Options.text("chart").pipe(
    Options.withPseudoName("FILE.svg"),
    Options.optional,
    Options.withDescription("Draw the turn speed-up against N for each mode, with the ideal lines, to this SVG file.")
  )
}

type Parsed = Command.Command.ParseConfig<typeof options>

const settings = (parsed: Parsed) =>
  Effect.gen(function*() {
    const scenarios = parsed.scenario.length === 0 ?
      Bench.defaultScenarios :
      Bench.scenarios.filter((s) => parsed.scenario.includes(s))
    if (Option.isSome(parsed.chart) && !scenarios.includes("turn")) {
      return yield* new InvalidArgument({ option: "--chart", reason: "needs the turn scenario (--scenario turn)" })
    }
    const value: Bench.Settings = {
      root: yield* Files.directory(parsed.dir),
      scenarios,
      sizes: yield* Parse.integers("--sizes", parsed.sizes),
      latency: yield* Parse.duration("--latency", parsed.latency),
      runs: yield* Parse.integer("--runs", parsed.runs, 1, 1000),
      tasks: yield* Parse.integer("--tasks", parsed.tasks, 1, 10_000_000),
      concurrency: yield* Parse.integer("--concurrency", parsed.concurrency, 1, 1024),
      rounds: yield* Parse.integer("--rounds", parsed.rounds, 1, 1000),
      ids: yield* Parse.integer("--ids", parsed.ids, 1, 100_000_000),
      poolSizes: Option.isSome(parsed.poolSizes)
        ? Option.some(yield* Parse.integers("--pool-sizes", parsed.poolSizes.value))
        : Option.none(),
      cacheThreadPool: !parsed.noCache,
      json: parsed.json,
      chart: parsed.chart
    }
    return value
  })

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
    "Measure lanes against the alternatives: turn speed-up, fast local work, queue cost, task IDs, memory and " +
      "thread pool sizing. Prints a table per scenario; a progress line on stderr shows what is running."
  )
)
