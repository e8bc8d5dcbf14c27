import { describe, expect, it } from "@effect/vitest"
import { readFileSync } from "node:fs"

const read = (path: string): string => readFileSync(new URL(`../${path}`, import.meta.url), "utf8")

describe("README: the Effect AI section", () => {
  it("its example is examples/ai-loop.ts, which CI runs", () => {
    const readme = read("README.md")
    const section = readme.slice(readme.indexOf("## Effect AI\n"))
    const block = /```ts\n([\s\S]*?)```/.exec(section)?.[1]
    const example = read("examples/ai-loop.ts").replace(/^\/\*\*[\s\S]*?\*\/\n/, "")
    expect(block).toBe(example)
  })
})
