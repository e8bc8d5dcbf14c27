/**
 * Helpers of the Tools tests: a temporary root beside an `outside` directory, event-driven waits for files a
 * command writes, and a look at the host's processes. No real sleeps, no timing assertions.
 */
import * as FileSystem from "@effect/platform/FileSystem"
import * as Path from "@effect/platform/Path"
import { Effect } from "effect"
import * as NodeFs from "node:fs"
import * as NodePath from "node:path"
import { findOnPath } from "../../src/internal/tools/sandbox.js"
import * as Tools from "../../src/tools/Tools.js"

/** A temporary directory holding `root` (the tools' root) and a sibling `outside` with `secret.txt`. */
export const setup = (options: Omit<Tools.Options, "root"> = {}) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const temp = yield* fs.makeTempDirectoryScoped({ prefix: "effect-lanes-tools-" })
    const rootDir = path.join(temp, "root")
    const outsideDir = path.join(temp, "outside")
    yield* fs.makeDirectory(rootDir)
    yield* fs.makeDirectory(outsideDir)
    yield* fs.writeFileString(path.join(outsideDir, "secret.txt"), "secret\n")
    const tools = yield* Tools.make({ root: rootDir, ...options })
    const outside = yield* fs.realPath(outsideDir)
    const file = (relative: string, content: string | Uint8Array) =>
      fs.makeDirectory(path.dirname(path.join(tools.root, relative)), { recursive: true }).pipe(
        Effect.zipRight(
          typeof content === "string"
            ? fs.writeFileString(path.join(tools.root, relative), content)
            : fs.writeFile(path.join(tools.root, relative), content)
        )
      )
    const text = (relative: string) => fs.readFileString(path.join(tools.root, relative))
    const bytes = (relative: string) => fs.readFile(path.join(tools.root, relative))
    return { fs, path, tools, root: tools.root, outside, file, text, bytes }
  })

/**
 * Waits until `file` exists with content; its content. Woken by file-system events, with a re-check every
 * 100 ms as a safety net for a missed event (never a timing assertion).
 */
export const untilFile = (file: string): Effect.Effect<string> =>
  Effect.async<string>((resume) => {
    let done = false
    const check = () => {
      if (done) return
      try {
        const content = NodeFs.readFileSync(file, "utf8")
        if (content.length === 0) return
        done = true
        watcher.close()
        clearInterval(interval)
        resume(Effect.succeed(content))
      } catch {
        // not there yet
      }
    }
    const watcher = NodeFs.watch(NodePath.dirname(file), check)
    const interval = setInterval(check, 100)
    check()
    return Effect.sync(() => {
      watcher.close()
      clearInterval(interval)
    })
  })

const isZombie = (pid: string): boolean => {
  try {
    const stat = NodeFs.readFileSync(`/proc/${pid}/stat`, "utf8")
    return stat.slice(stat.lastIndexOf(")") + 2).startsWith("Z")
  } catch {
    return true
  }
}

/**
 * The host PIDs of the live (not zombie) processes whose command line contains every one of `words` as an
 * argument (Linux, from `/proc`). Sandboxed processes are visible here under their host PIDs.
 */
export const processesWith = (...words: ReadonlyArray<string>): Array<string> =>
  NodeFs.readdirSync("/proc").filter((pid) => {
    if (!/^\d+$/.test(pid)) return false
    try {
      const args = NodeFs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0")
      return words.every((word) => args.includes(word)) && !isZombie(pid)
    } catch {
      return false
    }
  })

/** Whether `bwrap` is on the PATH: the sandbox tests need it (`.ci/run` installs it). */
export const hasBwrap = findOnPath("bwrap", process.env.PATH) !== undefined
