/**
 * What the replay tests share: the replay's options with test defaults, the layers, and small invented traces.
 */
import * as NodeContext from "@effect/platform-node/NodeContext"
import { Duration, Layer } from "effect"
import * as Progress from "../../src/render/progress.js"
import type * as Replay from "../../src/replay/replay.js"

/** Node's platform and a silent progress line. */
export const env = Layer.mergeAll(NodeContext.layer, Progress.layerSilent)

/** The replay's options: one run, real calls, no bash, unless `overrides` says otherwise. */
export const options = (trace: string, dir: string, overrides: Partial<Replay.Options> = {}): Replay.Options => ({
  trace,
  dir,
  format: "auto",
  runs: 1,
  concurrency: 8,
  latency: Duration.zero,
  useRecordedLatency: false,
  runBash: false,
  ...overrides
})

/** A Gemini CLI session of one response reading `/p/a.ts` for 10 ms. */
export const geminiSession = (id: string) => ({
  sessionId: id,
  messages: [{
    id: "g",
    type: "gemini",
    timestamp: "2026-01-01T00:00:00.000Z",
    toolCalls: [{
      id: "c",
      name: "read_file",
      args: { absolute_path: "/p/a.ts" },
      timestamp: "2026-01-01T00:00:00.010Z"
    }]
  }]
})
