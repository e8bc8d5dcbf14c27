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
  tools !== undefined && typeof name === "string" && Object.hasOwn(tools, name) ? tools[name] : undefined

/** @internal A classifier's verdict; one that throws or returns a non-object gives none. */
const classified = (
  spec: ToolTraits.ToolSpec | undefined,
  args: unknown
): Partial<ToolTraits.ToolTraits> | undefined => {
  if (spec?.classify === undefined) return undefined
  try {
    const verdict: unknown = spec.classify(args)
    return typeof verdict === "object" && verdict !== null ? pick(verdict) : undefined
  } catch {
    return undefined
  }
}

/** The boolean trait fields of an untrusted object, read once (a throwing getter throws here). */
const pick = (u: object): Partial<ToolTraits.ToolTraits> => {
  const out: { -readonly [K in keyof ToolTraits.ToolTraits]?: boolean } = {}
  for (const key of ["readOnly", "destructive", "idempotent", "openWorld"] as const) {
    const value: unknown = Reflect.get(u, key)
    if (typeof value === "boolean") out[key] = value
  }
  return out
}

const routed = (name: string): ToolTraits.ToolTraits | undefined => {
  if (Lane.fromTool(name) !== "query") return undefined
  return name === "web_fetch" || name === "web_search" ? ToolTraits.remoteRead : ToolTraits.localRead
}

/** @internal What the planner derives from a call's name, declaration and arguments. */
export interface Described {
  readonly name: string
  readonly traits: ToolTraits.ToolTraits
  readonly lane: Lane.Lane
  /** Whether some source says whether the call reaches outside the machine (routing counts). */
  readonly openWorldStated: boolean
}

const firstBoolean = (...values: ReadonlyArray<boolean | undefined>): boolean | undefined =>
  values.find((v) => typeof v === "boolean")

/**
 * @internal The traits of one call (MCP defaults, then routing, then the declared traits, then the
 * classifier's verdict, then the call's own traits: later wins) and its lane (the declared lane, then stated
 * traits: read-only -> query, not read-only -> out of the query lane, i.e. execute unless the name routes
 * to control or generate; then `Lane.fromTool`). The classifier runs once. Throws only when a hostile call
 * (a throwing getter, a Proxy) does; callers catch.
 */
export const describe = (call: Call, tools: ToolTraits.ToolSpecs | undefined): Described => {
  const name: unknown = call.name
  if (typeof name !== "string") throw new TypeError("a tool call's name must be a string")
  const spec = specOf(tools, name)
  const verdict = classified(spec, call.args)
  const rawOwn: unknown = call.traits
  const own = typeof rawOwn === "object" && rawOwn !== null ? pick(rawOwn) : undefined
  const declared = typeof spec?.traits === "object" && spec.traits !== null ? pick(spec.traits) : undefined
  const byRouting = routed(name)
  const traits = ToolTraits.merge(ToolTraits.defaults, byRouting, declared, verdict, own)
  const openWorldStated = byRouting !== undefined ||
    firstBoolean(own?.openWorld, verdict?.openWorld, declared?.openWorld) !== undefined
  const byName = Lane.fromTool(name)
  if (spec?.lane !== undefined && Lane.isLane(spec.lane)) return { name, traits, lane: spec.lane, openWorldStated }
  const stated = firstBoolean(own?.readOnly, verdict?.readOnly, declared?.readOnly)
  const lane = stated === true ? "query" : stated === false && byName === "query" ? "execute" : byName
  return { name, traits, lane, openWorldStated }
}

/** @internal What a call that cannot be read is taken to be: MCP's defaults, alone. */
export const unreadable = (call: unknown): Described => {
  let name = ""
  try {
    const raw: unknown = typeof call === "object" && call !== null ? Reflect.get(call, "name") : undefined
    if (typeof raw === "string") name = raw
  } catch {
    // the name cannot be read either
  }
  return { name, traits: ToolTraits.defaults, lane: "execute", openWorldStated: false }
}

/** @internal {@link describe}, total. */
export const describeSafely = (call: Call, tools: ToolTraits.ToolSpecs | undefined): Described | undefined => {
  try {
    return describe(call, tools)
  } catch {
    return undefined
  }
}

/** @internal See {@link describe}; a call that cannot be read has MCP's defaults. */
export const traitsOf = (call: Call, tools: ToolTraits.ToolSpecs | undefined): ToolTraits.ToolTraits =>
  (describeSafely(call, tools) ?? unreadable(call)).traits

/** @internal See {@link describe}; a call that cannot be read runs in the execute lane. */
export const laneOf = (call: Call, tools: ToolTraits.ToolSpecs | undefined): Lane.Lane =>
  (describeSafely(call, tools) ?? unreadable(call)).lane

const pathKeys = ["path", "file_path", "filePath", "absolutePath", "file"] as const

const pathArg = (args: unknown): string | undefined => {
  if (typeof args !== "object" || args === null) return undefined
  for (const key of pathKeys) {
    const value: unknown = Object.hasOwn(args, key) ? Reflect.get(args, key) : undefined
    if (typeof value === "string" && value.length > 0) return value
  }
  return undefined
}

/** @internal The whole root, read: what a local read of unknown extent touches. */
export const wholeRoot: ReadonlyArray<ToolTraits.Resource> = [{ path: ".", access: "read" }]

/**
 * @internal The files a call touches, or `undefined` when that is unknown. The declared `resources` first
 * (a declaration that throws or returns junk: unknown); otherwise the path argument, read or written by the
 * traits. A read-only call without a path reads the whole root, unless it is stated to be open-world (then
 * it reads nothing local). A read of unknown extent is also the whole root, never "nothing".
 */
export const resourcesOf = (
  call: Call,
  tools: ToolTraits.ToolSpecs | undefined,
  described: Described
): ReadonlyArray<ToolTraits.Resource> | undefined => {
  const spec = specOf(tools, described.name)
  const readOnly = described.traits.readOnly
  if (spec?.resources !== undefined) {
    try {
      const declared: unknown = spec.resources(call.args)
      if (Array.isArray(declared) && declared.every(isResource)) return declared.map((r) => ({ ...r }))
    } catch {
      // a throwing declaration says nothing
    }
    return readOnly ? wholeRoot : undefined
  }
  const path = pathArg(call.args)
  if (readOnly) {
    if (path !== undefined) return [{ path, access: "read" }]
    return described.openWorldStated && described.traits.openWorld ? [] : wholeRoot
  }
  return path === undefined ? undefined : [{ path, access: "write" }]
}

const isResource = (u: unknown): u is ToolTraits.Resource =>
  typeof u === "object" && u !== null && "path" in u && typeof u.path === "string" && "access" in u &&
  (u.access === "read" || u.access === "write")
