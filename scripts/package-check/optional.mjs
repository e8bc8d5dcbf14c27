// Run after the optional peers are installed beside the packed library: every optional entry point imports, and
// the built-in tools (re2, picomatch) and the ai entry (@effect/ai) work.
import { Effect, Layer } from "effect"
import { NodeContext } from "@effect/platform-node"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"

const entries = { ai: ["Agent", "Approver", "LanedToolkit", "McpTools", "ScriptedModel"], "ai/tools": ["BuiltinTools"], cluster: ["Command", "SessionCluster", "SessionEntity", "ToolRegistry"], tools: ["Tools"], otel: ["Otel"] }
for (const [entry, names] of Object.entries(entries)) {
  const module = await import(`effect-lanes/${entry}`)
  for (const name of names) if (module[name] === undefined) throw new Error(`effect-lanes/${entry} lacks ${name}`)
}

const { Tools } = await import("effect-lanes/tools")
const root = fs.mkdtempSync(path.join(os.tmpdir(), "lanes-package-"))
fs.writeFileSync(path.join(root, "a.txt"), "alpha\nbeta\n")
const program = Effect.gen(function*() {
  const tools = yield* Tools.Tools
  const globbed = yield* tools.glob({ pattern: "*.txt" })
  const grepped = yield* tools.grep({ pattern: "^be(ta)+$" })
  return { globbed, grepped: grepped.length }
})
const result = await Effect.runPromise(program.pipe(
  Effect.provide(Tools.layer({ root, sandbox: { kind: "none" } }).pipe(Layer.provide(NodeContext.layer)))
))
fs.rmSync(root, { recursive: true })
if (JSON.stringify(result.globbed) !== JSON.stringify(["a.txt"]) || result.grepped !== 1) {
  throw new Error(`unexpected tools result ${JSON.stringify(result)}`)
}
console.log(`optional: ${Object.keys(entries).join(", ")} import; glob and grep ran on re2 and picomatch`)
