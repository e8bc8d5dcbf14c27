/**
 * The OS sandbox of `bash`: bubblewrap (`bwrap`). The root directory is bound read-write at its own path, the
 * system directories read-only, a private `/tmp`, `/dev/shm` (size-limited tmpfs), `/proc` and `/dev`; the
 * sandbox's own `/` and `/dev` are read-only; nothing else of the host is visible. All namespaces are unshared
 * (the network too, unless shared or filtered), so the command runs as PID 1's child in its own PID namespace:
 * when it exits, or bwrap is killed, every process it left behind dies with it (`--die-with-parent`). The
 * session is new (no terminal injection), every capability is dropped, and the environment is rebuilt from an
 * allowlist.
 *
 * Launching one call: a first shell on the host enters the call's cgroups and execs bwrap (so everything in the
 * sandbox is in them from its first instruction); inside, a first shell closes inherited descriptors, sets the
 * resource limits (`ulimit`, inherited by all it starts), starts the network bridge when there is an allowlist,
 * and execs `bash -c command`.
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
import * as Cgroup from "./cgroup.js"
import type { Call, Launcher } from "./env.js"
import { SandboxUnavailable } from "./errors.js"
import * as Limits from "./limits.js"
import type * as Proxy from "./proxy.js"

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

// Where the proxy's socket appears inside the sandbox, and the port the bridge listens on there.
const proxySocket = "/run/effect-lanes/proxy.sock"
const proxyPort = 3128

/**
 * The variables that point programs at the proxy (curl, pip, npm, git, wget and most HTTP clients read them).
 *
 * @internal
 */
export const proxyEnv: Readonly<Record<string, string>> = Object.fromEntries(
  ["HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"].map((name) => [
    name,
    `http://127.0.0.1:${proxyPort}`
  ])
)

/**
 * The bwrap arguments for a root (a real path) and one call, before `--`.
 *
 * @internal
 */
export const bwrapArguments = (
  root: string,
  options: SandboxOptions,
  env: Readonly<Record<string, string>>,
  settings: Limits.Settings | undefined,
  call: Pick<Call, "proxy">,
  socat?: string
) => {
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
  // tmpfs size-limited like the root's writes (without a memory cgroup they would be host memory)
  const size = settings === undefined ? [] : ["--size", String(settings.writtenBytes)]
  args.push("--proc", "/proc", "--dev", "/dev", ...size, "--tmpfs", "/dev/shm", ...size, "--tmpfs", "/tmp")
  args.push("--bind", root, root, "--chdir", root)
  if (call.proxy !== undefined) {
    args.push("--ro-bind", call.proxy, proxySocket)
    if (socat !== undefined) args.push("--ro-bind", socat, socat)
  }
  args.push("--unshare-all")
  if (options.network === true) args.push("--share-net")
  args.push("--die-with-parent", "--new-session", "--cap-drop", "ALL", "--clearenv")
  const proxied = call.proxy === undefined ? env : { ...proxyEnv, ...env }
  for (const [name, value] of Object.entries(proxied)) args.push("--setenv", name, value)
  args.push("--remount-ro", "/dev", "--remount-ro", "/")
  return args
}

// Descriptors the application inherited without close-on-exec (from whatever started it) would pass through
// bwrap into the command; the first shell closes every descriptor above 2.
const closeInheritedFds = [
  "for fd in /proc/self/fd/*; do fd=${fd##*/}",
  "case $fd in 0|1|2) ;; *) eval \"exec $fd>&-\" 2>/dev/null ;; esac",
  "done"
].join("; ")

// socat forwards the loopback port to the proxy's socket; started in a subshell so that it is the sandbox
// init's child (a command's `wait` does not wait for it); then the shell waits, reading /proc/net/tcp (bounded),
// until the port listens.
const bridge = (socat: string) =>
  [
    `(${socat} TCP-LISTEN:${proxyPort},bind=127.0.0.1,fork,reuseaddr UNIX-CONNECT:${proxySocket} </dev/null >/dev/null 2>&1 &)`,
    "n=0; while [ $n -lt 5000 ]; do n=$((n+1))",
    `while read -r _ local _ state _; do [ "$local" = 0100007F:${
      proxyPort.toString(16).toUpperCase().padStart(4, "0")
    } ] && [ "$state" = 0A ] && break 2; done < /proc/net/tcp`,
    "done"
  ].join("; ")

// Non-interactive bash still reads ~/.bashrc and /etc/bash.bashrc when its stdin is a socket (as Node's pipes
// are) on Debian-built bash; --norc stops that (a host's rc file is not the command's, and it costs time).
const bashNoRc = ["bash", "--norc", "--noprofile"]

/**
 * The script of the first shell: close inherited descriptors, set the limits, start the bridge, then run the
 * command (its first argument).
 *
 * @internal
 */
export const firstShell = (ulimits: string | undefined, socat: string | undefined) =>
  [
    closeInheritedFds,
    ...(ulimits === undefined ? [] : [ulimits]),
    ...(socat === undefined ? [] : [bridge(socat)]),
    "exec bash --norc --noprofile -c \"$1\""
  ].join("; ")

// The host shell that puts itself (then bwrap, by exec) into the call's cgroups.
const enterGroups = "while [ \"$1\" != -- ]; do echo $$ > \"$1\" || exit 125; shift; done; shift; exec \"$@\""

/**
 * The first executable file `name` in the directories of `searchPath`.
 *
 * @internal
 */
export const findOnPath = (name: string, searchPath: string | undefined): string | undefined => {
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

const firstLine = (text: string) => (text.trim().split("\n")[0] ?? "").slice(0, 200)

/**
 * How `bash` is launched for a root: inside bwrap (found on the host's `PATH` unless `options.bwrap` names it,
 * and tried once with `true`), or, only when the application opted out with `kind: "none"`, directly with the
 * clean environment. With limits, the cgroups this process may use are found (and tried) here; with a network
 * allowlist, `socat` is looked for on the host's `PATH`. Fails with `SandboxUnavailable` naming what is missing.
 *
 * @internal
 */
export const launcher = (
  executor: CommandExecutor.CommandExecutor,
  root: string,
  options: SandboxOptions,
  settings: Limits.Settings | undefined,
  network: Proxy.Policy | undefined
): Effect.Effect<Launcher, SandboxUnavailable> =>
  Effect.gen(function*() {
    const host = process.env
    if (options.kind === "none") {
      const script = firstShell(undefined, undefined)
      return {
        sandboxed: false,
        env: environment(options, host.HOME ?? root, host),
        limits: undefined,
        network: undefined,
        argv: () => [...bashNoRc, "-c", script, "bash"]
      }
    }
    const bwrap = options.bwrap ?? findOnPath("bwrap", host.PATH)
    if (bwrap === undefined) {
      return yield* new SandboxUnavailable({ tool: "bash", missing: "bwrap", reason: "was not found on PATH" })
    }
    const socat = network === undefined ? undefined : findOnPath("socat", host.PATH)
    if (network !== undefined && socat === undefined) {
      return yield* new SandboxUnavailable({
        tool: "bash",
        missing: "socat",
        reason: "was not found on PATH; sandbox.network.allow needs it (apt-get install socat)"
      })
    }
    const hostBash = findOnPath("bash", host.PATH) ?? "/bin/bash"
    const hierarchies = settings === undefined ? undefined : yield* Effect.sync(() => Cgroup.discover(settings.cgroup))
    if (settings?.cgroup !== undefined && hierarchies?.v2 === undefined) {
      return yield* new SandboxUnavailable({
        tool: "bash",
        missing: `the cgroup ${settings.cgroup}`,
        reason: "cannot have a child created in it by this process (sandbox.limits.cgroup)"
      })
    }
    const plan = settings === undefined || hierarchies === undefined
      ? undefined
      : Limits.plan(settings, hierarchies, process.getuid?.() === 0)
    const env = environment(options, "/tmp", host)
    const script = firstShell(plan?.ulimits, socat)
    const argv = (call: Call) => {
      const sandbox = [bwrap, ...bwrapArguments(root, options, env, settings, call, socat), "--", ...bashNoRc, "-c"]
      const enter = call.procs.length === 0
        ? []
        : [hostBash, "--norc", "--noprofile", "-c", enterGroups, "enter", ...call.procs, "--"]
      return [...enter, ...sandbox, call.proxy === undefined ? firstShell(plan?.ulimits, undefined) : script, "bash"]
    }
    const [program = bwrap, ...probeArgs] = [...argv({ procs: [], proxy: undefined }), "true"]
    const probe = Command.make(program, ...probeArgs).pipe(
      Command.env({ PATH: defaultPath }, { extendEnv: false }),
      Command.feed("")
    )
    const command = [program, ...probeArgs].join(" ")
    const failure = yield* Effect.scoped(Effect.gen(function*() {
      const child = yield* executor.start(probe)
      const [stderr, exitCode] = yield* Effect.all(
        [child.stderr.pipe(Stream.decodeText(), Stream.mkString), child.exitCode],
        { concurrency: "unbounded" }
      )
      return exitCode === 0 ? undefined : `exited with code ${exitCode}: ${firstLine(stderr)}`
    })).pipe(
      Effect.catchAll((error) =>
        Effect.succeed(
          error._tag === "SystemError"
            ? `cannot be started (${error.reason}: ${firstLine(error.description ?? "")})`
            : firstLine(error.message)
        )
      )
    )
    if (failure !== undefined) {
      return yield* new SandboxUnavailable({
        tool: "bash",
        missing: `a working bwrap (${bwrap})`,
        reason: failure,
        command
      })
    }
    return { sandboxed: true, env: {}, limits: plan, network, argv }
  })
