/**
 * The resource limits of `bash`'s sandbox: which mechanism holds each limit on this machine (decided once, when
 * the sandbox is first needed), the cgroups of one call, the resource limits set by the sandbox's first shell,
 * and the sampler that stops a call whose usage reached a limit.
 *
 * | limit | with a cgroup | without |
 * |---|---|---|
 * | `processes` (tasks: processes and threads) | `pids.max` (v2, else v1) | `RLIMIT_NPROC`, counted in the sandbox's user namespace (not for root: the kernel exempts uid 0), else the sampled count only |
 * | `memoryBytes` (all processes) | `memory.max` (v2, swap off, the group killed on OOM), else `memory.limit_in_bytes` (v1, and memsw) | `RLIMIT_DATA` per process |
 * | `cpuTime` (all processes) | `cpu.stat` (v2), else `cpuacct.usage` (v1), sampled | the processes' CPU times, sampled |
 * | `writtenBytes` (under the root) | the processes' `write_bytes`, sampled, and `RLIMIT_FSIZE` per file | the same |
 * | `openFiles` (per process) | `RLIMIT_NOFILE` | the same |
 *
 * `RLIMIT_CPU` per process is set in every case. The kernel enforces the cgroup limits and the resource
 * limits; the sampler (`sampler.ts`) reads the counters and ends a call whose usage reached a limit.
 *
 * @internal
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import type * as Scope from "effect/Scope"
import type { LimitOptions } from "../../tools/Tools.js"
import * as Cgroup from "./cgroup.js"
import { InvalidSandboxOptions, ResourceLimitExceeded, ToolFailed } from "./errors.js"
import type { AppliedLimit } from "./schemas.js"

/** @internal */
export type LimitName = ResourceLimitExceeded["limit"]

/**
 * The limits of a call, resolved: counts, bytes, and seconds for `cpuTime`.
 *
 * @internal
 */
export interface Settings {
  readonly processes: number
  readonly memoryBytes: number
  readonly cpuTime: number
  readonly writtenBytes: number
  readonly openFiles: number
  /** A cgroup v2 directory to create the calls' groups in, instead of the one found. */
  readonly cgroup: string | undefined
}

/**
 * The defaults: generous for builds and test runs, small enough that a bomb cannot take a host down.
 *
 * @internal
 */
export const defaults = {
  processes: 512,
  memoryBytes: 2 * 1024 ** 3,
  cpuTime: Duration.minutes(5),
  writtenBytes: 1024 ** 3,
  openFiles: 4096
} as const

const positiveInteger = (field: string, value: number): Either.Either<number, InvalidSandboxOptions> =>
  Number.isSafeInteger(value) && value > 0
    ? Either.right(value)
    : Either.left(new InvalidSandboxOptions({ field, reason: `expected a positive integer, got ${value}` }))

/**
 * The settings of `sandbox.limits`, validated; `undefined` when limits are off (`limits: false`).
 *
 * @internal
 */
export const settings = (
  options: LimitOptions | false | undefined
): Either.Either<Settings | undefined, InvalidSandboxOptions> => {
  if (options === false) return Either.right(undefined)
  const given = options ?? {}
  const field = (name: string) => `sandbox.limits.${name}`
  return Either.gen(function*() {
    const cpu = Duration.decodeUnknown(given.cpuTime ?? defaults.cpuTime)
    if (given.cgroup !== undefined && !given.cgroup.startsWith("/")) {
      return yield* Either.left(
        new InvalidSandboxOptions({ field: field("cgroup"), reason: "expected an absolute path" })
      )
    }
    if (cpu._tag === "None" || !Duration.greaterThan(cpu.value, Duration.zero) || !Duration.isFinite(cpu.value)) {
      return yield* Either.left(
        new InvalidSandboxOptions({ field: field("cpuTime"), reason: "expected a positive, finite duration" })
      )
    }
    return {
      processes: yield* positiveInteger(field("processes"), given.processes ?? defaults.processes),
      memoryBytes: yield* positiveInteger(field("memoryBytes"), given.memoryBytes ?? defaults.memoryBytes),
      cpuTime: Duration.toMillis(cpu.value) / 1000,
      writtenBytes: yield* positiveInteger(field("writtenBytes"), given.writtenBytes ?? defaults.writtenBytes),
      openFiles: yield* positiveInteger(field("openFiles"), given.openFiles ?? defaults.openFiles),
      cgroup: given.cgroup
    }
  })
}

/** @internal */
export type Group = { readonly hierarchy: Cgroup.Hierarchy }

/**
 * What holds each limit on this machine, and what the sampler reads.
 *
 * @internal
 */
export interface Plan {
  readonly settings: Settings
  /** One entry per limit, for the results. */
  readonly limits: ReadonlyArray<typeof AppliedLimit.Type>
  readonly hierarchies: Cgroup.Hierarchies
  readonly processes: Group | "rlimit" | "sampled"
  readonly memory: Group | "rlimit"
  readonly cpu: Group | "sampled"
  /** The shell lines setting the resource limits, run by the sandbox's first shell. */
  readonly ulimits: string
}

/**
 * How a cgroup mechanism is named in results and errors, e.g. `cgroup v1 pids.max`.
 *
 * @internal
 */
export const label = (group: Group, file: string) => `cgroup v${group.hierarchy.version} ${file}`

/**
 * Decides the mechanism of each limit from the cgroup hierarchies available to this process.
 *
 * @internal
 */
export const plan = (settings: Settings, hierarchies: Cgroup.Hierarchies, root: boolean): Plan => {
  const pick = (v2controller: string | undefined, v1controller: string): Group | undefined => {
    if (hierarchies.v2 !== undefined && (v2controller === undefined || hierarchies.v2.controllers.has(v2controller))) {
      return { hierarchy: hierarchies.v2 }
    }
    const v1 = hierarchies.v1.get(v1controller)
    return v1 === undefined ? undefined : { hierarchy: v1 }
  }
  const processes = pick("pids", "pids") ?? (root ? "sampled" : "rlimit")
  const memory = pick("memory", "memory") ?? "rlimit"
  // cpu.stat is in every v2 group, with or without the cpu controller
  const cpu = pick(undefined, "cpuacct") ?? "sampled"
  const kib = (bytes: number) => Math.max(1, Math.floor(bytes / 1024))
  const lines = [
    `ulimit -HS -n ${settings.openFiles}`,
    // SIGXCPU at the soft limit (a hard limit equal to it would SIGKILL at the same tick, which says nothing)
    `ulimit -St ${Math.max(1, Math.ceil(settings.cpuTime))}`,
    `ulimit -Ht ${Math.max(1, Math.ceil(settings.cpuTime)) + 1}`,
    `ulimit -HS -f ${kib(settings.writtenBytes)}`,
    ...(processes === "rlimit" ? [`ulimit -HS -u ${settings.processes}`] : []),
    ...(memory === "rlimit" ? [`ulimit -HS -d ${kib(settings.memoryBytes)}`] : [])
  ]
  const cpuLabel = cpu === "sampled"
    ? "the processes' CPU times, sampled"
    : label(cpu, cpu.hierarchy.version === 2 ? "cpu.stat, sampled" : "cpuacct.usage, sampled")
  return {
    settings,
    hierarchies,
    processes,
    memory,
    cpu,
    // a limit the host already holds lower stays at the host's value
    ulimits: lines.map((line) => `${line} 2>/dev/null`).join("; "),
    limits: [
      {
        limit: "processes",
        max: settings.processes,
        mechanism: processes === "rlimit"
          ? "RLIMIT_NPROC in the sandbox's user namespace"
          : processes === "sampled"
          ? "the sampled count only (root: RLIMIT_NPROC does not hold, and no pids cgroup)"
          : label(processes, "pids.max")
      },
      {
        limit: "memoryBytes",
        max: settings.memoryBytes,
        mechanism: memory === "rlimit"
          ? "RLIMIT_DATA per process"
          : label(memory, memory.hierarchy.version === 2 ? "memory.max" : "memory.limit_in_bytes")
      },
      { limit: "cpuTime", max: settings.cpuTime, mechanism: `${cpuLabel}; RLIMIT_CPU per process` },
      {
        limit: "writtenBytes",
        max: settings.writtenBytes,
        mechanism: "the processes' write_bytes, sampled; RLIMIT_FSIZE per file"
      },
      { limit: "openFiles", max: settings.openFiles, mechanism: "RLIMIT_NOFILE per process" }
    ]
  }
}

/**
 * The cgroups of one call, one per hierarchy used.
 *
 * @internal
 */
export interface Groups {
  /** The `cgroup.procs` files the sandbox enters before it starts. */
  readonly procs: ReadonlyArray<string>
  readonly dirOf: (group: Group) => string
}

const none: Groups = { procs: [], dirOf: () => "" }

const configure = (dir: string, version: 1 | 2, uses: { pids: boolean; memory: boolean }, settings: Settings) => {
  if (uses.pids) Cgroup.write(dir, "pids.max", String(settings.processes))
  if (!uses.memory) return
  if (version === 2) {
    Cgroup.write(dir, "memory.max", String(settings.memoryBytes))
    if (Cgroup.has(dir, "memory.swap.max")) Cgroup.write(dir, "memory.swap.max", "0")
    if (Cgroup.has(dir, "memory.oom.group")) Cgroup.write(dir, "memory.oom.group", "1")
  } else {
    Cgroup.write(dir, "memory.limit_in_bytes", String(settings.memoryBytes))
    if (Cgroup.has(dir, "memory.memsw.limit_in_bytes")) {
      Cgroup.write(dir, "memory.memsw.limit_in_bytes", String(settings.memoryBytes))
    }
  }
}

/**
 * Creates and configures the call's cgroups; they are removed when the scope closes (after the sandbox, whose
 * kill is registered later, is gone).
 *
 * @internal
 */
export const groups = (plan: Plan): Effect.Effect<Groups, ToolFailed, Scope.Scope> => {
  const used = [plan.processes, plan.memory, plan.cpu].flatMap((group) => typeof group === "string" ? [] : [group])
  const hierarchies = [...new Set(used.map((group) => group.hierarchy))]
  if (hierarchies.length === 0) return Effect.succeed(none)
  return Effect.acquireRelease(
    Effect.try({
      try: () => {
        Cgroup.sweep(plan.hierarchies)
        const dirs = new Map<Cgroup.Hierarchy, string>()
        try {
          for (const hierarchy of hierarchies) {
            const dir = Cgroup.create(hierarchy)
            dirs.set(hierarchy, dir)
            const uses = (group: Group | string) => typeof group !== "string" && group.hierarchy === hierarchy
            configure(dir, hierarchy.version, { pids: uses(plan.processes), memory: uses(plan.memory) }, plan.settings)
          }
        } catch (error) {
          for (const dir of dirs.values()) Cgroup.remove(dir)
          throw error
        }
        return dirs
      },
      catch: (error) =>
        new ToolFailed({
          tool: "bash",
          message: `cannot create the call's cgroup: ${error instanceof Error ? error.message : String(error)}`
        })
    }),
    (dirs) => Effect.sync(() => dirs.forEach((dir) => Cgroup.remove(dir)))
  ).pipe(Effect.map((dirs) => ({
    procs: [...dirs.values()].map((dir) => `${dir}/cgroup.procs`),
    dirOf: (group: Group) => dirs.get(group.hierarchy) ?? ""
  })))
}
