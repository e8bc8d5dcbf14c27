/**
 * The replay's report: one table per session, one row per parallel turn and one for all the turns run the same
 * way in both modes, with notes that say what the figures mean and what was left out: the calls-per-response
 * histogram, the share of responses the planner could change, the calls without a recorded duration, the
 * ratios under the noise floor, and a warning when too many calls failed.
 *
 * @since 0.1.0
 */
import * as Format from "../render/format.js"
import type { Table } from "../render/table.js"
import * as Model from "./model.js"
import type * as Oracle from "./oracle.js"
import type * as Prepare from "./prepare.js"
import { noiseFloorMillis, type Result, type TurnRow } from "./replay.js"

const maxSkippedShown = 12
const maxRowsShown = 40

const sum = (values: ReadonlyArray<number>): number => values.reduce((total, value) => total + value, 0)

const turnName = (row: TurnRow): string => `${row.agent === null ? "" : `${row.agent} `}${row.turn}`

const recordedCells = (recorded: Oracle.Analysis | null): Array<string> =>
  recorded === null
    ? ["", "", ""]
    : [Format.number(recorded.oracleMillis, 1), recorded.oraclePlan, Format.number(recorded.regretMillis, 1)]

const counted = (title: string, counts: ReadonlyArray<Prepare.SkipCount>): Array<string> => [
  ...(counts.length > 0 ? [title] : []),
  ...counts.slice(0, maxSkippedShown).map((skip) => `  ${skip.count}× ${skip.reason} (first: ${skip.first})`),
  ...(counts.length > maxSkippedShown ? [`  ... and ${counts.length - maxSkippedShown} more reasons (in --json)`] : [])
]

const histogram = (result: Result): string =>
  Object.entries(result.callsPerResponse)
    .sort((a, b) => Number(a[0]) - Number(b[0]))
    .map(([calls, count]) => `${calls}: ${count}`)
    .join(", ")

const title = (result: Result): string =>
  `Replay of ${result.trace}${result.session === null ? "" : ` (${result.session})`} (${
    Model.labels[result.format]
  }, ${result.container.toUpperCase()}) ${
    result.simulated
      ? `in simulated time with the recorded durations: ${result.runs} run(s)`
      : `over ${result.directory ?? ""}: median of ${result.runs} interleaved runs (min–max)`
  }`

const notes = (result: Result): Array<string> => [
  ...result.warnings.map((warning) => `WARNING: ${warning}`),
  `${result.replayedCalls} of ${result.recordedCalls} recorded call(s) replayed in ${result.turns.length} turn(s); ` +
  `the largest response has ${result.largestTurn} call(s).`,
  ...(result.responses === 0 ? [] : [
    `Calls per response (${result.responses} responses): ${histogram(result)}. ${result.changeableResponses} (${
      Format.number(100 * (result.changeableShare ?? 0), 1)
    }%) have several replayed calls, whose plan the Strategy could change.`
  ]),
  result.parallelTurns === 0
    ? "No turn of this trace runs in parallel: the lanes run every turn as recorded, so there is no speed-up to measure."
    : `${result.parallelTurns} turn(s) run in parallel; the speed-up is measured on those only.`,
  ...(result.speedupIsNoise
    ? [
      `Every parallel turn took under ${noiseFloorMillis} ms: its ratio is scheduling noise, not a speed-up ` +
      "(replay with --use-recorded-latency for the agent's own durations)."
    ]
    : result.turns.some((row) => row.parallel && row.noise)
    ? [`Turns under ${noiseFloorMillis} ms in all show "noise" instead of a ratio.`]
    : []),
  `Planned by the Strategy with minToolCount ${result.parallelMinTools} (--parallel-min-tools).`,
  ...(result.simulated
    ? [
      `Simulated: each call took its recorded duration on a virtual clock (${
        Format.number((result.virtualMillis ?? 0) / 1000, 1)
      } s of it, in ${Format.number(result.replayMillis / 1000, 2)} s); nothing ran, so failures are not known.`
    ]
    : []),
  ...(result.durationSources.length === 0 ? [] : [
    `Recorded durations from: ${result.durationSources.map((s) => `${s.source} (${s.count})`).join(", ")}.`
  ]),
  ...(result.recorded === null
    ? []
    : [
      `Recorded durations cover ${result.recorded.turns} turn(s): the default Strategy would take ` +
      `${Format.number(result.recorded.strategyMillis, 1)} ms, the best plan ${
        Format.number(result.recorded.oracleMillis, 1)
      } ms (regret ${
        Format.number(result.recorded.regretMillis, 1)
      } ms, in ${result.recorded.turnsWithRegret} turn(s)).`
    ]),
  ...counted(
    `${result.callsWithoutDuration} replayed call(s) have no recorded duration${
      result.simulated ? " (they took no time)" : ""
    }, by reason:`,
    result.withoutDuration
  ),
  ...(result.subagents.length > 0 ? [`Subagent traces read: ${result.subagents.join(", ")}.`] : []),
  ...(result.scratchCopy ? ["Write, edit and bash calls ran in a fresh scratch copy of the directory per run."] : []),
  ...(result.linksLeftOut > 0
    ? [`${result.linksLeftOut} symlink(s) pointing outside the directory were not copied.`]
    : []),
  ...(result.recordedRoot === null
    ? []
    : [
      `Paths under ${result.recordedRoot} (${result.recordedRootSource ?? ""} recorded root) were rebased ${
        result.simulated ? "onto it" : "onto the directory"
      }.`
    ]),
  ...(result.failedCalls > 0
    ? [`${result.failedCalls} call(s) failed in each run (counted in the times); first: ${result.firstFailure ?? ""}`]
    : []),
  ...counted("Skipped, by reason (in turn order):", result.skipped)
]

/**
 * The replay's table for one session.
 *
 * @since 0.1.0
 * @category rendering
 */
export const table = (result: Result): Table => {
  const parallel = result.turns.filter((row) => row.parallel)
  const same = result.turns.filter((row) => !row.parallel)
  const shown = parallel.slice(0, maxRowsShown)
  const sumOf = (rows: ReadonlyArray<TurnRow>, pick: (row: TurnRow) => number) => Format.number(sum(rows.map(pick)), 1)
  const anyRecorded = result.recorded !== null
  const recordedHeaders = anyRecorded ? ["oracle ms (recorded)", "oracle plan", "regret ms"] : []
  const cells = (row: TurnRow) => anyRecorded ? recordedCells(row.recorded) : []
  const blanks = anyRecorded ? ["", "", ""] : []
  const ratio = (row: TurnRow) => row.speedup === null ? "" : row.noise ? "noise" : Format.ratio(row.speedup)
  return {
    title: title(result),
    headers: ["turn", "calls", "tools", "lanes plan", "sequential ms", "lanes ms", "speed-up", ...recordedHeaders],
    rows: [
      ...shown.map((row) => [
        turnName(row),
        String(row.calls),
        row.tools,
        row.plan,
        Format.summary(row.sequentialMillis, 1),
        Format.summary(row.lanesMillis, 1),
        ratio(row),
        ...cells(row)
      ]),
      ...(parallel.length > shown.length
        ? [[`+${parallel.length - shown.length}`, "", "more parallel turns (in --json)", "", "", "", "", ...blanks]]
        : []),
      ...(same.length === 0 ? [] : [[
        `${same.length} other`,
        String(sum(same.map((row) => row.calls))),
        "",
        "Sequential (same in both runs)",
        sumOf(same, (row) => row.sequentialMillis.median),
        sumOf(same, (row) => row.lanesMillis.median),
        "",
        ...blanks
      ]]),
      [
        "parallel",
        String(sum(parallel.map((row) => row.calls))),
        "",
        `${result.parallelTurns} of ${result.turns.length} turns`,
        result.parallelSequentialMillis === null ? "" : Format.number(result.parallelSequentialMillis, 1),
        result.parallelLanesMillis === null ? "" : Format.number(result.parallelLanesMillis, 1),
        result.speedup === null ? "" : result.speedupIsNoise ? "noise" : Format.ratio(result.speedup),
        ...blanks
      ]
    ],
    notes: notes(result)
  }
}
