import { describe, expect, it } from "@effect/vitest"
import { FastCheck } from "effect"
import { Line } from "../src/internal/line.js"

interface Item {
  readonly id: number
  position: number
}

/** One step on a line and on a plain array kept beside it. */
type Step = { readonly _tag: "push" } | { readonly _tag: "shift" } | { readonly _tag: "remove"; readonly pick: number }

const step: FastCheck.Arbitrary<Step> = FastCheck.oneof(
  FastCheck.constant({ _tag: "push" as const }),
  FastCheck.constant({ _tag: "shift" as const }),
  FastCheck.nat().map((pick) => ({ _tag: "remove" as const, pick }))
)

describe("Line (the lanes' FIFO with removal from anywhere)", () => {
  it.prop(
    "behaves like an array: order, size, front, removal from anywhere, across compactions",
    [FastCheck.array(step, { maxLength: 5000 })],
    ([steps]) => {
      const line = new Line<Item>()
      let model: Array<Item> = []
      let next = 0
      for (const s of steps) {
        switch (s._tag) {
          case "push": {
            const item = { id: next++, position: -1 }
            line.push(item)
            model.push(item)
            break
          }
          case "shift": {
            const front = line.peek()
            expect(front).toBe(model[0])
            if (front !== undefined) {
              line.shift()
              model = model.slice(1)
            }
            break
          }
          case "remove": {
            const item = model[s.pick % Math.max(1, model.length)]
            if (item !== undefined) {
              line.remove(item)
              model = model.filter((other) => other !== item)
            }
            break
          }
        }
        expect(line.size).toBe(model.length)
      }
      expect(line.toArray()).toEqual(model)
      expect(line.peek()).toBe(model[0])
    }
  )

  it("removing an item twice, or one that left, changes nothing", () => {
    const line = new Line<Item>()
    const a = { id: 1, position: -1 }
    const b = { id: 2, position: -1 }
    line.push(a)
    line.push(b)
    line.remove(a)
    line.remove(a)
    expect(line.toArray()).toEqual([b])
    line.shift()
    line.remove(b)
    expect(line.size).toBe(0)
    expect(line.peek()).toBeUndefined()
  })
})
