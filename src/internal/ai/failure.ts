import * as Schema from "effect/Schema"

/** @internal */
export const FailureReason = Schema.Literal(
  "Failed",
  "InvalidCall",
  "TimedOut",
  "Denied",
  "Cancelled",
  "QueueShutdown",
  "Interrupted",
  "Defect"
)

/** @internal */
export class ToolCallFailure extends Schema.TaggedClass<ToolCallFailure>()("ToolCallFailure", {
  tool: Schema.String,
  reason: FailureReason,
  message: Schema.String
}) {}
