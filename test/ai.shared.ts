/**
 * Helpers of the effect-lanes/ai tests: the reason and message of a failure result as the model reads it.
 */

/** The `reason` and `message` of a `ToolCallFailure` result, as encoded for the model; none for another result. */
export const failureOf = (part: { readonly encodedResult: unknown } | undefined) => {
  const encoded = part?.encodedResult
  return typeof encoded === "object" && encoded !== null && "reason" in encoded && "message" in encoded
    ? { reason: encoded.reason, message: String(encoded.message) }
    : undefined
}
