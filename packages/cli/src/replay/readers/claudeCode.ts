/**
 * Claude Code session files (`~/.claude/projects/<project>/<session>.jsonl`): one JSON line per event, with
 * `type` `user` / `assistant`, the API `message`, `timestamp` and the project root as `cwd`. Older versions put
 * the parallel `tool_use` blocks of one response on one line; current versions write each on its own line, with
 * its `tool_result` (and `progress` lines) in between, so a turn is the calls of one model response:
 * `message.id`, else `requestId`, else the line. Durations come from `toolUseResult.durationMs` (or
 * `totalDurationMs`) when the result has one, else from the result line's time minus the call line's time.
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
  ("sessionId" in value || "uuid" in value || "parentUuid" in value || "timestamp" in value)

const usable = (id: string | undefined): string | undefined =>
  id === undefined || id === "" || id.startsWith("[") ? undefined : id // "[REDACTED]"-style placeholders

/**
 * @since 0.1.0
 * @category readers
 */
export const reader: Reader = {
  format: "claude-code",
  detect: (document) => entries(document, ["loglines"]).some(({ value }) => isEvent(value)),
  read: (document: Document) => {
    const builder = new Model.Builder()
    let root: string | undefined
    for (const { line, value } of entries(document, ["loglines"])) {
      if (!isEvent(value)) continue
      root ??= Json.str(value, "cwd")
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
      const result = Json.obj(value, "toolUseResult")
      for (const block of blocks) {
        if (Json.str(block, "type") !== "tool_result") continue
        const id = Json.str(block, "tool_use_id")
        if (id === undefined) continue
        builder.finish(id, at)
        const ms = Json.num(result, "durationMs") ?? Json.num(result, "totalDurationMs")
        builder.duration(
          id,
          ms,
          Json.num(result, "durationMs") !== undefined ? "toolUseResult.durationMs" : "toolUseResult.totalDurationMs"
        )
      }
    }
    return {
      turns: builder.build(),
      skipped: [...badLines(document), ...builder.skipped],
      root: Option.fromNullable(root)
    }
  }
}
