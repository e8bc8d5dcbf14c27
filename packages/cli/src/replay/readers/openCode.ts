/**
 * OpenCode sessions, two layouts.
 *
 * Exports (`opencode export <session>`): `{ info, messages }`, the session's `info.directory` being the
 * recorded root, and each message `{ info, parts }`. An assistant message's `tool` parts are its calls
 * (`callID`, `tool`, `state.input`); a turn is the calls of one model step: of one message, or of one
 * `step-start` … `step-finish` span when a message holds several steps.
 *
 * Headless output (`opencode run --format json`): one event per line, `{ type, timestamp, sessionID, part }`,
 * the same parts (`tool_use` events carry the tool parts, `step_start` begins a step), grouped the same way by
 * the part's `messageID`.
 *
 * A call's duration is its `state.time.end - state.time.start` (milliseconds), which OpenCode records around
 * the tool's own run; a permission the tool asks for while running is inside it.
 *
 * @since 0.1.0
 */
import * as Option from "effect/Option"
import * as Json from "../json.js"
import * as Model from "../model.js"
import { badLines, type Document, entries, type Reader, where } from "./document.js"

const isPart = (value: unknown): boolean => Json.str(value, "type") !== undefined && Json.isObj(value)

/** A line of `opencode run --format json`: an event with a `sessionID` and its `part`. */
const isEvent = (value: unknown): boolean =>
  Json.str(value, "sessionID") !== undefined && isPart(Json.obj(value, "part"))

const isExport = (document: Document): boolean =>
  document.container === "json" &&
  Json.obj(document.value, "info") !== undefined &&
  Json.arr(document.value, "messages").some((message) =>
    Json.obj(message, "info") !== undefined && Json.arr(message, "parts").length > 0
  )

/** Adds one part of a message to the builder; returns the message's step count after it. */
const part = (
  builder: Model.Builder,
  value: unknown,
  messageId: string,
  step: number,
  place: string
): number => {
  const type = Json.str(value, "type")
  if (type === "step-start") return step + 1
  if (type !== "tool") return step
  const name = Json.str(value, "tool")
  if (name === undefined) {
    builder.skip(place, "tool part without a tool name")
    return step
  }
  const state = Json.obj(value, "state")
  const time = Json.obj(state, "time")
  const id = Json.str(value, "callID") ?? Json.str(value, "id")
  const start = Json.num(time, "start")
  const end = Json.num(time, "end")
  builder.call({ id, name, input: Json.obj(state, "input") ?? {}, group: `${messageId}#${step}`, startedAt: start })
  if (id !== undefined && start !== undefined && end !== undefined && end >= start) {
    builder.duration(id, end - start, "state.time.end - state.time.start")
  } else if (id !== undefined) {
    builder.missing(id, `the tool part is ${Json.str(state, "status") ?? "without a state"}, with no end time`)
  }
  return step
}

const readExport = (document: Document): Model.Body => {
  const builder = new Model.Builder()
  let root = Json.str(Json.obj(document.container === "json" ? document.value : undefined, "info"), "directory")
  Json.arr(document.container === "json" ? document.value : undefined, "messages").forEach((message, m) => {
    const info = Json.obj(message, "info")
    if (Json.str(info, "role") !== "assistant") {
      builder.end()
      return
    }
    const path = Json.obj(info, "path")
    root ??= Json.str(path, "root") ?? Json.str(path, "cwd")
    const id = Json.str(info, "id") ?? `message ${m + 1}`
    let step = 0
    Json.arr(message, "parts").forEach((value, p) => {
      step = part(builder, value, id, step, `message ${m + 1}, part ${p + 1}`)
    })
  })
  return { turns: builder.build(), skipped: builder.skipped, root: Option.fromNullable(root) }
}

const readEvents = (document: Document): Model.Body => {
  const builder = new Model.Builder()
  const steps = new Map<string, number>()
  for (const { line, value } of entries(document)) {
    if (!isEvent(value)) continue
    const event = Json.obj(value, "part")
    const messageId = Json.str(event, "messageID") ?? "message"
    const step = part(builder, event, messageId, steps.get(messageId) ?? 0, where(document, line))
    steps.set(messageId, step)
  }
  return { turns: builder.build(), skipped: [...badLines(document), ...builder.skipped], root: Option.none() }
}

/**
 * @since 0.1.0
 * @category readers
 */
export const reader: Reader = {
  format: "opencode",
  detect: (document) =>
    isExport(document) ||
    (document.container === "jsonl" && entries(document).some(({ value }) => isEvent(value))),
  owns: isEvent,
  read: (document) => isExport(document) ? readExport(document) : readEvents(document)
}
