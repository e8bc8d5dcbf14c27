/**
 * Test helpers for `effect-lanes/cluster`: a registry of counting tools (each run of a tool with a key is counted,
 * and a tool can be made to block until released), and a single-runner cluster on SQLite.
 */
import { Deferred, Effect, Layer, Ref, Schema } from "effect"
import { Command, SessionCluster, ToolRegistry } from "../../src/cluster/index.js"
import * as LanesConfig from "../../src/LanesConfig.js"

/** Counts tool runs by key (`<tool>:<arg>`) and holds the calls that block. */
export interface Probe {
  readonly runs: Ref.Ref<ReadonlyMap<string, number>>
  readonly count: (key: string) => Effect.Effect<number>
  /** Completed when a blocking call (argument starting with `block`) has started. */
  readonly started: Deferred.Deferred<void>
}

export const makeProbe: Effect.Effect<Probe> = Effect.gen(function*() {
  const runs = yield* Ref.make<ReadonlyMap<string, number>>(new Map())
  const started = yield* Deferred.make<void>()
  return { runs, started, count: (key) => Effect.map(Ref.get(runs), (m) => m.get(key) ?? 0) }
})

const bump = (probe: Probe, key: string) => Ref.update(probe.runs, (m) => new Map(m).set(key, (m.get(key) ?? 0) + 1))

/** `block*` arguments signal `started` and never finish when `block` is set. */
const maybeBlock = (probe: Probe, block: boolean, arg: string) =>
  block && arg.startsWith("block")
    ? Effect.zipRight(Deferred.succeed(probe.started, undefined), Effect.never)
    : Effect.void

/**
 * - `echo { text }`: idempotent read, returns the text in upper case;
 * - `write { path }`: not idempotent (MCP defaults), returns the path's length;
 * - `fail { message }`: fails with the message;
 * - `slow { path }`: idempotent write that sleeps 10 seconds (for lane timeouts);
 * - `approve { what }`: external (the host answers with a number).
 */
export const registry = (probe: Probe, block: boolean) =>
  ToolRegistry.layer([
    ToolRegistry.tool("echo", {
      args: Schema.Struct({ text: Schema.String }),
      success: Schema.String,
      traits: { readOnly: true, idempotent: true },
      run: ({ text }) =>
        bump(probe, `echo:${text}`).pipe(Effect.zipRight(maybeBlock(probe, block, text)), Effect.as(text.toUpperCase()))
    }),
    ToolRegistry.tool("write", {
      args: Schema.Struct({ path: Schema.String }),
      success: Schema.Number,
      run: ({ path }) =>
        bump(probe, `write:${path}`).pipe(Effect.zipRight(maybeBlock(probe, block, path)), Effect.as(path.length))
    }),
    ToolRegistry.tool("fail", {
      args: Schema.Struct({ message: Schema.String }),
      success: Schema.Void,
      run: ({ message }) => Effect.zipRight(bump(probe, `fail:${message}`), Effect.fail(new Error(message)))
    }),
    ToolRegistry.external("approve", {
      args: Schema.Struct({ what: Schema.String }),
      success: Schema.Number
    }),
    ToolRegistry.tool("slow", {
      args: Schema.Struct({ path: Schema.String }),
      success: Schema.Void,
      traits: { idempotent: true },
      run: ({ path }) => Effect.zipRight(bump(probe, `slow:${path}`), Effect.sleep("10 seconds"))
    })
  ])

/** A single runner on the given SQLite file (`:memory:` by default), short termination timeout. */
export const cluster = (
  probe: Probe,
  options: { readonly file?: string; readonly block?: boolean; readonly lanes?: LanesConfig.Input } = {}
) =>
  SessionCluster.layerSingle({ shardingConfig: { entityTerminationTimeout: "1 second" } }).pipe(
    Layer.provide([registry(probe, options.block ?? false), LanesConfig.layerWith(options.lanes ?? {})]),
    Layer.provideMerge(SessionCluster.sqlite(options.file ?? ":memory:"))
  )

export const cmd = (id: string, tool: string, args: unknown) => new Command.Command({ id, tool, args })
