/**
 * The network allowlist of `bash`'s sandbox, on loopback only: a test server on 127.0.0.1 (port 0), reached by the
 * names the proxy maps to it (`hosts`). An allowed name reaches it through the proxy (plain HTTP and `CONNECT`), a
 * name not on the list is refused and reported, and connections bypassing the proxy fail. The commands speak to
 * the proxy with bash's own `/dev/tcp`, as any client honouring `HTTP_PROXY` would. These tests need `bwrap` and
 * `socat` (`.ci/run` installs both); without them they are skipped with a message saying so.
 */
import * as NodeContext from "@effect/platform-node/NodeContext"
import { describe, expect, it } from "@effect/vitest"
import { Effect, FastCheck } from "effect"
import * as NodeFs from "node:fs"
import * as NodeHttp from "node:http"
import type * as NodeNet from "node:net"
import * as NodeOs from "node:os"
import * as NodePath from "node:path"
import * as Proxy from "../src/internal/tools/proxy.js"
import { findOnPath } from "../src/internal/tools/sandbox.js"
import * as Tools from "../src/tools/Tools.js"
import { hasSocat } from "./utils/sandbox.js"
import { hasBwrap, setup } from "./utils/tools.js"

/** A plain HTTP server on 127.0.0.1, answering with the Host header and path it was asked for. */
const testServer = Effect.acquireRelease(
  Effect.async<NodeHttp.Server>((resume) => {
    const server = NodeHttp.createServer((request, response) => {
      response.end(`hello ${request.headers.host} ${request.url}\n`)
    })
    server.listen(0, "127.0.0.1", () => resume(Effect.succeed(server)))
  }),
  (server) =>
    Effect.async<void>((resume) => {
      server.close(() => resume(Effect.void))
    })
).pipe(Effect.map((server) => {
  const address = server.address()
  return typeof address === "object" && address !== null ? (address satisfies NodeNet.AddressInfo).port : 0
}))

/** A bash command sending one request through the sandbox's proxy (`HTTP_PROXY`) and printing the answer. */
const viaProxy = (request: string) =>
  `exec 3<>/dev/tcp/127.0.0.1/\${HTTP_PROXY##*:} && printf '${request}' >&3 && cat <&3`

const get = (host: string, port: number, path = "/") =>
  viaProxy(`GET http://${host}:${port}${path} HTTP/1.1\\r\\nHost: ${host}\\r\\nConnection: close\\r\\n\\r\\n`)

const tunnel = (host: string, port: number, path = "/") =>
  viaProxy(
    `CONNECT ${host}:${port} HTTP/1.1\\r\\nHost: ${host}:${port}\\r\\n\\r\\nGET ${path} HTTP/1.1\\r\\nHost: ${host}\\r\\nConnection: close\\r\\n\\r\\n`
  )

describe("Tools bash: the allowlist", () => {
  const policy = (allow: ReadonlyArray<string>) => {
    const compiled = Proxy.policy({ allow })
    if (compiled._tag === "Left") throw compiled.left
    return compiled.right
  }
  const label = FastCheck.stringMatching(/^[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?$/)
  const name = FastCheck.array(label, { minLength: 1, maxLength: 4 }).map((labels) => labels.join("."))

  it.prop("a name matches itself (any case, trailing dot) and nothing else", [name, name], ([listed, other]) => {
    const allowed = policy([listed])
    expect(Proxy.allows(allowed, listed.toUpperCase())).toBe(true)
    expect(Proxy.allows(allowed, `${listed}.`)).toBe(true)
    expect(Proxy.allows(allowed, other)).toBe(other === listed)
    expect(Proxy.allows(allowed, `x${listed}`)).toBe(false)
    expect(Proxy.allows(allowed, `${listed}.x`)).toBe(false)
  })

  it.prop(
    "*.domain matches its subdomains at any depth, not the domain, not a name ending alike",
    [name, name],
    ([domain, sub]) => {
      const allowed = policy([`*.${domain}`])
      expect(Proxy.allows(allowed, `${sub}.${domain}`)).toBe(true)
      expect(Proxy.allows(allowed, domain)).toBe(false)
      expect(Proxy.allows(allowed, `${sub}${domain}`)).toBe(false)
    }
  )

  it("\"*\" allows any name; an empty list none", () => {
    expect(Proxy.allows(policy(["*"]), "anything.example")).toBe(true)
    expect(Proxy.allows(policy([]), "anything.example")).toBe(false)
  })

  it.effect("a bad entry fails make with InvalidSandboxOptions naming it", () =>
    Effect.gen(function*() {
      const cases: Array<[Tools.NetworkOptions, string]> = [
        [{ allow: ["ok.example", "http://x.example"] }, "sandbox.network.allow[1]"],
        [{ allow: ["a..b"] }, "sandbox.network.allow[0]"],
        [{ allow: ["*.*.example"] }, "sandbox.network.allow[0]"],
        [{ allow: ["a.example"], hosts: { "a.example": "not-an-address" } }, "sandbox.network.hosts.a.example"]
      ]
      for (const [network, field] of cases) {
        const error = yield* Effect.flip(setup({ sandbox: { network } }).pipe(Effect.scoped))
        expect(error).toMatchObject({ _tag: "InvalidSandboxOptions", field })
      }
    }).pipe(Effect.provide(NodeContext.layer)))

  it("parses CONNECT authorities, IPv6 in brackets; refuses the rest", () => {
    expect(Proxy.parseAuthority("api.example:443")).toEqual({ host: "api.example", port: 443 })
    expect(Proxy.parseAuthority("[::1]:8080")).toEqual({ host: "::1", port: 8080 })
    for (const bad of ["api.example", "api.example:0", "api.example:70000", "user@api.example:443", ":443", "a b:1"]) {
      expect(Proxy.parseAuthority(bad)).toBeUndefined()
    }
  })
})

describe.skipIf(!hasBwrap || !hasSocat)("Tools bash: network through the proxy", () => {
  const sandbox = (port: number) => ({
    network: {
      allow: ["api.test", "*.allowed.test", "localhost"],
      hosts: { "api.test": "127.0.0.1", "x.allowed.test": "127.0.0.1" }
    },
    setEnv: { PORT: String(port) }
  })

  it.scoped("an allowed name reaches the server through the proxy, by plain HTTP and by CONNECT", () =>
    Effect.gen(function*() {
      const port = yield* testServer
      const { tools } = yield* setup({ sandbox: sandbox(port) })
      const plain = yield* tools.bash({ command: get("api.test", port, "/plain") })
      expect(plain.stdout).toContain(`hello api.test:${port} /plain`)
      const tunnelled = yield* tools.bash({ command: tunnel("x.allowed.test", port, "/tunnel") })
      expect(tunnelled.stdout).toContain("HTTP/1.1 200 Connection Established")
      expect(tunnelled.stdout).toContain("hello x.allowed.test /tunnel")
      expect(plain.refused).toEqual([])
      expect(tunnelled.refused).toEqual([])
    }).pipe(Effect.provide(NodeContext.layer)))

  it.scoped("a name not on the list is refused (403) and reported in the result", () =>
    Effect.gen(function*() {
      const port = yield* testServer
      const { tools } = yield* setup({ sandbox: sandbox(port) })
      const result = yield* tools.bash({
        command: [get("other.test", port), "echo", tunnel("allowed.test", port), "echo", tunnel("127.0.0.1", port)]
          .join("; ")
      })
      expect(result.stdout).toContain("HTTP/1.1 403 Forbidden")
      expect(result.stdout).not.toContain("hello")
      expect(result.refused).toEqual([
        { host: "other.test", port, reason: "not on the network allowlist" },
        { host: "allowed.test", port, reason: "not on the network allowlist" },
        { host: "127.0.0.1", port, reason: "not on the network allowlist" }
      ])
    }).pipe(Effect.provide(NodeContext.layer)))

  it.scoped("a listed name resolving to the host's loopback is refused unless the application mapped it", () =>
    Effect.gen(function*() {
      const port = yield* testServer
      const { tools } = yield* setup({ sandbox: sandbox(port) })
      const result = yield* tools.bash({ command: get("localhost", port) })
      expect(result.stdout).toContain("HTTP/1.1 403 Forbidden")
      expect(result.refused).toMatchObject([{
        host: "localhost",
        port,
        reason: expect.stringContaining("host's own networks")
      }])
    }).pipe(Effect.provide(NodeContext.layer)))

  it.scoped("connections bypassing the proxy fail, and there is no DNS", () =>
    Effect.gen(function*() {
      const port = yield* testServer
      const { tools } = yield* setup({ sandbox: sandbox(port) })
      const external = Object.values(NodeOs.networkInterfaces()).flat().find((address) =>
        address !== undefined && address.family === "IPv4" && !address.internal
      )?.address ?? "192.0.2.1"
      const attempt = (host: string) =>
        `(exec 3<>/dev/tcp/${host}/${port}) 2>/dev/null && echo "reached ${host}" || echo "failed ${host}"`
      const result = yield* tools.bash({
        command: [
          attempt("127.0.0.1"),
          attempt(external),
          "getent hosts api.test || echo no-dns",
          "ls /etc/resolv.conf 2>&1"
        ].join("; ")
      })
      expect(result.stdout).toContain("failed 127.0.0.1")
      expect(result.stdout).toContain(`failed ${external}`)
      expect(result.stdout).not.toContain("reached")
      expect(result.stdout).toContain("no-dns")
      expect(result.stdout).toContain("No such file")
    }).pipe(Effect.provide(NodeContext.layer)))

  it.scoped("the environment points at the proxy; an empty list refuses everything", () =>
    Effect.gen(function*() {
      const port = yield* testServer
      const { tools } = yield* setup({ sandbox: { network: { allow: [] } } })
      const result = yield* tools.bash({ command: `printenv HTTPS_PROXY; ${get("api.test", port)}` })
      expect(result.stdout.startsWith("http://127.0.0.1:")).toBe(true)
      expect(result.refused).toEqual([{ host: "api.test", port, reason: "not on the network allowlist" }])
    }).pipe(Effect.provide(NodeContext.layer)))

  it.scoped("fails with SandboxUnavailable naming socat when it is not installed", () =>
    Effect.gen(function*() {
      const dir = NodeFs.mkdtempSync(NodePath.join(NodeOs.tmpdir(), "effect-lanes-path-"))
      yield* Effect.addFinalizer(() => Effect.sync(() => NodeFs.rmSync(dir, { recursive: true, force: true })))
      const bwrap = findOnPath("bwrap", process.env.PATH)
      const { tools } = yield* setup({ sandbox: { network: { allow: ["api.test"] }, ...(bwrap ? { bwrap } : {}) } })
      const before = process.env.PATH
      process.env.PATH = dir
      const error = yield* Effect.flip(tools.bash({ command: "true" })).pipe(
        Effect.ensuring(Effect.sync(() => {
          process.env.PATH = before
        }))
      )
      expect(error).toMatchObject({ _tag: "SandboxUnavailable", missing: "socat" })
    }).pipe(Effect.provide(NodeContext.layer)))
})

if (!hasBwrap || !hasSocat) {
  describe("Tools bash: network through the proxy", () => {
    it.skip("SKIPPED: bwrap or socat is not on PATH (apt-get install bubblewrap socat; .ci/run does)", () => {})
  })
}
