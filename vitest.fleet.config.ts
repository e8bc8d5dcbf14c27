import { defineConfig } from "vitest/config"
import { entryPoints } from "./vitest.config.js"

// The multi-process Postgres suite (test/fleet): run with `npm run test:fleet` beside a Postgres
// (scripts/with-postgres.sh); kept out of `npm test`.
export default defineConfig({
  resolve: { alias: entryPoints },
  test: {
    include: ["test/fleet/**/*.fleet.ts"],
    testTimeout: 180_000,
    hookTimeout: 60_000
  }
})
