import { fileURLToPath } from "node:url"
import { defineConfig } from "vitest/config"

/** The package's entry points resolved to their sources, as `tsconfig.json`'s `paths` do for tsc and tsx. */
export const entryPoints = ["ai", "cluster", "otel", "tools"].map((entry) => ({
  find: new RegExp(`^effect-lanes/${entry}$`),
  replacement: fileURLToPath(new URL(`./src/${entry}/index.ts`, import.meta.url))
})).concat([
  { find: /^effect-lanes\/ai\/tools$/, replacement: fileURLToPath(new URL("./src/ai/tools.ts", import.meta.url)) },
  { find: /^effect-lanes$/, replacement: fileURLToPath(new URL("./src/index.ts", import.meta.url)) },
  { find: /^effect-lanes\/(\w+)$/, replacement: fileURLToPath(new URL("./src/$1.ts", import.meta.url)) }
])

export default defineConfig({
  resolve: { alias: entryPoints },
  test: {
    include: ["test/**/*.test.ts", "packages/cli/test/**/*.test.ts"],
    testTimeout: 30_000
  }
})
