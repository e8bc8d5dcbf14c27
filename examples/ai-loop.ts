/**
 * The README's Effect AI example, kept here so CI proves it runs (offline: a scripted model, no API key): an
 * agent loop that survives the mistakes real models make, with per-tool deadlines, approvals and the plan of
 * each turn in view.
 *
 * Run with `npx tsx examples/ai-loop.ts`.
 */
import { Tool, Toolkit } from "@effect/ai"
import { NodeRuntime } from "@effect/platform-node"
import { Console, Effect, Logger, LogLevel, Schema, Stream } from "effect"
import { LaneQueue, LanesConfig } from "effect-lanes"
import { Agent, Approver, LanedToolkit, ScriptedModel } from "effect-lanes/ai"

const Lookup = Tool.make("lookup", { parameters: { id: Schema.String }, success: Schema.String })
  .annotate(Tool.Readonly, true) // calls of read-only tools overlap in one wave
const Fetch = Tool.make("fetch", { parameters: { url: Schema.String }, success: Schema.String })
  .annotate(Tool.Readonly, true)
  .annotate(LanedToolkit.Timeout, "100 millis") // a deadline per tool; `timeoutOf` overrides it per call
const Deploy = Tool.make("deploy", { parameters: { env: Schema.String }, success: Schema.String })
  .annotate(LanedToolkit.RequiresApproval, true) // asked for as the response arrives; never runs if denied
const Kit = Toolkit.make(Lookup, Fetch, Deploy)

const handlers = Kit.toLayer({
  lookup: ({ id }) => Effect.succeed(`value of ${id}`),
  fetch: ({ url }) => Effect.as(Effect.sleep(url === "slow" ? "1 second" : "10 millis"), url),
  deploy: ({ env }) => Effect.succeed(`deployed to ${env}`)
})

// A model making the mistakes real ones make: a wrong type, an unknown tool, a call that hangs.
const { response, text, toolCall } = ScriptedModel
const model = ScriptedModel.layer({
  responses: [
    response(
      toolCall("1", "lookup", { id: "a" }),
      toolCall("2", "lookup", { id: 5 }), // a number for a string
      toolCall("3", "lokup", { id: "b" }), // no such tool
      toolCall("4", "fetch", { url: "slow" }), // runs past its deadline
      toolCall("5", "deploy", { env: "staging" }),
      toolCall("6", "deploy", { env: "prod" })
    ),
    response(text("Looked a up; prod needs a ticket."))
  ]
})

// Any Effect answering Approved or Denied (a policy, a prompt); `Approver.external()` asks the host instead.
const approver = Approver.layer((request) =>
  Effect.map(
    Schema.decodeUnknown(Schema.Struct({ env: Schema.String }))(request.params),
    ({ env }) => env === "prod" ? Approver.Denied({ reason: "prod deploys need a ticket" }) : Approver.Approved()
  )
)

const program = Effect.gen(function*() {
  const queue = yield* LaneQueue.LaneQueue
  // Events of tool-call tasks carry the tool and the call ID; every turn's plan is a TurnPlanned event.
  const events = yield* queue.subscribe
  yield* Effect.forkScoped(Stream.runForEach(events, (event) =>
    event._tag === "TurnPlanned"
      ? Console.log(
        `planned: ${event.turn.stages.map((stage) => `${stage.plan._tag}[${stage.calls.map((c) => c.id)}]`)}`
      )
      : event._tag === "Completed" && event.callId !== undefined
      ? Console.log(`  ${event.callId} ${event.tool} done in ${event.durationMillis} ms (${event.lane} lane)`)
      : Effect.void))
  const result = yield* Agent.run({ prompt: "Look a up, then deploy.", toolkit: yield* Kit })
  for (const part of result.steps[0]?.toolResults ?? []) {
    yield* Console.log(
      `${part.id} ${part.name}: ${part.isFailure ? "FAILED " : ""}${JSON.stringify(part.encodedResult)}`
    )
  }
  yield* Console.log(`${result.finishReason} after ${result.steps.length} steps: ${result.text}`)
})

program.pipe(
  Effect.scoped,
  Effect.provide(handlers),
  Effect.provide(approver),
  Effect.provide(LaneQueue.layer("example")),
  Effect.provide(model),
  Effect.provide(LanesConfig.layerDefaults),
  Logger.withMinimumLogLevel(LogLevel.Debug), // one Debug line per planned turn
  NodeRuntime.runMain
)
