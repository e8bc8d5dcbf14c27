import * as AiError from "@effect/ai/AiError"
import * as LanguageModel from "@effect/ai/LanguageModel"
import * as Response from "@effect/ai/Response"
import * as Tool from "@effect/ai/Tool"
import type * as Toolkit from "@effect/ai/Toolkit"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Predicate from "effect/Predicate"
import * as Schema from "effect/Schema"
import type * as LanedToolkit from "../../ai/LanedToolkit.js"
import { describeError } from "../describeCause.js"

/**
 * @internal One call of a response to answer: a call to run (decoded), or one that could not be read, with
 * what the model reads back.
 */
export type Entry<Tools extends Record<string, Tool.Any>> =
  | { readonly call: Response.ToolCallParts<Tools>; readonly malformed?: undefined }
  | { readonly call?: undefined; readonly malformed: LanedToolkit.MalformedCall }

/**
 * @internal A response as the loop reads it: the parts that decoded (malformed calls left out), the calls to
 * answer in call order, and every part as the model sent it, for the next prompt.
 */
export interface Read<Tools extends Record<string, Tool.Any>> {
  readonly response: LanguageModel.GenerateTextResponse<Tools>
  readonly entries: ReadonlyArray<Entry<Tools>>
  readonly parts: ReadonlyArray<Response.AnyPart>
}

/** The most issues a message lists, and the most characters of each. */
const maxIssues = 5
const maxIssueLength = 200
const maxToolList = 1000

const cut = (text: string, max: number): string => text.length <= max ? text : `${text.slice(0, max)}…`

/**
 * @internal What does not decode, as the model can act on it: each bad field's path and what was expected
 * (the first issue per path, at most five), never the whole schema.
 */
export const describeParseError = (error: ParseResult.ParseError): string => {
  const seen = new Set<string>()
  const lines: Array<string> = []
  let more = 0
  for (const issue of ParseResult.ArrayFormatter.formatErrorSync(error)) {
    const path = issue.path.length === 0 ? "(the arguments)" : issue.path.map(String).join(".")
    if (seen.has(path)) continue
    seen.add(path)
    if (lines.length === maxIssues) {
      more++
      continue
    }
    lines.push(`${path}: ${cut(issue.message, maxIssueLength)}`)
  }
  return more === 0 ? lines.join("; ") : `${lines.join("; ")}; and ${more} more`
}

const kindOf = (value: unknown): string =>
  value === null ? "null" : Array.isArray(value) ? "an array" : typeof value === "string" ? "a string" : typeof value

/** @internal The message of a call of a tool the toolkit does not have: its name and the tools it has. */
export const unknownTool = (name: unknown, tools: Record<string, Tool.Any>): string => {
  const known = cut(Object.keys(tools).join(", "), maxToolList)
  return typeof name === "string" && name.length > 0
    ? `there is no tool named ${JSON.stringify(cut(name, 100))}; the tools are: ${known}`
    : `the call names no tool; the tools are: ${known}`
}

/** @internal The message of a call whose ID an earlier call of the response has. */
export const repeatedId = (id: string): string =>
  `the call ID ${
    JSON.stringify(cut(id, 100))
  } repeats an earlier call's of this response, so this call did not run; give every call its own ID`

/** The message of arguments that do not decode. */
const badParameters = (name: string, detail: string): string =>
  `invalid arguments for tool ${JSON.stringify(name)}: ${detail}. Fix them and call it again`

/** @internal The message of a call whose arguments the toolkit's own decoding refused. */
export const invalidArguments = (name: string, error: AiError.MalformedOutput): string =>
  badParameters(name, ParseResult.isParseError(error.cause) ? describeParseError(error.cause) : error.description ?? "")

/**
 * The arguments of a raw call as an object: a JSON text is parsed (providers that pass the arguments through as
 * text), anything else must already be an object.
 */
const argumentsOf = (name: string, params: unknown): Either.Either<unknown, string> => {
  if (typeof params === "string") {
    try {
      return argumentsOf(name, Tool.unsafeSecureJsonParse(params))
    } catch {
      return Either.left(
        `the arguments of tool ${JSON.stringify(name)} are not valid JSON (cut off?): ${
          JSON.stringify(cut(params, maxIssueLength))
        }. Send them again as one complete JSON object`
      )
    }
  }
  return Predicate.isRecord(params)
    ? Either.right(params)
    : Either.left(badParameters(name, `expected a JSON object, got ${kindOf(params)}`))
}

const malformed = (id: string, name: string, params: unknown, message: string): LanedToolkit.MalformedCall => ({
  id,
  name,
  params,
  message
})

/** The tool-call part of a malformed call, as the model sent it, for the next prompt. */
const rawCallPart = (call: LanedToolkit.MalformedCall): Response.AnyPart =>
  Response.makePart("tool-call", { id: call.id, name: call.name, params: call.params, providerExecuted: false })

/**
 * @internal The calls of a decoded response to answer, in call order; a call whose ID an earlier call has is
 * malformed (it does not run). Calls the provider ran itself are left out.
 */
export const readResponse = <Tools extends Record<string, Tool.Any>>(
  response: LanguageModel.GenerateTextResponse<Tools>
): Read<Tools> => {
  const seen = new Set<string>()
  const entries: Array<Entry<Tools>> = []
  for (const call of response.toolCalls) {
    if (call.providerExecuted) continue
    if (seen.has(call.id)) entries.push({ malformed: malformed(call.id, call.name, call.params, repeatedId(call.id)) })
    else entries.push({ call })
    seen.add(call.id)
  }
  return { response, entries, parts: response.content }
}

/**
 * @internal The calls given to `LanedToolkit.execute`, checked: a call of an unknown tool or with an ID an
 * earlier call has is malformed; arguments are decoded by the toolkit itself.
 */
export const checkCalls = <Tools extends Record<string, Tool.Any>>(
  toolkit: Toolkit.WithHandler<Tools>,
  calls: ReadonlyArray<Response.ToolCallParts<Tools>>
): Array<Entry<Tools>> => {
  const seen = new Set<string>()
  return calls.map((call): Entry<Tools> => {
    const name: unknown = call.name
    const problem = typeof name !== "string" || !Object.hasOwn(toolkit.tools, name)
      ? unknownTool(name, toolkit.tools)
      : seen.has(call.id)
      ? repeatedId(call.id)
      : undefined
    seen.add(call.id)
    return problem === undefined
      ? { call }
      : { malformed: malformed(String(call.id), typeof name === "string" ? name : "", call.params, problem) }
  })
}

/**
 * @internal The raw parts of a response that `generateText` could not decode, when its failure holds them:
 * `LanguageModel` decodes the provider's parts as one array, and its `ParseError` keeps that array as the
 * `actual` of its top issue.
 */
export const rawPartsOf = (error: AiError.AiError): Option.Option<ReadonlyArray<unknown>> => {
  if (!(error instanceof AiError.MalformedOutput) || error.module !== "LanguageModel") return Option.none()
  const cause: unknown = error.cause
  if (!ParseResult.isParseError(cause)) return Option.none()
  const actual: unknown = cause.issue.actual
  return Array.isArray(actual) ? Option.some(actual) : Option.none()
}

/**
 * @internal Whether a provider failed a whole response because one call's argument JSON did not parse (OpenAI's
 * provider parses the arguments itself and fails with a `SyntaxError` as the cause): no part of it can be read.
 */
export const isUnparsableArguments = (error: AiError.AiError): boolean =>
  error instanceof AiError.MalformedOutput && error.cause instanceof SyntaxError

/** @internal What the model is told when the provider could not read its response at all. */
export const unreadableResponse = (error: AiError.AiError): string =>
  `Your last response could not be read, so none of its tool calls ran: ${
    cut(describeError(error), 500)
  }. Send the tool calls again, each with complete, valid JSON arguments.`

/** A decoder of a toolkit's response parts. */
type PartDecoder<Tools extends Record<string, Tool.Any>> = (
  part: unknown
) => Either.Either<Response.Part<Tools>, ParseResult.ParseError>

/**
 * The part decoders built so far, by toolkit. Building `Response.Part(toolkit)` and compiling its parsers costs
 * about a hundred decodes (measured: 6.4 ms against 46 µs per part, under load), so it is done once per toolkit.
 */
const decoders = new WeakMap<object, unknown>()

/**
 * The decoder of a toolkit's response parts, built once. The cast is safe: only this function writes the map,
 * and the value it stores for a toolkit is the decoder built from that toolkit.
 */
const partDecoder = <Tools extends Record<string, Tool.Any>>(
  toolkit: Toolkit.WithHandler<Tools>
): PartDecoder<Tools> => {
  const known = decoders.get(toolkit)
  if (known !== undefined) return known as PartDecoder<Tools>
  const decoder: PartDecoder<Tools> = Schema.decodeUnknownEither(Response.Part(toolkit))
  decoders.set(toolkit, decoder)
  return decoder
}

/**
 * @internal Reads a response part by part, after `generateText` failed to decode it as a whole: a tool call of
 * an unknown tool, with arguments that do not decode (or do not parse as JSON), or with a repeated ID is
 * malformed; every other part must decode, else the response cannot be read (`None`).
 */
export const readRaw = <Tools extends Record<string, Tool.Any>>(
  toolkit: Toolkit.WithHandler<Tools>,
  raw: ReadonlyArray<unknown>
): Option.Option<Read<Tools>> => {
  const decodePart = partDecoder(toolkit)
  const seen = new Set<string>()
  const content: Array<Response.Part<Tools>> = []
  const entries: Array<Entry<Tools>> = []
  const parts: Array<Response.AnyPart> = []
  for (const [index, part] of raw.entries()) {
    if (!Predicate.isRecord(part) || part["type"] !== "tool-call" || part["providerExecuted"] === true) {
      const decoded = decodePart(part)
      if (Either.isLeft(decoded)) return Option.none()
      content.push(decoded.right)
      parts.push(decoded.right)
      continue
    }
    const id = typeof part["id"] === "string" ? part["id"] : `call-${index + 1}`
    const name = typeof part["name"] === "string" ? part["name"] : ""
    const params: unknown = part["params"]
    const problem = (message: string) => {
      const call = malformed(id, name, params, message)
      entries.push({ malformed: call })
      parts.push(rawCallPart(call))
    }
    if (seen.has(id)) {
      problem(repeatedId(id))
      continue
    }
    seen.add(id)
    const tool = Object.hasOwn(toolkit.tools, name) ? toolkit.tools[name] : undefined
    if (tool === undefined) {
      problem(unknownTool(part["name"], toolkit.tools))
      continue
    }
    const args = argumentsOf(name, params)
    if (Either.isLeft(args)) {
      problem(args.left)
      continue
    }
    const decoded = decodePart({ ...part, id, params: args.right })
    if (Either.isLeft(decoded) || decoded.right.type !== "tool-call") {
      // every bad field of the arguments, or else what is wrong with the call itself
      const parameters = Schema.make<unknown, unknown, never>(tool.parametersSchema.ast)
      const checked = Schema.decodeUnknownEither(parameters, { errors: "all" })(args.right)
      problem(
        Either.isLeft(checked)
          ? badParameters(name, describeParseError(checked.left))
          : `the call of tool ${JSON.stringify(name)} is malformed: ${
            Either.isLeft(decoded) ? describeParseError(decoded.left) : "not a tool call"
          }`
      )
      continue
    }
    content.push(decoded.right)
    entries.push({ call: decoded.right })
    parts.push(decoded.right)
  }
  return Option.some({ response: new LanguageModel.GenerateTextResponse(content), entries, parts })
}
