/**
 * `effect-lanes/tools`: the built-in tools (read, ls, glob, grep, write, edit, bash) on @effect/platform, confined
 * to a root, with bash in a bubblewrap sandbox.
 *
 * An optional entry point: it needs the optional peers `re2` (linear-time regular expressions for `grep`) and
 * `picomatch` (glob matching), which the core (`effect-lanes`) does not.
 *
 * @since 0.1.0
 */

/**
 * The built-in tools: their argument schemas, the `Tools` service, its layers and its typed errors.
 *
 * @since 0.1.0
 */
export * as Tools from "./Tools.js"
