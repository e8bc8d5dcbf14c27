/**
 * Reading untyped JSON safely: guards and accessors that never throw and never cast.
 *
 * @since 0.1.0
 */
import * as Option from "effect/Option"

/**
 * A JSON object.
 *
 * @since 0.1.0
 * @category models
 */
export type Obj = { readonly [key: string]: unknown }

/**
 * @since 0.1.0
 * @category guards
 */
export const isObj = (u: unknown): u is Obj => typeof u === "object" && u !== null && !Array.isArray(u)

/**
 * The object at `key`, if it is one.
 *
 * @since 0.1.0
 * @category accessors
 */
export const obj = (o: unknown, key: string): Obj | undefined => {
  if (!isObj(o)) return undefined
  const value = o[key]
  return isObj(value) ? value : undefined
}

/**
 * The string at `key`, if it is one.
 *
 * @since 0.1.0
 * @category accessors
 */
export const str = (o: unknown, key: string): string | undefined => {
  if (!isObj(o)) return undefined
  const value = o[key]
  return typeof value === "string" ? value : undefined
}

/**
 * The finite number at `key`, if it is one.
 *
 * @since 0.1.0
 * @category accessors
 */
export const num = (o: unknown, key: string): number | undefined => {
  if (!isObj(o)) return undefined
  const value = o[key]
  return typeof value === "number" && Number.isFinite(value) ? value : undefined
}

/**
 * The array at `key`, or an empty one.
 *
 * @since 0.1.0
 * @category accessors
 */
export const arr = (o: unknown, key: string): ReadonlyArray<unknown> => {
  if (!isObj(o)) return []
  const value = o[key]
  return Array.isArray(value) ? value : []
}

/**
 * Parses JSON text, `None` when it is not JSON.
 *
 * @since 0.1.0
 * @category parsing
 */
export const parse = (text: string): Option.Option<unknown> => {
  try {
    const value: unknown = JSON.parse(text)
    return Option.some(value)
  } catch {
    return Option.none()
  }
}

/**
 * Milliseconds since the epoch of an ISO timestamp (or a number of seconds / milliseconds), if valid.
 *
 * @since 0.1.0
 * @category parsing
 */
export const time = (value: unknown): number | undefined => {
  if (typeof value === "number" && Number.isFinite(value)) return value < 1e11 ? value * 1000 : value
  if (typeof value !== "string") return undefined
  const millis = Date.parse(value)
  return Number.isFinite(millis) ? millis : undefined
}

/**
 * A non-negative finite duration, or `undefined`.
 *
 * @since 0.1.0
 * @category parsing
 */
export const duration = (millis: number | undefined): number | undefined =>
  millis !== undefined && Number.isFinite(millis) && millis >= 0 ? millis : undefined
