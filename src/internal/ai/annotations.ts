import * as Context from "effect/Context"
import type * as Duration from "effect/Duration"
import type * as ToolTraits from "../../ToolTraits.js"

/** @internal */
export class Timeout extends Context.Tag("effect-lanes/ai/Timeout")<Timeout, Duration.DurationInput>() {}

/** @internal */
export class RequiresApproval extends Context.Reference<RequiresApproval>()("effect-lanes/ai/RequiresApproval", {
  defaultValue: () => false
}) {}

/** @internal */
export class Classifier extends Context.Tag("effect-lanes/ai/Classifier")<
  Classifier,
  (args: unknown) => Partial<ToolTraits.ToolTraits>
>() {}
