import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { SessionCluster } from "effect-lanes/cluster"
import { driver } from "../src/internal/cluster/driver.js"

describe("SessionCluster storage drivers", () => {
  it.effect("a driver that is not installed is a typed DriverUnavailable saying how to install it", () =>
    Effect.gen(function*() {
      const missing = "@effect-lanes/no-such-driver"
      const error = yield* Effect.flip(driver(missing, () => import(/* @vite-ignore */ missing)))
      expect(error).toBeInstanceOf(SessionCluster.DriverUnavailable)
      expect(error.package).toBe(missing)
      expect(error.message).toContain(`it is not installed (npm install ${missing})`)
    }))

  it.effect("a driver that is installed but fails to load says why, not that it is missing", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(driver("better-driver", () => Promise.reject(new Error("invalid ELF header"))))
      expect(error.message).toBe(
        "effect-lanes/cluster: this storage needs the package better-driver: " +
          "it failed to load: invalid ELF header"
      )
    }))

  it.effect("a package the driver needs that is missing is named, not the driver", () =>
    Effect.gen(function*() {
      const missing = Object.assign(
        new Error("Cannot find package 'pg' imported from /app/node_modules/@effect/sql-pg/dist/esm/PgClient.js"),
        { code: "ERR_MODULE_NOT_FOUND" }
      )
      const error = yield* Effect.flip(driver("@effect/sql-pg", () => Promise.reject(missing)))
      expect(error.reason).toBe("it needs pg, which is not installed")
    }))

  it.effect("an installed driver loads", () =>
    Effect.gen(function*() {
      const module = yield* driver("@effect/sql-sqlite-node", () => import("@effect/sql-sqlite-node/SqliteClient"))
      expect(typeof module.layer).toBe("function")
    }))
})
