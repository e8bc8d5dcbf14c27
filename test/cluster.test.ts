import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, Ref, Schema } from "effect"
import * as LanesConfig from "../src/LanesConfig.js"
import { Command, SessionCluster, SessionEntity, ToolRegistry } from "../src/cluster/index.js"

const counters = Effect.gen(function*() {
  const runs = yield* Ref.make(new Map<string, number>())
  const bump = (key: string) => Ref.update(runs, (m) => new Map(m).set(key, (m.get(key) ?? 0) + 1))
  const count = (key: string) => Effect.map(Ref.get(runs), (m) => m.get(key) ?? 0)
  return { bump, count }
})

const makeLayer = (bump: (key: string) => Effect.Effect<void>) =>
  SessionCluster.layerSingle().pipe(
    Layer.provide([
      ToolRegistry.layer([
        ToolRegistry.tool("echo", {
          args: Schema.Struct({ text: Schema.String }),
          success: Schema.String,
          traits: { readOnly: true, idempotent: true },
          run: ({ text }) => Effect.as(bump(`echo:${text}`), text.toUpperCase())
        }),
        ToolRegistry.tool("write", {
          args: Schema.Struct({ path: Schema.String }),
          success: Schema.Number,
          run: ({ path }) => Effect.as(bump(`write:${path}`), path.length)
        })
      ]),
      LanesConfig.layerDefaults,
      SessionCluster.sqlite(":memory:")
    ])
  )

const cmd = (id: string, tool: string, args: unknown) => new Command.Command({ id, tool, args })

describe("cluster", () => {
  it.live("runs a turn", () =>
    Effect.gen(function*() {
      const { bump, count } = yield* counters
      yield* Effect.gen(function*() {
        const sessions = yield* SessionEntity.client
        const outcomes = yield* sessions("s1").RunTurn({
          turnId: "t1",
          commands: [cmd("a", "echo", { text: "hi" }), cmd("b", "write", { path: "x.txt" })]
        })
        console.log(outcomes)
        const again = yield* sessions("s1").RunTurn({
          turnId: "t1",
          commands: [cmd("a", "echo", { text: "hi" }), cmd("b", "write", { path: "x.txt" })]
        })
        console.log(again)
        console.log(yield* sessions("s1").Stats())
        expect(yield* count("write:x.txt")).toBe(1)
      }).pipe(Effect.provide(makeLayer(bump)))
    }), 30_000)
})
