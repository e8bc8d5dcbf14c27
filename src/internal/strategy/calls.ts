import * as Lane from "../../Lane.js"
import * as ToolTraits from "../../ToolTraits.js"

/** @internal */
export interface Call {
  readonly name: string
  readonly args?: unknown
  readonly traits?: Partial<ToolTraits.ToolTraits> | undefined
}

/** @internal The declaration of a tool, never one inherited from `Object.prototype`. */
export const specOf = (tools: ToolTraits.ToolSpecs | undefined, name: string): ToolTraits.ToolSpec | undefined =>
  tools !== undefined && Object.hasOwn(tools, name) ? tools[name] : undefined

/** @internal A classifier's verdict; one that throws or returns a non-object gives none. */
const classified = (
  spec: ToolTraits.ToolSpec | undefined,
  args: unknown
): Partial<ToolTraits.ToolTraits> | undefined => {
  if (spec?.classify === undefined) return undefined
  try {
    const verdict: unknown = spec.classify(args)
    return typeof verdict === "object" && verdict !== null ? verdict : undefined
  } catch {
    return undefined
  }
}

const routed = (name: string): ToolTraits.ToolTraits | undefined => {
  if (Lane.fromTool(name) !== "query") return undefined
  return name === "web_fetch" || name === "web_search" ? ToolTraits.remoteRead : ToolTraits.localRead
}

const ownTraits = (call: Call): Partial<ToolTraits.ToolTraits> | undefined =>
  typeof call.traits === "object" && call.traits !== null ? call.traits : undefined

/** @internal What the planner derives from a call's name, declaration and arguments. */
export interface Described {
  readonly traits: ToolTraits.ToolTraits
  readonly lane: Lane.Lane
}

/**
 * @internal The traits of one call (MCP defaults, then routing, then the declared traits, then the
 * classifier's verdict, then the call's own traits: later wins) and its lane (the declared lane, then stated
 * traits: read-only -> query, not read-only -> out of the query lane, i.e. execute unless the name routes
 * to control or generate; then `Lane.fromTool`). The classifier runs once.
 */
export const describe = (call: Call, tools: ToolTraits.ToolSpecs | undefined): Described => {
  const spec = specOf(tools, call.name)
  const verdict = classified(spec, call.args)
  const own = ownTraits(call)
  const traits = ToolTraits.merge(ToolTraits.defaults, routed(call.name), spec?.traits, verdict, own)
  const byName = Lane.fromTool(call.name)
  if (spec?.lane !== undefined && Lane.isLane(spec.lane)) return { traits, lane: spec.lane }
  const stated = [own?.readOnly, verdict?.readOnly, spec?.traits?.readOnly].find((v) => typeof v === "boolean")
  const lane = stated === true ? "query" : stated === false && byName === "query" ? "execute" : byName
  return { traits, lane }
}

/** @internal See {@link describe}. */
export const traitsOf = (call: Call, tools: ToolTraits.ToolSpecs | undefined): ToolTraits.ToolTraits =>
  describe(call, tools).traits

/** @internal See {@link describe}. */
export const laneOf = (call: Call, tools: ToolTraits.ToolSpecs | undefined): Lane.Lane => describe(call, tools).lane

const pathKeys = ["path", "file_path", "filePath", "absolutePath", "file"] as const

const pathArg = (args: unknown): string | undefined => {
  if (typeof args !== "object" || args === null) return undefined
  for (const key of pathKeys) {
    const value: unknown = Object.hasOwn(args, key) ? Reflect.get(args, key) : undefined
    if (typeof value === "string" && value.length > 0) return value
  }
  return undefined
}

/**
 * @internal The files a call touches, or `undefined` when that is unknown (the call may touch anything).
 * The declared `resources` first; otherwise the path argument, read or written by the traits; a read-only
 * call without a path reads the whole root when it is local and nothing local when it is open-world.
 */
export const resourcesOf = (
  call: Call,
  tools: ToolTraits.ToolSpecs | undefined,
  traits: ToolTraits.ToolTraits
): ReadonlyArray<ToolTraits.Resource> | undefined => {
  const spec = specOf(tools, call.name)
  if (spec?.resources !== undefined) {
    try {
      const declared: unknown = spec.resources(call.args)
      if (Array.isArray(declared) && declared.every(isResource)) return declared
    } catch {
      // a throwing declaration says nothing: the call may touch anything
    }
    return undefined
  }
  const path = pathArg(call.args)
  if (traits.readOnly) {
    if (path !== undefined) return [{ path, access: "read" }]
    return traits.openWorld ? [] : [{ path: ".", access: "read" }]
  }
  return path === undefined ? undefined : [{ path, access: "write" }]
}

const isResource = (u: unknown): u is ToolTraits.Resource =>
  typeof u === "object" && u !== null && "path" in u && typeof u.path === "string" && "access" in u &&
  (u.access === "read" || u.access === "write")
