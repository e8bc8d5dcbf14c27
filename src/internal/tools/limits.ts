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
 * limits; the sampler reads the counters every {@link sampleInterval} of real time and, when one says a limit was reached
 * (`pids.events` max, an OOM kill, a total past its maximum), ends the call with `ResourceLimitExceeded`.
 *
 * @internal
 */
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Schedule from "effect/Schedule"
import type * as Scope from "effect/Scope"
import * as NodeFs from "node:fs"
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

/**
 * How often the sampler reads the counters.
 *
 * @internal
 */
export const sampleInterval = Duration.millis(100)

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

type Group = { readonly hierarchy: Cgroup.Hierarchy }

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

const label = (group: Group, file: string) => `cgroup v${group.hierarchy.version} ${file}`

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

// The processes of the sandbox: bwrap and its descendants (in its PID namespace, every process of the command
// descends from bwrap's child), from /proc/<pid>/task/<tid>/children.
const descendants = (root: number): Array<number> => {
  const found: Array<number> = []
  const queue = [root]
  for (let pid = queue.shift(); pid !== undefined; pid = queue.shift()) {
    found.push(pid)
    let tasks: Array<string>
    try {
      tasks = NodeFs.readdirSync(`/proc/${pid}/task`)
    } catch {
      continue
    }
    for (const task of tasks) {
      try {
        for (const child of NodeFs.readFileSync(`/proc/${pid}/task/${task}/children`, "utf8").split(" ")) {
          const id = Number.parseInt(child, 10)
          if (Number.isInteger(id) && id > 0) queue.push(id)
        }
      } catch {
        // exited meanwhile
      }
    }
  }
  return found
}

// Linux's USER_HZ, the unit of the times in /proc/<pid>/stat, is 100 on every architecture Node runs on.
const ticksPerSecond = 100

interface Usage {
  readonly tasks: number
  readonly cpuTime: number
  readonly writtenBytes: number
}

const processUsage = (pids: ReadonlyArray<number>, root: number): Usage => {
  let tasks = 0
  let ticks = 0
  let written = 0
  // each read on its own: a zombie (still counted by RLIMIT_NPROC) has no readable io
  const read = (file: string) => {
    try {
      return NodeFs.readFileSync(file, "utf8")
    } catch {
      return ""
    }
  }
  for (const pid of pids) {
    written += Number(/^write_bytes: (\d+)$/m.exec(read(`/proc/${pid}/io`))?.[1] ?? 0)
    const stat = read(`/proc/${pid}/stat`)
    // after "(comm) ": state is field 3, utime..cstime are fields 14..17
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ")
    for (const index of [11, 12, 13, 14]) ticks += Number(fields[index] ?? 0) || 0
    // bwrap itself runs outside the sandbox's user namespace: not counted
    if (pid === root || stat === "") continue
    try {
      tasks += NodeFs.readdirSync(`/proc/${pid}/task`).length
    } catch {
      // exited meanwhile: its usage is its parent's now
    }
  }
  return { tasks, cpuTime: ticks / ticksPerSecond, writtenBytes: written }
}

/**
 * Watches one call: `sample` reads the counters and fails with `ResourceLimitExceeded` when a limit was reached;
 * `verdict` says, once the command has exited, whether a limit stopped it (the group's counters, the last
 * sample, and an exit by `SIGXCPU` or `SIGXFSZ`, the kernel's signals for `RLIMIT_CPU` and `RLIMIT_FSIZE`).
 *
 * @internal
 */
export interface Monitor {
  readonly sample: Effect.Effect<void, ResourceLimitExceeded>
  readonly verdict: (exitCode: number) => ResourceLimitExceeded | undefined
}

/** @internal */
export const monitor = (plan: Plan, groups: Groups, root: number): Monitor => {
  let last: Usage = { tasks: 0, cpuTime: 0, writtenBytes: 0 }
  const { settings } = plan
  const stop = (limit: LimitName, mechanism: string): ResourceLimitExceeded =>
    new ResourceLimitExceeded({ tool: "bash", limit, max: settings[limit], mechanism })

  // the kernel's own counters, readable as long as the group exists (also after the command exited)
  const counted = (): ResourceLimitExceeded | undefined => {
    if (typeof plan.processes !== "string") {
      if (Cgroup.counter(groups.dirOf(plan.processes), "pids.events", "max") > 0) {
        return stop("processes", label(plan.processes, "pids.max"))
      }
    }
    if (typeof plan.memory !== "string") {
      const dir = groups.dirOf(plan.memory)
      const v2 = plan.memory.hierarchy.version === 2
      if (Cgroup.counter(dir, v2 ? "memory.events" : "memory.oom_control", "oom_kill") > 0) {
        return stop("memoryBytes", label(plan.memory, v2 ? "memory.max" : "memory.limit_in_bytes"))
      }
    }
    if (typeof plan.cpu !== "string") {
      const dir = groups.dirOf(plan.cpu)
      const seconds = plan.cpu.hierarchy.version === 2
        ? Cgroup.counter(dir, "cpu.stat", "usage_usec") / 1e6
        : Cgroup.counter(dir, "cpuacct.usage") / 1e9
      if (seconds >= settings.cpuTime) {
        return stop("cpuTime", label(plan.cpu, plan.cpu.hierarchy.version === 2 ? "cpu.stat" : "cpuacct.usage"))
      }
    }
    return undefined
  }

  const sampled = (usage: Usage): ResourceLimitExceeded | undefined => {
    if (typeof plan.processes === "string" && usage.tasks >= settings.processes) {
      return stop("processes", plan.processes === "rlimit" ? "RLIMIT_NPROC" : "the sampled count")
    }
    if (plan.cpu === "sampled" && usage.cpuTime >= settings.cpuTime) return stop("cpuTime", "the processes' CPU times")
    if (usage.writtenBytes >= settings.writtenBytes) return stop("writtenBytes", "the processes' write_bytes")
    return undefined
  }

  const sample = Effect.suspend(() => {
    last = processUsage(descendants(root), root)
    const over = counted() ?? sampled(last)
    return over === undefined ? Effect.void : Effect.fail(over)
  })

  const verdict = (exitCode: number): ResourceLimitExceeded | undefined => {
    const over = counted() ?? sampled(last)
    if (over !== undefined) return over
    // 128 + SIGXCPU (24), 128 + SIGXFSZ (25)
    if (exitCode === 152) return stop("cpuTime", "RLIMIT_CPU")
    if (exitCode === 153) return stop("writtenBytes", "RLIMIT_FSIZE")
    return undefined
  }

  return { sample, verdict }
}

// The counters move in real time, whatever clock the application runs on: the sampler is paced by the real
// clock, so that a test clock (which moves only when told) cannot leave a sandbox unwatched.
const realClock = Clock.make()

/**
 * Runs `effect` while sampling every {@link sampleInterval} of real time; the first limit reached interrupts it
 * and fails the call.
 *
 * @internal
 */
export const watched = <A, E>(
  watch: Monitor,
  effect: Effect.Effect<A, E>
): Effect.Effect<A, E | ResourceLimitExceeded> =>
  Effect.raceFirst(
    effect,
    watch.sample.pipe(
      Effect.repeat(Schedule.spaced(sampleInterval)),
      Effect.zipRight(Effect.never),
      Effect.withClock(realClock)
    )
  )
