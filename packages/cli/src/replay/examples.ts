/**
 * The `replay` step of `bench`: the example traces shipped in `examples/traces/` (a Claude Code session in the
 * current layout with a subagent file, a Codex rollout and a Gemini CLI session) replayed over this package's
 * own tree, in simulated time with their recorded durations, one table each. Skipped when the examples are not there (an
 * installed package ships without them).
 *
 * @since 0.1.0
 */
import type * as CommandExecutor from "@effect/platform/CommandExecutor"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Path from "@effect/platform/Path"
import * as Console from "effect/Console"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import { fileURLToPath } from "node:url"
import type { BenchFailed, InvalidArgument, TraceUnreadable, UnknownTraceFormat } from "../errors.js"
import * as Output from "../render/output.js"
import type * as Progress from "../render/progress.js"
import * as Replay from "./replay.js"
import * as Report from "./report.js"

/**
 * The example traces, relative to `examples/traces/`.
 *
 * @since 0.1.0
 * @category constants
 */
export const traces: ReadonlyArray<string> = [
  "claude-code/session-example.jsonl",
  "codex-rollout.jsonl",
  "gemini-stream.jsonl"
]

/**
 * The repository root, whose files the example traces read (`packages/cli/src/replay` four levels up). In an
 * installed CLI there is no such checkout and `run` finds no traces.
 *
 * @since 0.1.0
 * @category constants
 */
export const repositoryRoot: string = fileURLToPath(new URL("../../../..", import.meta.url))

/**
 * Replays every example trace once (after a warm-up) with its recorded durations, printing a table each.
 *
 * @since 0.1.0
 * @category running
 */
export const run = (
  runs = 1
): Effect.Effect<
  ReadonlyArray<Replay.Result>,
  TraceUnreadable | UnknownTraceFormat | BenchFailed | InvalidArgument,
  FileSystem.FileSystem | Path.Path | CommandExecutor.CommandExecutor | Progress.Progress
> =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const folder = path.join(repositoryRoot, "examples", "traces")
    const present = yield* Effect.orElseSucceed(fs.exists(folder), () => false)
    if (!present) {
      // an installed CLI: the traces read this repository's files, so they ship with the repository only
      yield* Console.log(
        `replay: no example traces in ${folder} (they come with a checkout of the repository); skipped`
      )
      return []
    }
    const results = yield* Effect.forEach(traces, (trace) =>
      Effect.tap(
        Replay.run({
          trace: path.join(folder, trace),
          dir: repositoryRoot.replace(/\/$/, ""),
          format: "auto",
          runs,
          concurrency: 8,
          latency: Duration.zero,
          useRecordedLatency: true,
          runBash: false
        }),
        (sessions) => Effect.forEach(sessions, (result) => Output.printTable(Report.table(result)))
      ))
    return results.flat()
  })
