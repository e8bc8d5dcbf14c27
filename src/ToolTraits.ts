/**
 * What a tool call does, as the planner needs to know it: the four behaviour hints of the Model Context
 * Protocol's tool annotations (`readOnlyHint`, `destructiveHint`, `idempotentHint`, `openWorldHint`), which
 * `@effect/ai` carries as `Tool.Readonly`, `Tool.Destructive`, `Tool.Idempotent` and `Tool.OpenWorld`, with
 * MCP's defaults for a tool that says nothing: not read-only, destructive, not idempotent, open-world
 * (source: the MCP specification, 2025-06-18, "Tool annotations").
 *
 * An application declares its tools with {@link ToolSpec}s (traits, an optional lane, an optional per-call
 * classifier, an optional latency prior), and a call may carry traits of its own. `Strategy` resolves them
 * per call: the call's own traits, then the classifier's verdict on its arguments, then the declared traits,
 * then routing (a tool that `Lane.fromTool` sends to the query lane is read-only), then MCP's defaults.
 *
 * @since 0.1.0
 */
import type * as Duration from "effect/Duration"
import * as Schema from "effect/Schema"
import type * as Lane from "./Lane.js"

/**
 * The behaviour of a tool call: MCP's annotation hints without the `Hint` suffix.
 *
 * - `readOnly`: the call changes nothing outside itself (MCP default `false`);
 * - `destructive`: a change it makes may destroy data, not only add (default `true`; meaningful when not read-only);
 * - `idempotent`: repeating it with the same arguments changes nothing more (default `false`);
 * - `openWorld`: it reaches outside the local machine, e.g. the web (default `true`).
 *
 * @since 0.1.0
 * @category models
 */
export interface ToolTraits {
  readonly readOnly: boolean
  readonly destructive: boolean
  readonly idempotent: boolean
  readonly openWorld: boolean
}

/**
 * The schema of {@link ToolTraits}, every field required.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ToolTraits: Schema.Schema<ToolTraits> = Schema.Struct({
  readOnly: Schema.Boolean,
  destructive: Schema.Boolean,
  idempotent: Schema.Boolean,
  openWorld: Schema.Boolean
})

/**
 * MCP's defaults for a tool that declares nothing: `{ readOnly: false, destructive: true, idempotent: false,
 * openWorld: true }`. The planner never runs such a call beside another.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaults: ToolTraits = { readOnly: false, destructive: true, idempotent: false, openWorld: true }

/**
 * The traits of a local read: read-only, not destructive, idempotent, closed-world. What routing gives a
 * query-lane tool of the local machine (`read`, `glob`, `ls`, `grep`, `list_files`, `search`).
 *
 * @since 0.1.0
 * @category constants
 */
export const localRead: ToolTraits = { readOnly: true, destructive: false, idempotent: true, openWorld: false }

/**
 * The traits of a remote read (`web_fetch`, `web_search`): read-only, not destructive, idempotent, open-world.
 *
 * @since 0.1.0
 * @category constants
 */
export const remoteRead: ToolTraits = { ...localRead, openWorld: true }

/**
 * Fills the missing fields of partial traits from a base (default {@link defaults}). Later sources win:
 * `merge(base, a, b)` takes a field from `b`, else `a`, else `base`. `undefined` fields are skipped.
 *
 * @since 0.1.0
 * @category combinators
 */
export const merge = (base: ToolTraits, ...layers: ReadonlyArray<Partial<ToolTraits> | undefined>): ToolTraits => {
  let readOnly = base.readOnly
  let destructive = base.destructive
  let idempotent = base.idempotent
  let openWorld = base.openWorld
  for (const layer of layers) {
    if (layer === undefined) continue
    if (typeof layer.readOnly === "boolean") readOnly = layer.readOnly
    if (typeof layer.destructive === "boolean") destructive = layer.destructive
    if (typeof layer.idempotent === "boolean") idempotent = layer.idempotent
    if (typeof layer.openWorld === "boolean") openWorld = layer.openWorld
  }
  return { readOnly, destructive, idempotent, openWorld }
}

/**
 * MCP's tool annotation object (the `annotations` of a tool in `tools/list`), as far as traits need it.
 *
 * @since 0.1.0
 * @category models
 */
export interface McpAnnotations {
  readonly readOnlyHint?: boolean | undefined
  readonly destructiveHint?: boolean | undefined
  readonly idempotentHint?: boolean | undefined
  readonly openWorldHint?: boolean | undefined
}

/**
 * The traits an MCP tool's annotations state; absent hints stay absent (so MCP's defaults or a declaration
 * fill them). MCP calls these hints untrusted unless the server is: decide trust before using them.
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromMcpAnnotations = (annotations: McpAnnotations | undefined): Partial<ToolTraits> => {
  const traits: { -readonly [K in keyof ToolTraits]?: boolean } = {}
  if (typeof annotations?.readOnlyHint === "boolean") traits.readOnly = annotations.readOnlyHint
  if (typeof annotations?.destructiveHint === "boolean") traits.destructive = annotations.destructiveHint
  if (typeof annotations?.idempotentHint === "boolean") traits.idempotent = annotations.idempotentHint
  if (typeof annotations?.openWorldHint === "boolean") traits.openWorld = annotations.openWorldHint
  return traits
}

/**
 * A file (or directory) a call touches, as the planner compares them: `path` as the call gives it (relative
 * to the tool root, `./`, `..` segments, or absolute) and whether the call writes it. Two calls conflict when
 * they name one path canonically and one of them writes; a read of a directory covers everything under it.
 *
 * @since 0.1.0
 * @category models
 */
export interface Resource {
  readonly path: string
  readonly access: "read" | "write"
}

/**
 * An application's declaration of one tool. Every field is optional.
 *
 * - `traits`: what every call of the tool does;
 * - `lane`: the lane its calls run in, whatever the traits say;
 * - `classify`: a per-call verdict from the call's arguments (e.g. `bash` with `ls` is read-only, with `rm`
 *   it is not); it must be total, and anything it throws counts as "no verdict";
 * - `resources`: the files a call touches, for write conflicts; by default the string field `path`,
 *   `file_path`, `filePath`, `absolutePath` or `file` of the arguments, written unless the call is read-only;
 * - `latencyMillis`: the expected latency of a call before the session has measured any (a prior), in ms;
 * - `timeout`: the deadline of each call once it runs (`Strategy.runTurn` interrupts a call past it and ends it
 *   with `CallTimeout`); a call's own `timeout` wins over it, and the lane's timeout stays the outer bound.
 *
 * @since 0.1.0
 * @category models
 */
export interface ToolSpec {
  readonly traits?: Partial<ToolTraits> | undefined
  readonly lane?: Lane.Lane | undefined
  readonly classify?: ((args: unknown) => Partial<ToolTraits>) | undefined
  readonly resources?: ((args: unknown) => ReadonlyArray<Resource>) | undefined
  readonly latencyMillis?: number | undefined
  readonly timeout?: Duration.DurationInput | undefined
}

/**
 * Tool declarations by tool name.
 *
 * @since 0.1.0
 * @category models
 */
export type ToolSpecs = { readonly [toolName: string]: ToolSpec }
