/**
 * OpenHands event streams (a JSON array of events, `{ events }`, or JSONL), two generations.
 *
 * V0: actions from the agent carry `tool_call_metadata` (`function_name`, `tool_call_id`, and the
 * `model_response` whose `id` groups the calls of one response, with the calls' JSON `arguments`);
 * observations point back to their action by `cause`.
 *
 * V1 (the software-agent SDK): `ActionEvent`s (`kind`, `tool_name`, `tool_call_id`, `tool_call.arguments`,
 * `action`, and the `llm_response_id` that groups the calls of one response) and `ObservationEvent`s (or
 * `AgentErrorEvent`s) naming the `tool_call_id` they answer; an event may come wrapped as the AG-UI
 * `{ type: "CUSTOM", name: "OPENHANDS_EVENT", value: { data } }`.
 *
 * OpenHands runs the calls of one response one after another, so a call's duration is its observation's
 * `timestamp` minus the later of its action's and the previous observation's. The recorded root is
 * `/workspace`, where OpenHands' sandbox works, when the calls' paths are there.
 *
 * @since 0.1.0
 */
import * as Option from "effect/Option"
import * as Json from "../json.js"
import * as Model from "../model.js"
import { argumentsOf, badLines, type Document, entries, type Reader, where } from "./document.js"

/** The event itself, out of an AG-UI envelope when it is in one. */
const unwrap = (value: unknown): unknown =>
  Json.str(value, "type") === "CUSTOM" && Json.str(value, "name") === "OPENHANDS_EVENT"
    ? Json.obj(Json.obj(value, "value"), "data")
    : value

const isV0 = (value: unknown): boolean =>
  Json.str(value, "source") !== undefined &&
  (Json.str(value, "action") !== undefined || Json.isObj(value) && "observation" in value)

const v1Kinds = new Set(["ActionEvent", "ObservationEvent", "AgentErrorEvent", "UserRejectObservation"])

const isV1 = (value: unknown): boolean => v1Kinds.has(Json.str(value, "kind") ?? "")

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

/** A V1 action's arguments: the call's JSON `arguments`, else the `action` without its `kind`. */
const v1Input = (event: Json.Obj): unknown => {
  const args = argumentsOf(Json.obj(event, "tool_call")?.["arguments"])
  if (args.ok && Json.isObj(args.value) && Object.keys(args.value).length > 0) return args.value
  const { kind: _, ...action } = Json.obj(event, "action") ?? {}
  return action
}

const isBackground = (input: unknown): boolean =>
  Json.isObj(input) && typeof input["command"] === "string" && /&\s*$/.test(input["command"])

const events = (document: Document) =>
  entries(document, ["events", "history"]).map(({ line, value }) => ({ line, value: unwrap(value) }))

/**
 * @since 0.1.0
 * @category readers
 */
export const reader: Reader = {
  format: "openhands",
  detect: (document) =>
    events(document).some(({ value }) =>
      (isV0(value) && Json.obj(value, "tool_call_metadata") !== undefined) ||
      (Json.str(value, "kind") === "ActionEvent" && Json.str(value, "tool_name") !== undefined)
    ),
  owns: (value) => isV1(unwrap(value)) || isV0(value),
  read: (document: Document) => {
    const builder = new Model.Builder(true)
    const callOf = new Map<number, string>()
    for (const { line, value } of events(document)) {
      if (!Json.isObj(value)) continue
      const at = Json.time(Json.str(value, "timestamp"))
      if (isV1(value)) {
        const id = Json.str(value, "tool_call_id")
        if (Json.str(value, "kind") !== "ActionEvent") {
          if (id !== undefined) builder.finish(id, at)
          continue
        }
        const name = Json.str(value, "tool_name") ?? Json.str(Json.obj(value, "tool_call"), "name")
        if (name === undefined) {
          builder.skip(where(document, line), "ActionEvent without a tool_name")
          continue
        }
        const input = v1Input(value)
        const group = Json.str(value, "llm_response_id") ?? id
        builder.call({ id, name, input, group, startedAt: at, background: isBackground(input) })
        continue
      }
      if (!isV0(value)) continue
      const cause = Json.num(value, "cause")
      if (cause !== undefined && "observation" in value) {
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
      builder.call({ id, name, input, group, startedAt: at, background: isBackground(input) })
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
