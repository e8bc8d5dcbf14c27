/**
 * The control groups `bash`'s sandbox can be put in: discovery of the hierarchies this process may create
 * children in, one child per call, and the counters read from it.
 *
 * Every call's groups are created under this process's own cgroup of each hierarchy (so limits set above it
 * keep holding), named `effect-lanes-<pid>-<n>`. A v2 hierarchy is used when this process may create a child in
 * its own cgroup there; the child has the interface files of the controllers in the parent's
 * `cgroup.subtree_control` (`cpu.stat` always). A v1 hierarchy (the `pids`, `memory` and `cpuacct` ones, as root
 * on a hybrid host) is used when a child can be created in it. Each is tried once, with a probe child.
 *
 * @internal
 */
import * as NodeFs from "node:fs"
import * as NodePath from "node:path"

/** @internal */
export interface Hierarchy {
  readonly version: 1 | 2
  /** The directory of this process's own cgroup in the hierarchy. */
  readonly dir: string
  /** v1: the controllers of the hierarchy; v2: those enabled for children (`cgroup.subtree_control`). */
  readonly controllers: ReadonlySet<string>
}

/** @internal */
export interface Hierarchies {
  readonly v2: Hierarchy | undefined
  readonly v1: ReadonlyMap<string, Hierarchy>
}

const prefix = `effect-lanes-${process.pid}-`

const readText = (file: string): string | undefined => {
  try {
    return NodeFs.readFileSync(file, "utf8")
  } catch {
    return undefined
  }
}

interface Mount {
  readonly point: string
  readonly root: string
  readonly type: string
  readonly options: ReadonlyArray<string>
}

// /proc/self/mountinfo: "id parent major:minor root point options [optional...] - type source superoptions"
const mounts = (): ReadonlyArray<Mount> =>
  (readText("/proc/self/mountinfo") ?? "").split("\n").flatMap((line) => {
    const [left, right] = line.split(" - ")
    if (left === undefined || right === undefined) return []
    const fields = left.split(" ")
    const [type, , superOptions] = right.split(" ")
    const root = fields[3]
    const point = fields[4]
    if (type === undefined || root === undefined || point === undefined) return []
    const unescape = (value: string) =>
      value.replace(/\\(\d{3})/g, (_, octal: string) => String.fromCharCode(Number.parseInt(octal, 8)))
    return [{ point: unescape(point), root: unescape(root), type, options: (superOptions ?? "").split(",") }]
  })

// /proc/self/cgroup: "id:controllers:path", v2 being "0::path"
const ownPaths = (): ReadonlyArray<{ readonly controllers: ReadonlyArray<string>; readonly path: string }> =>
  (readText("/proc/self/cgroup") ?? "").split("\n").flatMap((line) => {
    const first = line.indexOf(":")
    const second = line.indexOf(":", first + 1)
    if (first < 0 || second < 0) return []
    const controllers = line.slice(first + 1, second).split(",").filter((name) => name !== "")
    return [{ controllers, path: line.slice(second + 1) }]
  })

const within = (mount: Mount, path: string): string =>
  NodePath.join(mount.point, mount.root !== "/" && path.startsWith(mount.root) ? path.slice(mount.root.length) : path)

// Whether a child can be created (and removed) here.
const creatable = (dir: string): boolean => {
  const probe = NodePath.join(dir, `${prefix}probe`)
  try {
    NodeFs.mkdirSync(probe)
  } catch (error) {
    if (!(error instanceof Error && "code" in error && error.code === "EEXIST")) return false
  }
  try {
    NodeFs.rmdirSync(probe)
    return true
  } catch {
    return false
  }
}

const subtreeControllers = (dir: string): ReadonlySet<string> =>
  new Set((readText(NodePath.join(dir, "cgroup.subtree_control")) ?? "").split(/\s+/).filter((name) => name !== ""))

/** The v1 controllers whose hierarchies are used. */
const usedV1 = ["pids", "memory", "cpuacct"]

// The v2 group to create the calls' groups in: `given`, else this process's own group, or its parent when the
// parent offers controllers (a delegated group whose processes live in a leaf, as systemd's `Delegate=yes`
// services arrange), without leaving the mount.
const v2Candidates = (mount: Mount, own: string): ReadonlyArray<string> => {
  const dir = within(mount, own)
  const parent = NodePath.dirname(dir)
  return dir === mount.point || !parent.startsWith(mount.point) ? [dir] : [dir, parent]
}

/**
 * The hierarchies this process may create per-call cgroups in, found from `/proc/self/cgroup` and
 * `/proc/self/mountinfo` and tried with a probe child; with `given` (a cgroup v2 directory), that one for v2.
 * Empty where there is none (not Linux, no permission).
 *
 * @internal
 */
export const discover = (given?: string): Hierarchies => {
  const all = mounts()
  let v2: Hierarchy | undefined
  const v1 = new Map<string, Hierarchy>()
  for (const own of ownPaths()) {
    if (own.controllers.length === 0) {
      const mount = all.find((candidate) => candidate.type === "cgroup2")
      if (given !== undefined || mount === undefined) continue
      const usable = v2Candidates(mount, own.path).filter(creatable).map((dir) => ({
        dir,
        controllers: subtreeControllers(dir)
      }))
      const chosen = usable.find(({ controllers }) => controllers.has("pids") || controllers.has("memory")) ?? usable[0]
      if (chosen !== undefined) v2 = { version: 2, ...chosen }
      continue
    }
    if (!own.controllers.some((name) => usedV1.includes(name))) continue
    const mount = all.find((candidate) =>
      candidate.type === "cgroup" && own.controllers.every((name) => candidate.options.includes(name))
    )
    if (mount === undefined) continue
    const dir = within(mount, own.path)
    if (!creatable(dir)) continue
    const hierarchy: Hierarchy = { version: 1, dir, controllers: new Set(own.controllers) }
    for (const name of own.controllers) v1.set(name, hierarchy)
  }
  if (given !== undefined && creatable(given)) v2 = { version: 2, dir: given, controllers: subtreeControllers(given) }
  return { v2, v1 }
}

let sequence = 0

// This process's groups that were still busy when their call ended.
const leftovers = new Set<string>()

/**
 * Creates a fresh child of `hierarchy` for one call; its directory.
 *
 * @internal
 */
export const create = (hierarchy: Hierarchy): string => {
  const dir = NodePath.join(hierarchy.dir, `${prefix}${++sequence}`)
  NodeFs.mkdirSync(dir)
  return dir
}

/**
 * Writes a control file of a group (e.g. `pids.max`).
 *
 * @internal
 */
export const write = (dir: string, file: string, value: string): void =>
  NodeFs.writeFileSync(NodePath.join(dir, file), value)

/**
 * Whether a group has a control file (a controller or a kernel feature may be absent).
 *
 * @internal
 */
export const has = (dir: string, file: string): boolean => NodeFs.existsSync(NodePath.join(dir, file))

/**
 * The value of `key` in a flat-keyed file of a group (`pids.events`, `memory.events`, `cpu.stat`,
 * `memory.oom_control`), or of a single-value file when `key` is omitted; 0 when absent.
 *
 * @internal
 */
export const counter = (dir: string, file: string, key?: string): number => {
  const text = readText(NodePath.join(dir, file)) ?? ""
  if (key === undefined) return Number(text.trim()) || 0
  for (const line of text.split("\n")) {
    const [name, value] = line.trim().split(/\s+/)
    if (name === key) return Number(value) || 0
  }
  return 0
}

const signalAll = (dir: string): void => {
  for (const pid of (readText(NodePath.join(dir, "cgroup.procs")) ?? "").split("\n")) {
    const id = Number.parseInt(pid, 10)
    if (Number.isInteger(id) && id > 0) {
      try {
        process.kill(id, "SIGKILL")
      } catch {
        // gone already
      }
    }
  }
}

/**
 * Removes a call's group, first killing whatever is left in it (`cgroup.kill` on v2, each listed process on
 * v1). Normally nothing is: the group is removed once the sandbox has exited, and everything in its PID
 * namespace died with its init. A group still busy after a few attempts is left to {@link sweep}.
 *
 * @internal
 */
export const remove = (dir: string): void => {
  for (let attempt = 0; attempt < 100; attempt++) {
    try {
      NodeFs.rmdirSync(dir)
      leftovers.delete(dir)
      return
    } catch (error) {
      if (error instanceof Error && "code" in error && error.code === "ENOENT") {
        leftovers.delete(dir)
        return
      }
      if (has(dir, "cgroup.kill")) {
        try {
          write(dir, "cgroup.kill", "1")
        } catch {
          // not supported
        }
      } else {
        signalAll(dir)
      }
    }
  }
  leftovers.add(dir)
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return error instanceof Error && "code" in error && error.code === "EPERM"
  }
}

/**
 * Removes the groups left behind: this process's that were still busy when their call ended, and, in
 * `hierarchies`, those of processes that no longer run (a crashed application).
 *
 * @internal
 */
export const sweep = (hierarchies: Hierarchies): void => {
  for (const dir of [...leftovers]) remove(dir)
  const dirs = new Set([
    ...(hierarchies.v2 === undefined ? [] : [hierarchies.v2.dir]),
    ...[...hierarchies.v1.values()].map((h) => h.dir)
  ])
  for (const dir of dirs) {
    let entries: Array<string>
    try {
      entries = NodeFs.readdirSync(dir)
    } catch {
      continue
    }
    for (const name of entries) {
      const match = /^effect-lanes-(\d+)-\d+$/.exec(name)
      if (match === null) continue
      const pid = Number(match[1])
      if (pid !== process.pid && !alive(pid)) remove(NodePath.join(dir, name))
    }
  }
}
