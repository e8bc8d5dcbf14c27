#!/usr/bin/env node
/**
 * The `effect-lanes` executable.
 *
 * First, the thread pool: when the runtime-sizing benchmark cached a better `UV_THREADPOOL_SIZE` for this
 * machine and the user set none, the program runs again in a child process with it (see `threadPool.ts` for
 * why setting the variable here would come too late). Then the Effect program runs with `NodeRuntime.runMain`.
 *
 * @since 0.1.0
 */
import { relaunchIfBetter } from "./threadPool.js"

const relaunched = relaunchIfBetter()
if (relaunched === undefined) {
  const { main } = await import("./app.js")
  main(process.argv)
} else {
  process.exitCode = relaunched
}
