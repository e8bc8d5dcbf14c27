/**
 * OpenAI Responses API items and the Codex CLI rollouts built on them.
 *
 * Responses items (a JSON array, or `{ input }` / `{ output }`): `function_call` (`name`, `arguments` a JSON
 * string, `call_id`), `custom_tool_call` (`name`, `input` a string, e.g. `apply_patch`), `local_shell_call`
 * (`action.command`), with their `*_output` items. A turn is the calls of one model response: consecutive call
 * items, with only reasoning or assistant text in between; an output or a user message ends it.
 *
 * Codex rollouts (`~/.codex/sessions/.../rollout-*.jsonl`): lines `{ timestamp, type, payload }` with
 * `session_meta` (its `cwd` is the recorded root), `response_item` (the items above, `shell_command` and
 * `exec_command` calls included) and `event_msg`. A command's duration is the first of `exec_command_end`'s
 * `duration` and the `Wall time: N seconds` Codex writes at the head of the output (else the output's
 * `metadata.duration_seconds`); else the output line's time minus the command's `exec_command_begin` time (after
 * any approval), else minus the call line's time.
 *
 * @since 0.1.0
 */
import * as Option from "effect/Option"
import * as Json from "../json.js"
import * as Model from "../model.js"
import { argumentsOf, badLines, type Document, entries, type Reader, where } from "./document.js"

const callTypes = new Set(["function_call", "custom_tool_call", "local_shell_call"])
const outputTypes = new Set(["function_call_output", "custom_tool_call_output", "local_shell_call_output"])

const isItem = (value: unknown): boolean => {
  const type = Json.str(value, "type")
  return type !== undefined && (callTypes.has(type) || outputTypes.has(type))
}

const isRolloutLine = (value: unknown): boolean =>
  Json.isObj(value) && Json.isObj(value["payload"]) &&
  ["session_meta", "response_item", "event_msg", "turn_context"].includes(Json.str(value, "type") ?? "")

/** A duration in milliseconds from `{ secs, nanos }`, a number of seconds, or `"1.5s"` / `"120ms"`. */
const durationOf = (value: unknown): number | undefined => {
  if (Json.isObj(value)) {
    const secs = Json.num(value, "secs") ?? 0
    const nanos = Json.num(value, "nanos") ?? 0
    return "secs" in value || "nanos" in value ? secs * 1000 + nanos / 1e6 : undefined
  }
  if (typeof value === "number" && Number.isFinite(value)) return value * 1000
  if (typeof value === "string") {
    const match = /^([\d.]+)\s*(ms|s)$/.exec(value.trim())
    if (match !== null) return Number(match[1]) * (match[2] === "ms" ? 1 : 1000)
  }
  return undefined
}

/** The text of a call's output: a string, or `{ content }` in newer rollouts. */
const outputText = (payload: unknown): string | undefined => {
  const output = Json.isObj(payload) ? payload["output"] : undefined
  if (typeof output === "string") return output
  return Json.str(output, "content")
}

/** `Wall time: 0.2 seconds` in the head of a command's output, in milliseconds. */
const wallTime = (text: string): number | undefined => {
  const match = /^(?:[^\n]*\n){0,3}Wall time: ([\d.]+) seconds?\b/.exec(text.slice(0, 400))
  return match === null ? undefined : Json.duration(Number(match[1]) * 1000)
}

const item = (builder: Model.Builder, payload: unknown, at: number | undefined, place: string): void => {
  const type = Json.str(payload, "type")
  if (type === undefined) return
  if (callTypes.has(type)) {
    const id = Json.str(payload, "call_id") ?? Json.str(payload, "id")
    if (type === "local_shell_call") {
      builder.call({
        id,
        name: "shell",
        input: { command: Json.arr(Json.obj(payload, "action"), "command") },
        startedAt: at
      })
      return
    }
    const name = Json.str(payload, "name")
    if (name === undefined) {
      builder.skip(place, `${type} without a name`)
      return
    }
    if (type === "custom_tool_call") {
      builder.call({ id, name, input: { input: Json.str(payload, "input") ?? "" }, startedAt: at })
      return
    }
    const args = argumentsOf(Json.isObj(payload) ? payload["arguments"] : undefined)
    if (!args.ok) {
      builder.skip(`${place} (${name})`, "arguments are not valid JSON")
      return
    }
    const input = args.value
    const background = Json.isObj(input) && (input["run_in_background"] === true || input["background"] === true)
    builder.call({ id, name, input, startedAt: at, background })
    return
  }
  if (outputTypes.has(type)) {
    const id = Json.str(payload, "call_id")
    if (id !== undefined) {
      builder.finish(id, at)
      const output = outputText(payload)
      const wall = output === undefined ? undefined : wallTime(output)
      if (wall !== undefined) builder.duration(id, wall, "output Wall time")
      else {
        const metadata = Json.obj(
          output === undefined ? undefined : Option.getOrUndefined(Json.parse(output)),
          "metadata"
        )
        const seconds = Json.num(metadata, "duration_seconds")
        builder.duration(id, seconds === undefined ? undefined : seconds * 1000, "output metadata.duration_seconds")
      }
    }
    builder.end()
    return
  }
  if (type === "message" && Json.str(payload, "role") !== "assistant") builder.end()
}

/**
 * @since 0.1.0
 * @category readers
 */
export const codex: Reader = {
  format: "codex",
  detect: (document) => document.container === "jsonl" && entries(document).some(({ value }) => isRolloutLine(value)),
  owns: isRolloutLine,
  read: (document: Document) => {
    const builder = new Model.Builder()
    let root: string | undefined
    for (const { line, value } of entries(document)) {
      const payload = Json.obj(value, "payload")
      const at = Json.time(Json.str(value, "timestamp"))
      switch (Json.str(value, "type")) {
        case "session_meta":
          root ??= Json.str(payload, "cwd")
          break
        case "turn_context":
          root ??= Json.str(payload, "cwd")
          break
        case "response_item":
          item(builder, payload, at, where(document, line))
          break
        case "event_msg": {
          const type = Json.str(payload, "type")
          const id = Json.str(payload, "call_id")
          if (id !== undefined && (type === "exec_command_end" || type === "patch_apply_end")) {
            builder.duration(id, durationOf(payload?.["duration"]), `${type}.duration`)
          }
          // the command starts running here, after any approval: a later start than the call line's
          if (id !== undefined && (type === "exec_command_begin" || type === "patch_apply_begin")) {
            builder.begin(id, at)
          }
          if (type === "user_message") builder.end()
          break
        }
      }
    }
    return {
      turns: builder.build(),
      skipped: [...badLines(document), ...builder.skipped],
      root: Option.fromNullable(root)
    }
  }
}

/**
 * @since 0.1.0
 * @category readers
 */
export const responses: Reader = {
  format: "openai-responses",
  detect: (document) => entries(document, ["input", "output", "items"]).some(({ value }) => isItem(value)),
  read: (document: Document) => {
    const builder = new Model.Builder()
    for (const { line, value } of entries(document, ["input", "output", "items"])) {
      item(
        builder,
        value,
        Json.time(Json.isObj(value) ? value["created_at"] ?? value["timestamp"] : undefined),
        where(document, line)
      )
    }
    return { turns: builder.build(), skipped: [...badLines(document), ...builder.skipped], root: Option.none() }
  }
}
