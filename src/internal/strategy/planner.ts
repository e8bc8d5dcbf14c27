import * as Lane from "../../Lane.js"
import { defaultOverheadMillis } from "../../LatencyModel.js"
import type * as Strategy from "../../Strategy.js"
import * as ToolTraits from "../../ToolTraits.js"
import { type Described, describeSafely, resourcesOf, specOf, unreadable, wholeRoot } from "./calls.js"
import { conflict, type Touch, touches } from "./paths.js"

/** @internal */
export const defaults: Strategy.Options = {
  enabled: true,
  rules: "cost",
  minToolCount: 2,
  fastTools: [],
  allowedTools: [],
  blockedTools: [],
  tools: {}
}

/** @internal */
export const seedRules: Strategy.Options = {
  enabled: true,
  rules: "seed",
  minToolCount: 6,
  fastTools: ["glob", "ls", "list_files"],
  allowedTools: [],
  blockedTools: [],
  tools: {}
}

/** @internal */
export const resolve = (options: Strategy.PlanOptions | undefined): Strategy.Options => {
  const base = options?.rules === "seed" ? seedRules : defaults
  return {
    enabled: options?.enabled ?? base.enabled,
    rules: base.rules,
    minToolCount: options?.minToolCount ?? base.minToolCount,
    fastTools: options?.fastTools ?? base.fastTools,
    allowedTools: options?.allowedTools ?? base.allowedTools,
    blockedTools: options?.blockedTools ?? base.blockedTools,
    tools: options?.tools ?? base.tools
  }
}

/** @internal */
export const normalizeConcurrency = (concurrency: number): number =>
  Number.isFinite(concurrency) && concurrency >= 1 ? Math.floor(concurrency) : 1

/** @internal */
export const sequential = (reason: string): Strategy.Sequential => ({ _tag: "Sequential", reason })

/** @internal */
export const parallel = (concurrency: number, reason: string): Strategy.Parallel => ({
  _tag: "Parallel",
  concurrency: normalizeConcurrency(concurrency),
  reason
})

/** @internal List scheduling in input order on `concurrency` workers, as `Effect.all` does. */
export const makespan = (estimates: ReadonlyArray<number>, concurrency: number): number => {
  const width = Math.min(normalizeConcurrency(concurrency), Math.max(1, estimates.length))
  const finish = new Array<number>(width).fill(0)
  for (const estimate of estimates) {
    let worker = 0
    for (let i = 1; i < width; i++) if ((finish[i] ?? 0) < (finish[worker] ?? 0)) worker = i
    finish[worker] = (finish[worker] ?? 0) + estimate
  }
  return finish.reduce((max, time) => Math.max(max, time), 0)
}

/** @internal What the planner knows of one call. */
export interface Facts {
  readonly name: string
  readonly lane: Lane.Lane
  readonly traits: ToolTraits.ToolTraits
  /** Why the call must run alone, or `undefined` when it may overlap others. */
  readonly alone: string | undefined
  /** The canonical files it touches (`[]` when files cannot matter); `undefined` when unknown. */
  readonly touches: ReadonlyArray<Touch> | undefined
}

/** @internal At most this many calls are compared file by file in one wave; a longer wave is cut. */
export const maxCompared = 256

const quote = (name: string): string => JSON.stringify(name)

const fileWriters: ReadonlySet<string> = new Set(["write", "edit"])

/** @internal Why a call cannot overlap others under the settings, or `undefined`. */
const aloneReason = (
  described: Described,
  known: boolean,
  settings: Strategy.Options,
  parallelWrites: boolean
): string | undefined => {
  const name = described.name
  if (settings.blockedTools.includes(name)) return `tool ${quote(name)} is blocked`
  if (settings.allowedTools.length > 0 && !settings.allowedTools.includes(name)) {
    return `tool ${quote(name)} is not in allowedTools`
  }
  const readOnly = settings.rules === "seed" ? Lane.fromTool(name) === "query" : described.traits.readOnly
  if (readOnly) return undefined
  // a write may share a wave only when what it writes is known: the built-in file writers, or a tool that
  // declares its resources (declared traits alone say nothing about which files a call writes)
  const trustedWriter = fileWriters.has(name) ||
    (settings.rules === "cost" && specOf(settings.tools, name)?.resources !== undefined)
  if (parallelWrites && known && trustedWriter) return undefined
  return settings.rules === "seed"
    ? `tool ${quote(name)} runs in the ${Lane.fromTool(name)} lane, not the query lane`
    : `tool ${quote(name)} is not read-only`
}

/** @internal The facts of one call whose description (and, with `parallelWrites`, resources) are known. */
export const factOf = (
  described: Described,
  resources: ReadonlyArray<ToolTraits.Resource> | undefined,
  options: Strategy.PlanOptions | undefined,
  settings: Strategy.Options
): Facts => {
  const parallelWrites = options?.parallelWrites ?? false
  // without parallelWrites no write shares a wave, and reads never conflict with reads: files do not matter
  const touched = !parallelWrites ? [] : resources === undefined ? undefined : touches(resources, options?.root)
  return {
    name: described.name,
    lane: described.lane,
    traits: described.traits,
    alone: aloneReason(described, touched !== undefined, settings, parallelWrites),
    touches: touched
  }
}

/**
 * @internal The description of every call; one that cannot be read (a throwing getter, a Proxy, not an
 * object) is described as MCP's defaults and flagged.
 */
export const describeAll = (
  calls: ReadonlyArray<Strategy.ToolCall>,
  settings: Strategy.Options
): Array<{ readonly described: Described; readonly readable: boolean }> =>
  calls.map((call) => {
    const described = typeof call === "object" && call !== null ? describeSafely(call, settings.tools) : undefined
    return described === undefined ? { described: unreadable(call), readable: false } : { described, readable: true }
  })

/** @internal The facts of every call; `resolved` (aligned with `calls`) replaces the declared resources. */
export const factsOf = (
  calls: ReadonlyArray<Strategy.ToolCall>,
  options: Strategy.PlanOptions | undefined,
  settings: Strategy.Options,
  described = describeAll(calls, settings),
  resolved?: ReadonlyArray<ReadonlyArray<ToolTraits.Resource> | undefined>
): Array<Facts> =>
  calls.map((call, index) => {
    const entry = described[index]
    if (entry === undefined || !entry.readable) {
      const name = entry?.described.name ?? ""
      return {
        name,
        lane: "execute",
        traits: ToolTraits.defaults,
        alone: `call ${index + 1} cannot be read`,
        touches: undefined
      }
    }
    const needsFiles = options?.parallelWrites === true
    const resources = !needsFiles
      ? []
      : resolved !== undefined
      ? resolved[index]
      : resourcesSafely(call, settings, entry.described)
    return factOf(entry.described, resources, options, settings)
  })

const resourcesSafely = (call: Strategy.ToolCall, settings: Strategy.Options, described: Described) => {
  try {
    return resourcesOf(call, settings.tools, described)
  } catch {
    return described.traits.readOnly ? wholeRoot : undefined
  }
}

/** @internal The first pair of calls that touch one file with a write, as a reason; linear when nothing writes. */
const conflictReason = (facts: ReadonlyArray<Facts>): string | undefined => {
  if (!facts.some((fact) => fact.touches?.some((touch) => touch.write) === true)) return undefined
  if (facts.length > maxCompared) return `${facts.length} calls with writes: more than ${maxCompared} to compare`
  for (let j = 1; j < facts.length; j++) {
    for (let i = 0; i < j; i++) {
      if (conflict(facts[i]?.touches ?? [], facts[j]?.touches ?? [])) {
        return `calls ${i + 1} and ${j + 1} touch one file and one of them writes it`
      }
    }
  }
  return undefined
}

const formatMillis = (millis: number): string => `${Number(millis.toPrecision(3))} ms`

/** @internal "read 0.07 ms x3, web_fetch 1700 ms": the estimates by tool, in call order. */
const describeEstimates = (facts: ReadonlyArray<Facts>, estimates: ReadonlyArray<number>): string => {
  const groups: Array<{ label: string; count: number }> = []
  facts.forEach((fact, i) => {
    const label = `${fact.name} ${formatMillis(estimates[i] ?? 0)}`
    const last = groups[groups.length - 1]
    if (last?.label === label) last.count++
    else groups.push({ label, count: 1 })
  })
  return groups.map((g) => g.count > 1 ? `${g.label} x${g.count}` : g.label).join(", ")
}

const estimatesProblem = (estimates: ReadonlyArray<number>, count: number): string | undefined => {
  if (estimates.length !== count) return `${estimates.length} estimates for ${count} calls`
  return estimates.every((e) => Number.isFinite(e) && e >= 0) ? undefined : "an estimate is not a finite number >= 0"
}

const overheadOf = (options: Strategy.PlanOptions | undefined): number => {
  const overhead = options?.perTaskOverheadMillis
  return overhead !== undefined && Number.isFinite(overhead) && overhead >= 0 ? overhead : defaultOverheadMillis
}

/** @internal Plans calls whose facts are known. */
export const planFacts = (
  facts: ReadonlyArray<Facts>,
  concurrency: number,
  options: Strategy.PlanOptions | undefined,
  settings: Strategy.Options,
  /** `false` for a wave, which `waves` made free of conflicts. */
  checkConflicts = true
): Strategy.Plan => {
  const count = facts.length
  if (!settings.enabled) return sequential("smart parallelism is disabled")
  if (count === 0) return sequential("no tool calls to run")
  const lone = facts.find((fact) => fact.alone !== undefined)?.alone
  if (lone !== undefined) return sequential(lone)
  const clash = checkConflicts ? conflictReason(facts) : undefined
  if (clash !== undefined) return sequential(clash)
  if (count < settings.minToolCount) {
    return sequential(`${count} tool call${count === 1 ? "" : "s"}, fewer than minToolCount ${settings.minToolCount}`)
  }
  const width = Math.min(normalizeConcurrency(concurrency), count)
  const estimates = settings.rules === "cost" ? options?.estimates : undefined
  const problem = estimates === undefined ? undefined : estimatesProblem(estimates, count)
  if (estimates !== undefined && problem === undefined) {
    return byCost(facts, estimates, width, overheadOf(options))
  }
  const note = problem === undefined ? "" : ` (estimates ignored: ${problem})`
  if (facts.every((fact) => settings.fastTools.includes(fact.name))) {
    return sequential(`all ${count} tool calls are fast tools${note}`)
  }
  const what = settings.rules === "seed" ? "query tool calls, not all fast" : "calls safe to overlap"
  return parallel(width, `${count} ${what}: parallel at concurrency ${width}${note}`)
}

const byCost = (
  facts: ReadonlyArray<Facts>,
  estimates: ReadonlyArray<number>,
  width: number,
  perTask: number
): Strategy.Plan => {
  const serial = estimates.reduce((sum, e) => sum + e, 0)
  const together = makespan(estimates, width)
  const saved = serial - together
  const overhead = perTask * facts.length
  const figures = `${facts.length} calls safe to overlap, estimated ${describeEstimates(facts, estimates)}: ` +
    `${formatMillis(serial)} in order, ${formatMillis(together)} at concurrency ${width}, saving ` +
    `${formatMillis(saved)}`
  const cost = `queue overhead ${formatMillis(overhead)} (${formatMillis(perTask)} per task)`
  return saved > overhead
    ? parallel(width, `${figures} > ${cost}`)
    : sequential(`${figures} <= ${cost}`)
}

/** @internal */
export const plan = (
  calls: ReadonlyArray<Strategy.ToolCall>,
  concurrency: number,
  options?: Strategy.PlanOptions
): Strategy.Plan => {
  const settings = resolve(options)
  return planFacts(factsOf(calls, options, settings), concurrency, options, settings)
}

/** @internal The turn split into waves of calls that may overlap and lone calls, in call order. */
export const waves = (
  facts: ReadonlyArray<Facts>
): Array<{ readonly alone: boolean; readonly indices: Array<number> }> => {
  const groups: Array<{ alone: boolean; indices: Array<number>; touched: Array<Touch> }> = []
  facts.forEach((fact, index) => {
    const last = groups[groups.length - 1]
    if (fact.alone !== undefined) {
      groups.push({ alone: true, indices: [index], touched: [] })
      return
    }
    const mine = fact.touches ?? []
    const full = last !== undefined && mine.length > 0 && last.indices.length >= maxCompared
    if (last !== undefined && !last.alone && !full && !conflict(last.touched, mine)) {
      last.indices.push(index)
      last.touched.push(...mine)
    } else {
      groups.push({ alone: false, indices: [index], touched: [...mine] })
    }
  })
  return groups.map(({ alone, indices }) => ({ alone, indices }))
}

/** @internal Elements at positions. */
export const pick = <A>(values: ReadonlyArray<A>, indices: ReadonlyArray<number>): Array<A> =>
  indices.flatMap((index) => {
    const value = values[index]
    return value === undefined ? [] : [value]
  })

/** @internal */
export const stagesOf = (
  facts: ReadonlyArray<Facts>,
  concurrency: number,
  options: Strategy.PlanOptions | undefined,
  settings: Strategy.Options
): Array<Strategy.Stage> =>
  waves(facts).map(({ alone, indices }) => {
    const own = pick(facts, indices)
    const lanes = own.map((fact) => fact.lane)
    const estimates = options?.estimates === undefined || options.estimates.length !== facts.length
      ? undefined
      : pick(options.estimates, indices)
    const stagePlan = alone
      ? sequential(own[0]?.alone ?? "runs alone")
      : planFacts(own, concurrency, { ...options, estimates }, settings, false)
    return { kind: alone ? "single" : "wave", lane: lanes[0] ?? "execute", lanes, indices, plan: stagePlan }
  })

/** @internal */
export const stages = (
  calls: ReadonlyArray<Strategy.ToolCall>,
  concurrency: number,
  options?: Strategy.PlanOptions
): Array<Strategy.Stage> => {
  const settings = resolve(options)
  return stagesOf(factsOf(calls, options, settings), concurrency, options, settings)
}
