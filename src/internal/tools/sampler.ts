/**
 * The sampler of a sandboxed call: every {@link sampleInterval} of real time it reads the call's counters (the
 * cgroups' `pids.events`, `memory.events` or `memory.oom_control`, `cpu.stat` or `cpuacct.usage`, and the
 * processes' `/proc/<pid>/io` and `/proc/<pid>/stat`) and, when one says a limit was reached (the pids limit
 * hit, an OOM kill, a total past its maximum), ends the call with `ResourceLimitExceeded`.
 *
 * @internal
 */
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Schedule from "effect/Schedule"
import * as NodeFs from "node:fs"
import * as Cgroup from "./cgroup.js"
import { ResourceLimitExceeded } from "./errors.js"
import { type Groups, label, type LimitName, type Plan } from "./limits.js"

/**
 * How often the sampler reads the counters.
 *
 * @internal
 */
export const sampleInterval = Duration.millis(100)

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
