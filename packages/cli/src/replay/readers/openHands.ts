/**
 * OpenHands event streams (a JSON array of events, `{ events }`, or JSONL): actions from the agent carry
 * `tool_call_metadata` (`function_name`, `tool_call_id`, and the `model_response` whose `id` groups the calls of
 * one response, with the calls' JSON `arguments`); observations point back to their action by `cause`. A call's
 * duration is its observation's `timestamp` minus its action's. The recorded root is `/workspace`, where
 * OpenHands' sandbox works, when the calls' paths are there.
 *
 * @since 0.1.0
 */
import * as Option from "effect/Option"
import * as Json from "../json.js"
import * as Model from "../model.js"
import { argumentsOf, badLines, type Document, entries, type Reader, where } from "./document.js"

const isEvent = (value: unknown): boolean =>
  Json.str(value, "source") !== undefined &&
  (Json.str(value, "action") !== undefined || Json.isObj(value) && "observation" in value)

const argumentsFrom = (metadata: Json.Obj | undefined, callId: string): unknown => {
  const choices = Json.arr(Json.obj(metadata, "model_response"), "choices")
  for (const choice of choices) {
    for (const call of Json.arr(Json.obj(choice, "message"), "tool_calls")) {
      if (Json.str(call, "id") !== callId) continue
      const args = argumentsOf(Json.obj(call, "function")?.["arguments"])
      return args.ok ? args.value : undefined
    }
  }
  return undefined
}

/**
 * @since 0.1.0
 * @category readers
 */
export const reader: Reader = {
  format: "openhands",
  detect: (document) =>
    entries(document, ["events", "history"]).some(({ value }) =>
      isEvent(value) && Json.obj(value, "tool_call_metadata") !== undefined
    ),
  read: (document: Document) => {
    const builder = new Model.Builder()
    const callOf = new Map<number, string>()
    for (const { line, value } of entries(document, ["events", "history"])) {
      if (!isEvent(value)) continue
      const at = Json.time(Json.str(value, "timestamp"))
      const cause = Json.num(value, "cause")
      if (cause !== undefined && Json.isObj(value) && "observation" in value) {
        const id = callOf.get(cause)
        if (id !== undefined) builder.finish(id, at)
        continue
      }
      const metadata = Json.obj(value, "tool_call_metadata")
      if (Json.str(value, "source") !== "agent" || metadata === undefined) continue
      const name = Json.str(metadata, "function_name")
      const id = Json.str(metadata, "tool_call_id") ?? `event-${Json.num(value, "id") ?? line}`
      if (name === undefined) {
        builder.skip(where(document, line), "tool_call_metadata without function_name")
        continue
      }
      const eventId = Json.num(value, "id")
      if (eventId !== undefined) callOf.set(eventId, id)
      const input = argumentsFrom(metadata, id) ?? Json.obj(value, "args") ?? {}
      const group = Json.str(Json.obj(metadata, "model_response"), "id") ?? id
      const background = Json.isObj(input) && typeof input["command"] === "string" && /&\s*$/.test(input["command"])
      builder.call({ id, name, input, group, startedAt: at, background })
    }
    // OpenHands' sandbox always works in /workspace; it is the root when the calls' paths are there
    const turns = builder.build()
    const inWorkspace = turns.some((turn) =>
      turn.calls.some((call) => (Json.str(call.input, "path") ?? "").startsWith("/workspace/"))
    )
    return {
      turns,
      skipped: [...badLines(document), ...builder.skipped],
      root: inWorkspace ? Option.some("/workspace") : Option.none()
    }
  }
}
