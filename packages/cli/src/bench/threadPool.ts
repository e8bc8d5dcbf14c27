/**
 * libuv's thread pool size for the CLI process. File reads run on that pool, 4 threads unless
 * `UV_THREADPOOL_SIZE` says otherwise, and the variable is read when the pool starts: at the first call that
 * uses it, which in an ES module program has already happened (the module loader reads files through it)
 * before the first line of `main.ts` runs. Setting `process.env.UV_THREADPOOL_SIZE` there would be silently
 * ignored. So the CLI, when the runtime-sizing benchmark has cached a better size for this machine and the
 * user has not set the variable, starts itself again as a child process with the variable set.
 *
 * Plain Node on purpose: this runs before the Effect program exists.
 *
 * @since 0.1.0
 */
import { spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"

/**
 * libuv's default pool size.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultSize = 4

/**
 * Where the runtime-sizing benchmark caches its choice.
 *
 * @since 0.1.0
 * @category constants
 */
export const cacheFile: string = path.join(os.tmpdir(), "effect-lanes", "uv-threadpool.json")

/**
 * A cached choice: the size, for a machine (core count) and a Node version.
 *
 * @since 0.1.0
 * @category models
 */
export interface Choice {
  readonly size: number
  readonly cores: number
  readonly node: string
}

/**
 * The machine's logical core count.
 *
 * @since 0.1.0
 * @category constants
 */
export const cores = (): number => os.availableParallelism()

const isChoice = (u: unknown): u is Choice =>
  typeof u === "object" && u !== null && "size" in u && "cores" in u && "node" in u &&
  Number.isInteger(u.size) && typeof u.cores === "number" && typeof u.node === "string"

/**
 * The cached choice for this machine and Node version, if any (synchronous; no thread pool involved).
 *
 * @since 0.1.0
 * @category cache
 */
export const readChoice = (file: string = cacheFile): Choice | undefined => {
  try {
    const parsed: unknown = JSON.parse(fs.readFileSync(file, "utf8"))
    return isChoice(parsed) && parsed.cores === cores() && parsed.node === process.version && parsed.size >= 1 &&
        parsed.size <= 1024
      ? parsed
      : undefined
  } catch {
    return undefined
  }
}

/**
 * The size in force: `UV_THREADPOOL_SIZE` when set to a valid value, else libuv's default.
 *
 * @since 0.1.0
 * @category accessors
 */
export const current = (): number => {
  const value = Number(process.env.UV_THREADPOOL_SIZE)
  return Number.isInteger(value) && value >= 1 ? Math.min(value, 1024) : defaultSize
}

/**
 * Whether the user set the size.
 *
 * @since 0.1.0
 * @category accessors
 */
export const userSet = (): boolean => (process.env.UV_THREADPOOL_SIZE ?? "") !== ""

/**
 * If the user did not set `UV_THREADPOOL_SIZE` and a cached choice differs from the default, runs this same
 * program again in a child process with the variable set, and returns its exit code; otherwise returns
 * `undefined` and the caller goes on in this process.
 *
 * @since 0.1.0
 * @category startup
 */
export const relaunchIfBetter = (): number | undefined => {
  if (userSet()) return undefined
  const choice = readChoice()
  if (choice === undefined || choice.size === defaultSize) return undefined
  const child = spawnSync(process.execPath, [...process.execArgv, ...process.argv.slice(1)], {
    stdio: "inherit",
    env: { ...process.env, UV_THREADPOOL_SIZE: String(choice.size) }
  })
  return child.status ?? 1
}
