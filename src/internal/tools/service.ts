/**
 * Building the `Tools` service: resolving the platform services and the root once, then decoding, tracing and
 * dispatching every call.
 *
 * @internal
 */
import * as CommandExecutor from "@effect/platform/CommandExecutor"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Path from "@effect/platform/Path"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Schema from "effect/Schema"
import type { Options, Service, ToolCall, ToolName } from "../../tools/Tools.js"
import { bash } from "./bash.js"
import * as Confined from "./confined.js"
import { decodeArgs } from "./decode.js"
import { edit } from "./edit.js"
import type { ToolEnv } from "./env.js"
import { UnknownTool } from "./errors.js"
import { glob } from "./glob.js"
import { grep } from "./grep.js"
import * as Limits from "./limits.js"
import { ls } from "./ls.js"
import * as Proxy from "./proxy.js"
import { read } from "./read.js"
import * as Sandbox from "./sandbox.js"
import { BashArgs, EditArgs, GlobArgs, GrepArgs, LsArgs, ReadArgs, WriteArgs } from "./schemas.js"
import { write } from "./write.js"

/** @internal */
export const defaults = {
  ignore: ["node_modules", ".git"],
  bashTimeout: Duration.seconds(30),
  bashKillGrace: Duration.seconds(2),
  maxGlobResults: 1000,
  maxGrepMatches: 100,
  maxReadBytes: 256 * 1024,
  maxEditBytes: 16 * 1024 * 1024,
  maxGrepFileBytes: 16 * 1024 * 1024,
  maxOutputBytes: 256 * 1024
} as const

const tool = <A, I, B, E>(
  name: ToolName,
  schema: Schema.Schema<A, I>,
  implementation: (args: A) => Effect.Effect<B, E>
) => {
  const decode = decodeArgs(name, schema)
  return Effect.fn(`Tools.${name}`)(function*(args: unknown) {
    return yield* implementation(yield* decode(args))
  })
}

/** @internal */
export const make = Effect.fnUntraced(function*(options: Options) {
  const fs = yield* FileSystem.FileSystem
  const path = yield* Path.Path
  const executor = yield* CommandExecutor.CommandExecutor
  const base = path.resolve(options.root)
  const real = yield* fs.realPath(base)
  const confined = Confined.make(base, real)
  const sandbox = options.sandbox ?? {}
  const settings = yield* Limits.settings(sandbox.limits)
  const network = typeof sandbox.network === "object" ? yield* Proxy.policy(sandbox.network) : undefined
  const launcher = yield* Effect.cached(Sandbox.launcher(executor, real, sandbox, settings, network))
  const env: ToolEnv = {
    executor,
    confined,
    launcher,
    ignore: new Set(options.ignore ?? defaults.ignore),
    bashTimeout: Duration.decode(options.bashTimeout ?? defaults.bashTimeout),
    bashKillGrace: Duration.decode(options.bashKillGrace ?? defaults.bashKillGrace),
    maxGlobResults: options.maxGlobResults ?? defaults.maxGlobResults,
    maxGrepMatches: options.maxGrepMatches ?? defaults.maxGrepMatches,
    maxReadBytes: options.maxReadBytes ?? defaults.maxReadBytes,
    maxEditBytes: options.maxEditBytes ?? defaults.maxEditBytes,
    maxGrepFileBytes: options.maxGrepFileBytes ?? defaults.maxGrepFileBytes,
    maxOutputBytes: options.maxOutputBytes ?? defaults.maxOutputBytes
  }
  const tools = {
    read: tool("read", ReadArgs, read(env)),
    ls: tool("ls", LsArgs, ls(env)),
    glob: tool("glob", GlobArgs, glob(env)),
    grep: tool("grep", GrepArgs, grep(env)),
    write: tool("write", WriteArgs, write(env)),
    edit: tool("edit", EditArgs, edit(env)),
    bash: tool("bash", BashArgs, bash(env))
  }
  const isTool = (name: string): name is keyof typeof tools => Object.hasOwn(tools, name)
  const run = Effect.fn("Tools.run")(function*(call: ToolCall) {
    yield* Effect.annotateCurrentSpan({ "tool.name": call.name, "tool.call_id": call.id })
    return isTool(call.name) ? yield* tools[call.name](call.args) : yield* new UnknownTool({ tool: call.name })
  })
  const service: Service = { root: real, run, ...tools }
  return service
})
