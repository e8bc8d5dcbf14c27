/**
 * The OS sandbox of `bash`: bubblewrap (`bwrap`). The root directory is bound read-write at its own path, the
 * system directories read-only, a private `/tmp`, `/proc` and `/dev`; nothing else of the host is visible. All
 * namespaces are unshared (the network too, unless allowed), so the command runs as PID 1's child in its own
 * PID namespace: when it exits, or bwrap is killed, every process it left behind dies with it
 * (`--die-with-parent`). The session is new (no terminal injection), every capability is dropped, and the
 * environment is rebuilt from an allowlist.
 *
 * @internal
 */
import * as Command from "@effect/platform/Command"
import type * as CommandExecutor from "@effect/platform/CommandExecutor"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import * as NodeFs from "node:fs"
import * as NodePath from "node:path"
import type { SandboxOptions } from "../../tools/Tools.js"
import type { Launcher } from "./env.js"
import { SandboxUnavailable } from "./errors.js"

/**
 * The variables copied from the host when set, besides those the application names.
 *
 * @internal
 */
export const defaultEnv: ReadonlyArray<string> = ["LANG", "LANGUAGE", "LC_ALL", "LC_CTYPE", "LC_MESSAGES", "TERM", "TZ"]

/**
 * The `PATH` inside the sandbox unless the application sets one.
 *
 * @internal
 */
export const defaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

const systemDirectories = ["/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"]

// What programs need from /etc (dynamic linker, user names, certificates, alternatives, time zone); not the
// rest (no shadow, no credentials, no host configuration).
const systemFiles = [
  "/etc/alternatives",
  "/etc/ld.so.cache",
  "/etc/ld.so.conf",
  "/etc/ld.so.conf.d",
  "/etc/localtime",
  "/etc/nsswitch.conf",
  "/etc/passwd",
  "/etc/group",
  "/etc/ssl",
  "/etc/ca-certificates",
  "/etc/bash.bashrc",
  "/etc/profile",
  "/etc/inputrc"
]

const networkFiles = ["/etc/resolv.conf", "/etc/hosts", "/etc/host.conf", "/etc/gai.conf"]

/**
 * The environment of the command: `PATH`, `HOME` and the allowlisted variables that are set on the host, then
 * the application's `setEnv`.
 *
 * @internal
 */
export const environment = (
  options: SandboxOptions,
  home: string,
  host: Readonly<Record<string, string | undefined>>
): Record<string, string> => {
  const env: Record<string, string> = { PATH: defaultPath, HOME: home }
  for (const name of [...defaultEnv, ...(options.env ?? [])]) {
    const value = host[name]
    if (value !== undefined) env[name] = value
  }
  return { ...env, ...options.setEnv }
}

/**
 * The bwrap arguments for a root (a real path), before `--`.
 *
 * @internal
 */
export const bwrapArguments = (root: string, options: SandboxOptions, env: Readonly<Record<string, string>>) => {
  const args: Array<string> = []
  for (const directory of systemDirectories) {
    try {
      const stats = NodeFs.lstatSync(directory)
      if (stats.isSymbolicLink()) args.push("--symlink", NodeFs.readlinkSync(directory), directory)
      else if (stats.isDirectory()) args.push("--ro-bind", directory, directory)
    } catch {
      // absent on this system
    }
  }
  const files = [...systemFiles, ...(options.network === true ? networkFiles : []), ...(options.readOnlyPaths ?? [])]
  for (const file of files) args.push("--ro-bind-try", file, file)
  args.push("--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp")
  args.push("--bind", root, root, "--chdir", root)
  args.push("--unshare-all")
  if (options.network === true) args.push("--share-net")
  args.push("--die-with-parent", "--new-session", "--cap-drop", "ALL", "--clearenv")
  for (const [name, value] of Object.entries(env)) args.push("--setenv", name, value)
  return args
}

const findOnPath = (name: string, searchPath: string | undefined): string | undefined => {
  for (const directory of (searchPath ?? "").split(NodePath.delimiter)) {
    if (directory === "") continue
    const candidate = NodePath.join(directory, name)
    try {
      NodeFs.accessSync(candidate, NodeFs.constants.X_OK)
      if (NodeFs.statSync(candidate).isFile()) return candidate
    } catch {
      // not here
    }
  }
  return undefined
}

/**
 * How `bash` is launched for a root: inside bwrap (found on the host's `PATH` unless `options.bwrap` names it,
 * and tried once with `true`), or, only when the application opted out with `kind: "none"`, directly with the
 * clean environment. Fails with `SandboxUnavailable` naming what is missing.
 *
 * @internal
 */
export const launcher = (
  executor: CommandExecutor.CommandExecutor,
  root: string,
  options: SandboxOptions
): Effect.Effect<Launcher, SandboxUnavailable> =>
  Effect.gen(function*() {
    const host = process.env
    if (options.kind === "none") {
      return { sandboxed: false, prefix: [], env: environment(options, host.HOME ?? root, host) }
    }
    const bwrap = options.bwrap ?? findOnPath("bwrap", host.PATH)
    if (bwrap === undefined) {
      return yield* new SandboxUnavailable({ tool: "bash", missing: "bwrap", reason: "was not found on PATH" })
    }
    const env = environment(options, "/tmp", host)
    const prefix = [bwrap, ...bwrapArguments(root, options, env), "--"]
    const probe = Command.make(bwrap, ...bwrapArguments(root, options, env), "--", "true").pipe(
      Command.env({ PATH: defaultPath }, { extendEnv: false }),
      Command.feed("")
    )
    const failure = yield* Effect.scoped(Effect.gen(function*() {
      const child = yield* executor.start(probe)
      const [stderr, exitCode] = yield* Effect.all(
        [child.stderr.pipe(Stream.decodeText(), Stream.mkString), child.exitCode],
        { concurrency: "unbounded" }
      )
      return exitCode === 0 ? undefined : `exit code ${exitCode}: ${stderr.trim().slice(0, 500)}`
    })).pipe(Effect.catchAll((error) => Effect.succeed(error.message)))
    if (failure !== undefined) {
      return yield* new SandboxUnavailable({
        tool: "bash",
        missing: `a working bwrap (${bwrap})`,
        reason: `cannot create a sandbox here: ${failure}`
      })
    }
    return { sandboxed: true, prefix, env: {} }
  })
