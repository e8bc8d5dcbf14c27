/**
 * The network of `bash`'s sandbox with an allowlist: an HTTP proxy on the host side, one per call, listening on
 * a Unix socket that is bound into the sandbox (whose network namespace has only a loopback interface). Inside,
 * `socat` forwards `127.0.0.1:3128` to that socket, and `HTTP_PROXY`/`HTTPS_PROXY` name it. The proxy accepts
 * `CONNECT host:port` (HTTPS and any other TCP protocol tunnelled) and plain HTTP requests in absolute form,
 * checks the host name against the allowlist, resolves it on the host (so the sandbox needs no DNS) and
 * connects. Anything else is refused with a 403 and recorded in the call's result.
 *
 * Written on Node's own `http` and `net`: the proxy's job is a name check and a byte pipe, which those modules
 * do in a few lines, where a proxy library would bring its own policy model, authentication and upstream
 * chaining to switch off.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import type * as Scope from "effect/Scope"
import * as NodeDns from "node:dns"
import * as NodeFs from "node:fs"
import * as NodeHttp from "node:http"
import * as NodeNet from "node:net"
import * as NodeOs from "node:os"
import * as NodePath from "node:path"
import type * as NodeStream from "node:stream"
import type { NetworkOptions } from "../../tools/Tools.js"
import { InvalidSandboxOptions, ToolFailed } from "./errors.js"
import type { Refusal } from "./schemas.js"

/**
 * The allowlist, compiled: exact names, `*.suffix` wildcards (any depth of subdomain, not the name itself) and
 * `*` (any name); plus names mapped to fixed addresses.
 *
 * @internal
 */
export interface Policy {
  readonly exact: ReadonlySet<string>
  readonly suffixes: ReadonlyArray<string>
  readonly any: boolean
  readonly hosts: ReadonlyMap<string, string>
}

/** The most refusals one result lists. */
export const maxRefusals = 100

const label = "[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?"
const hostName = new RegExp(`^${label}(\\.${label})*$`)

const normalize = (name: string) => name.toLowerCase().replace(/\.$/, "")

/**
 * Validates `sandbox.network` in its allowlist form.
 *
 * @internal
 */
export const policy = (options: NetworkOptions): Either.Either<Policy, InvalidSandboxOptions> =>
  Either.gen(function*() {
    const exact = new Set<string>()
    const suffixes: Array<string> = []
    let any = false
    for (const [index, entry] of options.allow.entries()) {
      const name = normalize(entry)
      const bare = name.startsWith("*.") ? name.slice(2) : name
      if (name === "*") any = true
      else if (hostName.test(bare) && bare.length <= 253) {
        if (name.startsWith("*.")) suffixes.push(`.${bare}`)
        else exact.add(name)
      } else {
        return yield* Either.left(
          new InvalidSandboxOptions({
            field: `sandbox.network.allow[${index}]`,
            reason: `expected a host name, "*.domain" or "*", got ${JSON.stringify(entry)}`
          })
        )
      }
    }
    const hosts = new Map<string, string>()
    for (const [name, address] of Object.entries(options.hosts ?? {})) {
      if (!hostName.test(normalize(name)) || NodeNet.isIP(address) === 0) {
        return yield* Either.left(
          new InvalidSandboxOptions({
            field: `sandbox.network.hosts.${name}`,
            reason: `expected a host name mapped to an IP address, got ${JSON.stringify(address)}`
          })
        )
      }
      hosts.set(normalize(name), address)
    }
    return { exact, suffixes, any, hosts }
  })

/**
 * Whether a host name is on the allowlist.
 *
 * @internal
 */
export const allows = (policy: Policy, host: string): boolean => {
  const name = normalize(host)
  return policy.any || policy.exact.has(name) || policy.suffixes.some((suffix) => name.endsWith(suffix))
}

// Addresses a name on the list must not resolve to unless the application mapped it there itself: the host's
// own loopback and link-local networks (cloud metadata services) and the unspecified address.
const internal = (address: string): boolean => {
  const v4 = address.startsWith("::ffff:") ? address.slice(7) : address
  if (NodeNet.isIPv4(v4)) {
    return v4.startsWith("127.") || v4.startsWith("169.254.") || v4.startsWith("0.")
  }
  const v6 = address.toLowerCase()
  return v6 === "::1" || v6 === "::" || /^fe[89ab]/.test(v6)
}

/**
 * The proxy of one call: the path of its socket, and the attempts it refused.
 *
 * @internal
 */
export interface Proxy {
  readonly socket: string
  readonly refused: () => ReadonlyArray<typeof Refusal.Type>
}

/** @internal */
export const serve = (policy: Policy): Effect.Effect<Proxy, ToolFailed, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.async<{ readonly close: () => void; readonly proxy: Proxy }, ToolFailed>(
      (resume) => {
        let dir: string
        try {
          dir = NodeFs.mkdtempSync(NodePath.join(NodeOs.tmpdir(), "effect-lanes-net-"))
        } catch (error) {
          return resume(Effect.fail(new ToolFailed({ tool: "bash", message: `network proxy: ${String(error)}` })))
        }
        const socket = NodePath.join(dir, "proxy.sock")
        const refused: Array<typeof Refusal.Type> = []
        const open = new Set<NodeStream.Duplex>()
        const track = (stream: NodeStream.Duplex) => {
          open.add(stream)
          stream.once("close", () => open.delete(stream))
          stream.on("error", () => stream.destroy())
        }
        const refuse = (host: string, port: number, reason: string) => {
          if (refused.length < maxRefusals) refused.push({ host, port, reason })
        }
        // The address to connect to for an allowed name, or why not.
        const resolve = (
          host: string,
          port: number,
          then: (address: string) => void,
          fail: (status: number) => void
        ) => {
          if (!allows(policy, host)) {
            refuse(host, port, "not on the network allowlist")
            return fail(403)
          }
          const mapped = policy.hosts.get(normalize(host))
          if (mapped !== undefined) return then(mapped)
          NodeDns.lookup(host, (error, address) => {
            if (error !== null) {
              refuse(host, port, `cannot be resolved (${error.code ?? error.message})`)
              return fail(502)
            }
            if (internal(address)) {
              refuse(host, port, `resolves to ${address}, an address of the host's own networks`)
              return fail(403)
            }
            then(address)
          })
        }
        const server = NodeHttp.createServer()
        server.on("connection", track)
        server.on("connect", (request: NodeHttp.IncomingMessage, client: NodeStream.Duplex, head: Buffer) => {
          const target = parseAuthority(request.url ?? "")
          const answer = (status: number) =>
            client.end(`HTTP/1.1 ${status} ${NodeHttp.STATUS_CODES[status] ?? ""}\r\nConnection: close\r\n\r\n`)
          if (target === undefined) return answer(400)
          resolve(target.host, target.port, (address) => {
            const upstream = NodeNet.connect({ host: address, port: target.port })
            track(upstream)
            let established = false
            upstream.once("error", () => established ? client.destroy() : answer(502))
            upstream.once("connect", () => {
              established = true
              client.write("HTTP/1.1 200 Connection Established\r\n\r\n")
              if (head.length > 0) upstream.write(head)
              upstream.pipe(client)
              client.pipe(upstream)
            })
            client.once("close", () => upstream.destroy())
          }, answer)
        })
        server.on("request", (request: NodeHttp.IncomingMessage, response: NodeHttp.ServerResponse) => {
          const answer = (status: number) => {
            response.writeHead(status, { "content-type": "text/plain", connection: "close" })
            response.end(
              status === 403
                ? "effect-lanes sandbox: refused by the network allowlist\n"
                : `${NodeHttp.STATUS_CODES[status]}\n`
            )
          }
          let url: URL
          try {
            url = new URL(request.url ?? "")
          } catch {
            return answer(400)
          }
          if (url.protocol !== "http:") return answer(400)
          const host = url.hostname.replace(/^\[|\]$/g, "")
          const port = url.port === "" ? 80 : Number(url.port)
          resolve(host, port, (address) => {
            const upstream = NodeHttp.request({
              host: address,
              port,
              method: request.method,
              path: `${url.pathname}${url.search}`,
              headers: { ...forwardable(request.headers), host: url.host },
              setHost: false
            })
            upstream.on("socket", track)
            upstream.once("error", () => response.headersSent ? response.destroy() : answer(502))
            upstream.once("response", (reply) => {
              response.writeHead(reply.statusCode ?? 502, forwardable(reply.headers))
              reply.pipe(response)
            })
            request.pipe(upstream)
          }, answer)
        })
        server.once(
          "error",
          (error) => resume(Effect.fail(new ToolFailed({ tool: "bash", message: `network proxy: ${error.message}` })))
        )
        const close = () => {
          server.close()
          for (const stream of open) stream.destroy()
          NodeFs.rmSync(dir, { recursive: true, force: true })
        }
        server.listen(socket, () => resume(Effect.succeed({ close, proxy: { socket, refused: () => [...refused] } })))
        return Effect.sync(close)
      }
    ),
    ({ close }) => Effect.sync(close)
  ).pipe(Effect.map(({ proxy }) => proxy))

/**
 * `host:port` of a `CONNECT` request (`[v6]:port` for IPv6), or `undefined`.
 *
 * @internal
 */
export const parseAuthority = (authority: string): { readonly host: string; readonly port: number } | undefined => {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]/@\s]+)):(\d{1,5})$/.exec(authority)
  const port = Number(match?.[3])
  const host = match?.[1] ?? match?.[2]
  return host === undefined || !(port > 0 && port < 65536) ? undefined : { host, port }
}

// Hop-by-hop headers (RFC 9110 §7.6.1) and the proxy's own are not forwarded.
const hopByHop = new Set([
  "connection",
  "proxy-connection",
  "keep-alive",
  "proxy-authorization",
  "proxy-authenticate",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade"
])

const forwardable = (headers: NodeHttp.IncomingHttpHeaders): NodeHttp.OutgoingHttpHeaders => {
  const listed = new Set(
    String(headers.connection ?? "").split(",").map((name) => name.trim().toLowerCase()).filter((name) => name !== "")
  )
  const kept: NodeHttp.OutgoingHttpHeaders = {}
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && !hopByHop.has(name) && !listed.has(name)) kept[name] = value
  }
  return kept
}
