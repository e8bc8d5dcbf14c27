import { describe, expect, it } from "@effect/vitest"
import { readFileSync } from "node:fs"

const read = (path: string): string => readFileSync(new URL(`../${path}`, import.meta.url), "utf8")

describe("README", () => {
  it("its example is examples/readme.ts, which CI runs", () => {
    const block = /```ts\n([\s\S]*?)```/.exec(read("README.md"))?.[1]
    const example = read("examples/readme.ts").replace(/^\/\*\*[\s\S]*?\*\/\n/, "")
    expect(block).toBe(example)
  })

  it("shows the two quick-start commands", () => {
    const readme = read("README.md")
    expect(readme).toContain("npm ci && npm start")
    expect(readme).toContain("npm ci && npm test")
  })

  it("documents every LANES_ configuration key that the Config layer reads", () => {
    const readme = read("README.md")
    const keys = new Set(read("src/internal/lanesConfig.ts").match(/"LANES_[A-Z_]+"/g)?.map((key) => key.slice(1, -1)))
    const lanes = ["CONTROL", "QUERY", "EXECUTE", "GENERATE"]
    const laneFields = Array.from(read("src/internal/lanesConfig.ts").matchAll(/keyOf\(name, "([A-Z_]+)"\)/g))
    expect(keys.size + laneFields.length).toBeGreaterThan(10)
    for (const key of keys) expect(readme).toContain(`\`${key}\``)
    for (const [, field] of laneFields) {
      const documented = readme.includes(`\`LANES_<LANE>_${field}\``) ||
        lanes.every((lane) => readme.includes(`\`LANES_${lane}_${field}\``))
      expect({ field, documented }).toEqual({ field, documented: true })
    }
  })
})
