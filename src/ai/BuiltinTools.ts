/**
 * The built-in tools of `effect-lanes/tools` (`read`, `ls`, `glob`, `grep`, `write`, `edit`, `bash`) as an
 * `@effect/ai` toolkit, ready for `Agent.run`: each tool has the built-in tool's description and argument schema
 * (so the model sees the same constraints the tool checks), the traits `Tools.specs` gives it as `@effect/ai`
 * annotations (`read`/`ls`/`glob`/`grep` local reads, `write` an idempotent write, `edit` a write, `bash` MCP's
 * defaults) and, for `bash`, its per-call classifier (`LanedToolkit.Classifier`: a plainly read-only command
 * such as `ls` or `git diff` is a local read, anything else runs alone). The handlers call the `Tools` service;
 * a tool's typed error (`Tools.ToolError`) comes back to the model as a failure result (`failureMode:
 * "return"`), encoded with the failure schema.
 *
 * Parameters are the built-in tools' own argument schemas, so `@effect/ai` decodes and validates a call once
 * before the handler runs (a bad argument is an `InvalidCall` result naming the field); `bash`'s `timeout` is
 * given as milliseconds or a duration string, as the tool takes it.
 *
 * This module is the entry point `effect-lanes/ai/tools`, apart from `effect-lanes/ai`: it needs both
 * `@effect/ai` and the built-in tools' optional peers (`re2`, `picomatch`), and neither entry loads the other's.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Agent } from "effect-lanes/ai"
 * import { BuiltinTools } from "effect-lanes/ai/tools"
 *
 * const program = Effect.gen(function*() {
 *   const toolkit = yield* BuiltinTools.withHandlers // needs Tools.Tools
 *   return yield* Agent.run({ prompt: "What is in src/?", toolkit })
 * })
 * ```
 *
 * @since 0.1.0
 */
import * as Tool from "@effect/ai/Tool"
import * as Toolkit from "@effect/ai/Toolkit"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"
import * as Tools from "../tools/Tools.js"
import * as ToolTraits from "../ToolTraits.js"
import * as LanedToolkit from "./LanedToolkit.js"

/** The annotations of a built-in tool: the traits `Tools.specs` declares, as @effect/ai's annotations. */
const annotationsOf = (name: Tools.ToolName): Context.Context<never> => {
  const spec = Tools.specs[name]
  const traits = ToolTraits.merge(ToolTraits.defaults, spec?.traits)
  const annotations = Context.make(Tool.Readonly, traits.readOnly).pipe(
    Context.add(Tool.Destructive, traits.destructive),
    Context.add(Tool.Idempotent, traits.idempotent),
    Context.add(Tool.OpenWorld, traits.openWorld)
  )
  return spec?.classify === undefined ? annotations : Context.add(annotations, LanedToolkit.Classifier, spec.classify)
}

const descriptionOf = (name: Tools.ToolName): string =>
  Tools.definitions.find((definition) => definition.name === name)?.description ?? name

const tool = <
  const Name extends Tools.ToolName,
  Fields extends Schema.Struct.Fields,
  Success extends Schema.Schema.Any
>(
  name: Name,
  parameters: Fields,
  success: Success
) =>
  Tool.make(name, {
    description: descriptionOf(name),
    parameters,
    success,
    failure: Tools.ToolError,
    failureMode: "return"
  }).annotateContext(annotationsOf(name))

/**
 * `read`: the text of a file.
 *
 * @since 0.1.0
 * @category tools
 */
export const Read = tool("read", Tools.ReadArgs.fields, Schema.String)

/**
 * `ls`: the entries of a directory.
 *
 * @since 0.1.0
 * @category tools
 */
export const Ls = tool("ls", Tools.LsArgs.fields, Schema.Array(Tools.LsEntry))

/**
 * `glob`: the files matching a glob.
 *
 * @since 0.1.0
 * @category tools
 */
export const Glob = tool("glob", Tools.GlobArgs.fields, Schema.Array(Schema.String))

/**
 * `grep`: the lines matching a regular expression.
 *
 * @since 0.1.0
 * @category tools
 */
export const Grep = tool("grep", Tools.GrepArgs.fields, Schema.Array(Tools.GrepMatch))

/**
 * `write`: writes a file; the number of bytes written.
 *
 * @since 0.1.0
 * @category tools
 */
export const Write = tool("write", Tools.WriteArgs.fields, Schema.Number)

/**
 * `edit`: replaces a string in a file; the number of replacements.
 *
 * @since 0.1.0
 * @category tools
 */
export const Edit = tool("edit", Tools.EditArgs.fields, Schema.Number)

/**
 * `bash`: runs a command in the sandbox; `timeout` in milliseconds or as a duration string (`"30 seconds"`).
 *
 * @since 0.1.0
 * @category tools
 */
export const Bash = tool("bash", {
  ...Tools.BashArgs.fields,
  timeout: Schema.optional(
    Schema.Union(Schema.Number, Schema.String).annotations({
      description: "A timeout: milliseconds, or a duration such as \"30 seconds\""
    })
  )
}, Tools.BashResult)

/**
 * The toolkit of the seven built-in tools (without handlers; merge it with others through `Toolkit.merge`).
 *
 * @since 0.1.0
 * @category toolkits
 */
export const toolkit = Toolkit.make(Read, Ls, Glob, Grep, Write, Edit, Bash)

/**
 * The built-in tools, by name.
 *
 * @since 0.1.0
 * @category models
 */
export type BuiltinTools = Toolkit.Tools<typeof toolkit>

/**
 * The handlers of {@link toolkit}: the `Tools` service's methods.
 *
 * @since 0.1.0
 * @category layers
 */
export const handlers: Layer.Layer<Tool.HandlersFor<BuiltinTools>, never, Tools.Tools> = toolkit.toLayer(
  Effect.map(Tools.Tools, (tools) => ({
    read: tools.read,
    ls: tools.ls,
    glob: tools.glob,
    grep: tools.grep,
    write: tools.write,
    edit: tools.edit,
    bash: tools.bash
  }))
)

/**
 * The toolkit with its handlers bound to the `Tools` service of the context, ready for `Agent.run` or
 * `LanedToolkit.execute`.
 *
 * @since 0.1.0
 * @category toolkits
 */
export const withHandlers: Effect.Effect<Toolkit.WithHandler<BuiltinTools>, never, Tools.Tools> = Effect.provide(
  toolkit,
  handlers
)
