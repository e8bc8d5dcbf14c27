import * as Effect from "effect/Effect"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import * as Command from "../../cluster/Command.js"
import type * as ToolRegistry from "../../cluster/ToolRegistry.js"
import { describeError } from "../describeCause.js"

/** The name, the planner's declaration and the argument check every registered tool has. */
const common = (
  name: string,
  options: Pick<ToolRegistry.Tool["spec"], "traits" | "lane">,
  decode: (args: unknown) => Effect.Effect<unknown, ParseResult.ParseError>
): Pick<ToolRegistry.Tool, "name" | "spec" | "validate"> => ({
  name,
  spec: {
    ...(options.traits === undefined ? {} : { traits: options.traits }),
    ...(options.lane === undefined ? {} : { lane: options.lane })
  },
  validate: (args: unknown) => Effect.asVoid(decode(args))
})

/** @internal */
export const tool = <A, I, B, J, E>(
  name: string,
  options: ToolRegistry.ToolOptions<A, I, B, J, E>
): ToolRegistry.Tool => {
  const decode = Schema.decodeUnknown(options.args)
  const encode = Schema.encode(options.success)
  return {
    ...common(name, options, decode),
    run: (args) =>
      decode(args).pipe(
        Effect.mapError((error) => `invalid arguments: ${ParseResult.TreeFormatter.formatErrorSync(error)}`),
        Effect.flatMap((decoded) => Effect.mapError(options.run(decoded), describeError)),
        Effect.flatMap((value) =>
          Effect.mapError(encode(value), (error) =>
            `unencodable result: ${ParseResult.TreeFormatter.formatErrorSync(error)}`)
        )
      )
  }
}

/** @internal */
export const external = <A, I, B, J>(
  name: string,
  options: ToolRegistry.ExternalOptions<A, I, B, J>
): ToolRegistry.Tool => {
  const decode = Schema.decodeUnknown(options.args)
  const decodeResult = Schema.decodeUnknown(options.success)
  return {
    ...common(name, options, decode),
    run: () => Effect.fail(`${name} is completed by the host (an external tool)`),
    external: { checkResult: (value) => Effect.asVoid(decodeResult(value)) }
  }
}

/** @internal */
export const make = (tools: Iterable<ToolRegistry.Tool>): ToolRegistry.Registry => {
  const byName = new Map<string, ToolRegistry.Tool>()
  const specs: Record<string, ToolRegistry.Tool["spec"]> = {}
  for (const entry of tools) {
    byName.set(entry.name, entry)
    specs[entry.name] = entry.spec
  }
  return {
    tools: byName,
    specs,
    check: (command) => {
      const entry = byName.get(command.tool)
      if (entry === undefined) {
        return Effect.fail(new Command.UnknownTool({ commandId: command.id, tool: command.tool }))
      }
      return entry.validate(command.args).pipe(
        Effect.as(entry),
        Effect.mapError((error) =>
          new Command.InvalidCommand({
            commandId: command.id,
            reason: `arguments of ${command.tool}: ${ParseResult.TreeFormatter.formatErrorSync(error)}`
          })
        )
      )
    }
  }
}
