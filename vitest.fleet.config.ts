import { defineConfig } from "vitest/config"

// The multi-process Postgres suite (test/fleet): run with `npm run test:fleet` beside a Postgres
// (scripts/with-postgres.sh); kept out of `npm test`.
export default defineConfig({
  test: {
    include: ["test/fleet/**/*.fleet.ts"],
    testTimeout: 180_000,
    hookTimeout: 60_000
  }
})
