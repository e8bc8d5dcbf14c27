/**
 * The `effect-lanes` program's entry module: runs the command line on `process.argv`. The executable
 * (`bin/effect-lanes.cjs`) loads it after applying `--uv-threadpool-size`.
 *
 * @since 0.1.0
 */
import { main } from "./app.js"

main(process.argv)
