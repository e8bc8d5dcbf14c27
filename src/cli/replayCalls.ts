/**
 * Turning a parsed trace into calls ready to replay: mapped onto the built-in tools, paths rebased onto the
 * replay directory, `bash` left out unless allowed or simulated; everything left out is reported.
 *
 * @since 0.1.0
 */
import type * as FileSystem from "@effect/platform/FileSystem"
import type * as Path from "@effect/platform/Path"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import type * as Strategy from "../Strategy.js"
import * as Rebase from "./rebase.js"
import * as ToolMapping from "./toolMapping.js"
import type * as Trace from "./trace.js"

/**
 * One call ready to replay.
 *
 * @since 0.1.0
 * @category models
 */
export interface ReplayCall {
  readonly id: string
  readonly recordedName: string
  readonly mapped: ToolMapping.Mapped
  readonly recordedMillis: Option.Option<number>
}

/**
 * The turns of a trace with their replayable calls (turns left with none are dropped), what was skipped, and
 * the learnt recorded root.
 *
 * @since 0.1.0
 * @category constructors
 */
export const prepare = (
  trace: Trace.Trace,
  root: string,
  options: { readonly useRecordedLatency: boolean; readonly runBash: boolean }
): Effect.Effect<
  {
    readonly turns: ReadonlyArray<{ readonly index: number; readonly calls: ReadonlyArray<ReplayCall> }>
    readonly skipped: ReadonlyArray<Trace.Skipped>
    readonly prefix: Option.Option<string>
  },
  never,
  FileSystem.FileSystem | Path.Path
> =>
  Effect.gen(function*() {
    const skipped: Array<Trace.Skipped> = [...trace.skipped]
    const first = trace.turns.map((turn) =>
      turn.calls.flatMap((call) => {
        const mapped = ToolMapping.map(call.name, call.input)
        if (Either.isLeft(mapped)) {
          skipped.push({ where: `turn ${turn.index}, call ${call.id} (${call.name})`, reason: mapped.left })
          return []
        }
        return [{ call, mapped: mapped.right }]
      })
    )
    const recordedPaths = first.flat().flatMap(({ mapped }) => ToolMapping.paths(mapped))
    const { prefix, rebase } = yield* Rebase.make(root, recordedPaths)
    const turns = trace.turns.map((turn, t) => ({
      index: turn.index,
      calls: (first[t] ?? []).flatMap(({ call, mapped }): Array<ReplayCall> => {
        const where = `turn ${turn.index}, call ${call.id} (${call.name})`
        const simulated = options.useRecordedLatency && Option.isSome(call.recordedMillis)
        if (mapped.tool === "bash" && !options.runBash && !simulated) {
          skipped.push({ where, reason: "bash is only run with --run-bash (or simulated with --use-recorded-latency)" })
          return []
        }
        const rebased = ToolMapping.mapPaths(mapped, rebase)
        if (Either.isLeft(rebased)) {
          skipped.push({ where, reason: rebased.left })
          return []
        }
        return [{ id: call.id, recordedName: call.name, mapped: rebased.right, recordedMillis: call.recordedMillis }]
      })
    })).filter((turn) => turn.calls.length > 0)
    return { turns, skipped, prefix }
  })

/**
 * The `Strategy.ToolCall` of a replayed call: the built-in tool's name and its first step's arguments.
 *
 * @since 0.1.0
 * @category constructors
 */
export const toolCall = (call: ReplayCall): Strategy.ToolCall => ({
  id: call.id,
  name: call.mapped.tool,
  args: call.mapped.steps[0] ?? {}
})

/**
 * The tools of a turn, e.g. `read×6 grep`.
 *
 * @since 0.1.0
 * @category rendering
 */
export const describeTools = (calls: ReadonlyArray<ReplayCall>): string => {
  const counts = new Map<string, number>()
  for (const call of calls) counts.set(call.mapped.tool, (counts.get(call.mapped.tool) ?? 0) + 1)
  return [...counts].map(([tool, count]) => count === 1 ? tool : `${tool}×${count}`).join(" ")
}
