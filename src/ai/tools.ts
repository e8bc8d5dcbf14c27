/**
 * effect-lanes/ai/tools: the built-in tools (`effect-lanes/tools`) as an `@effect/ai` toolkit for
 * `effect-lanes/ai` agents (an optional entry point; needs `@effect/ai` 0.37.x and the built-in tools' peers
 * `re2` and `picomatch`).
 *
 * @since 0.1.0
 */

/**
 * The built-in tools as an `@effect/ai` toolkit, annotated with their traits, handled by the `Tools` service.
 *
 * @since 0.1.0
 */
export * as BuiltinTools from "./BuiltinTools.js"
