/**
 * Claude Code session files (`~/.claude/projects/<project>/<session>.jsonl`): one JSON line per event, with
 * `type` `user` / `assistant`, the API `message`, `timestamp` and the project root as `cwd`. Older versions put
 * the parallel `tool_use` blocks of one response on one line; current versions write each on its own line, with
 * its `tool_result` (and `progress` lines) in between, so a turn is the calls of one model response:
 * `message.id`, else `requestId`, else the line. Durations come from `toolUseResult.durationMs` (or
 * `totalDurationMs`) when the result has one, else from the result line's time minus the call line's time
 * (which includes the wait for a permission prompt: Claude Code records none apart).
 *
 * The headless output (`claude -p --output-format stream-json`) is read too: the same `user` / `assistant`
 * lines with `session_id`, the root in the `system` `init` line's `cwd`, results' `tool_use_result`, and no
 * timestamps, so only `tool_use_result.durationMs` gives a duration. Calls a subagent made (`parent_tool_use_id`
 * set) are turns of their own, named after the Task call that started it.
 *
 * @since 0.1.0
 */
import * as Option from "effect/Option"
import * as Json from "../json.js"
import * as Model from "../model.js"
import { badLines, type Document, entries, type Reader, toolUses, where } from "./document.js"

const isEvent = (value: unknown): boolean =>
  Json.isObj(value) && (value["type"] === "user" || value["type"] === "assistant") &&
  Json.isObj(value["message"]) &&
  ("sessionId" in value || "session_id" in value || "uuid" in value || "parentUuid" in value ||
    "timestamp" in value)

const isInit = (value: unknown): boolean =>
  Json.str(value, "type") === "system" && Json.str(value, "subtype") === "init" && Json.str(value, "cwd") !== undefined

const usable = (id: string | undefined): string | undefined =>
  id === undefined || id === "" || id.startsWith("[") ? undefined : id // "[REDACTED]"-style placeholders

/** The explicit duration of a result, with its field. */
const durationOf = (result: Json.Obj | undefined, field: string): readonly [number | undefined, string] => {
  const ms = Json.num(result, "durationMs")
  return ms !== undefined
    ? [ms, `${field}.durationMs`]
    : [Json.num(result, "totalDurationMs"), `${field}.totalDurationMs`]
}

/**
 * @since 0.1.0
 * @category readers
 */
export const reader: Reader = {
  format: "claude-code",
  detect: (document) => entries(document, ["loglines"]).some(({ value }) => isEvent(value)),
  owns: (value) => isEvent(value) || isInit(value),
  read: (document: Document) => {
    const main = new Model.Builder()
    // a subagent's calls, by the id of the Task call that started it (stream-json)
    const subagents = new Map<string, Model.Builder>()
    const builderOf = (parent: string | undefined) => {
      if (parent === undefined) return main
      const found = subagents.get(parent) ?? new Model.Builder()
      subagents.set(parent, found)
      return found
    }
    let root: string | undefined
    for (const { line, value } of entries(document, ["loglines"])) {
      if (isInit(value)) root ??= Json.str(value, "cwd")
      if (!isEvent(value)) continue
      root ??= Json.str(value, "cwd")
      const builder = builderOf(Json.str(value, "parent_tool_use_id"))
      const message = Json.obj(value, "message")
      const at = Json.time(Json.str(value, "timestamp"))
      const blocks = Json.arr(message, "content")
      if (Json.str(value, "type") === "assistant") {
        const group = usable(Json.str(message, "id")) ?? usable(Json.str(value, "requestId")) ?? `line ${line}`
        for (const { id, input: raw, name } of toolUses(blocks, builder, where(document, line))) {
          const input = Json.isObj(raw) ? raw : {}
          builder.call({ id, name, input, group, startedAt: at, background: input["run_in_background"] === true })
        }
        continue
      }
      const native = Json.obj(value, "toolUseResult")
      const [field, result] = native !== undefined
        ? ["toolUseResult", native]
        : ["tool_use_result", Json.obj(value, "tool_use_result")]
      for (const block of blocks) {
        if (Json.str(block, "type") !== "tool_result") continue
        const id = Json.str(block, "tool_use_id")
        if (id === undefined) continue
        builder.finish(id, at)
        const [ms, source] = durationOf(result, field)
        builder.duration(id, ms, source)
      }
    }
    const turns = main.build()
    const skipped = [...badLines(document), ...main.skipped]
    for (const [parent, builder] of subagents) {
      turns.push(...builder.build(`task ${parent}`))
      skipped.push(...builder.skipped)
    }
    return { turns, skipped, root: Option.fromNullable(root) }
  }
}
