import * as Config from "effect/Config"
import * as ConfigError from "effect/ConfigError"
import * as Duration from "effect/Duration"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import type * as Otel from "../../otel/Otel.js"

/** The service name when neither the options nor `OTEL_SERVICE_NAME` give one. */
export const defaultServiceName = "effect-lanes"

/**
 * A variable that may be absent: unset and empty (after trimming) are the same, as the OpenTelemetry
 * specification asks; a present value goes through `parse`, whose message becomes an `InvalidData`
 * error naming the variable.
 */
const optional = <A>(key: string, parse: (text: string) => Either.Either<A, string>): Config.Config<Option.Option<A>> =>
  Config.string(key).pipe(
    Config.mapOrFail((raw) => {
      const text = raw.trim()
      return text === ""
        ? Either.right(Option.none())
        : Either.match(parse(text), {
          onLeft: (message) => Either.left(ConfigError.InvalidData([], message)),
          onRight: (value) => Either.right(Option.some(value))
        })
    }),
    Config.withDefault(Option.none())
  )

const httpUrl = (text: string): Either.Either<URL, string> => {
  if (!URL.canParse(text)) return Either.left(`expected an http(s) URL, got ${JSON.stringify(text)}`)
  const url = new URL(text)
  return url.protocol === "http:" || url.protocol === "https:"
    ? Either.right(url)
    : Either.left(`expected an http(s) URL, got ${JSON.stringify(text)} (only OTLP over HTTP is supported)`)
}

/**
 * A signal's URL from the base endpoint, as the OTLP exporter specification says: the signal's path
 * (`v1/traces`, `v1/metrics`) appended to the base URL's path, with one `/` between.
 */
export const signalUrl = (base: URL, signalPath: string): string => {
  const url = new URL(base.href)
  url.pathname = url.pathname.endsWith("/") ? `${url.pathname}${signalPath}` : `${url.pathname}/${signalPath}`
  return url.href
}

const percentDecode = (text: string): Either.Either<string, string> => {
  try {
    return Either.right(decodeURIComponent(text))
  } catch {
    return Either.left(`invalid percent-encoding in ${JSON.stringify(text)}`)
  }
}

/** An HTTP header name (RFC 9110 `token`). */
const headerName = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/

/**
 * A list of `key=value` pairs separated by commas, keys and values percent-decoded and trimmed (the
 * format of `OTEL_EXPORTER_OTLP_HEADERS` and `OTEL_RESOURCE_ATTRIBUTES`). A value may contain `=`; an
 * entry without `=` or with an empty key is an error.
 */
const pairs =
  (valid: (key: string, value: string) => string | undefined) =>
  (text: string): Either.Either<Record<string, string>, string> => {
    const result: Record<string, string> = {}
    for (const entry of text.split(",")) {
      if (entry.trim() === "") continue
      const at = entry.indexOf("=")
      if (at < 0) {
        return Either.left(`expected key=value pairs separated by commas, got ${JSON.stringify(entry.trim())}`)
      }
      const key = percentDecode(entry.slice(0, at).trim())
      if (Either.isLeft(key)) return Either.left(key.left)
      const value = percentDecode(entry.slice(at + 1).trim())
      if (Either.isLeft(value)) return Either.left(value.left)
      const problem = key.right === "" ? `empty key in ${JSON.stringify(entry.trim())}` : valid(key.right, value.right)
      if (problem !== undefined) return Either.left(problem)
      result[key.right] = value.right
    }
    return Either.right(result)
  }

const headers = pairs((key, value) =>
  !headerName.test(key)
    ? `invalid HTTP header name ${JSON.stringify(key)}`
    : !/^[\t\x20-\x7e\x80-\xff]*$/.test(value)
    ? `the value of header ${JSON.stringify(key)} holds a character an HTTP field value cannot (RFC 9110 5.5: ` +
      "tab, space, visible ASCII, bytes 0x80-0xFF)"
    : undefined
)

const attributes = pairs(() => undefined)

const millis = (text: string): Either.Either<Duration.Duration, string> =>
  /^\d+$/.test(text) && Number(text) > 0
    ? Either.right(Duration.millis(Number(text)))
    : Either.left(`expected a positive whole number of milliseconds, got ${JSON.stringify(text)}`)

const protocols: ReadonlyArray<Otel.OtlpProtocol> = ["http/protobuf", "http/json"]

const protocol = (text: string): Either.Either<Otel.OtlpProtocol, string> => {
  const found = protocols.find((candidate) => candidate === text)
  return found === undefined
    ? Either.left(`expected one of ${protocols.join(", ")}, got ${JSON.stringify(text)}`)
    : Either.right(found)
}

/** The resource's service name and attributes from `OTEL_SERVICE_NAME` and `OTEL_RESOURCE_ATTRIBUTES`. */
export const resourceConfig: Config.Config<{
  readonly serviceName: Option.Option<string>
  readonly attributes: Record<string, string>
}> = Config.all({
  serviceName: optional("OTEL_SERVICE_NAME", Either.right),
  attributes: optional("OTEL_RESOURCE_ATTRIBUTES", attributes)
}).pipe(Config.map(({ attributes, serviceName }) => ({
  // OTEL_SERVICE_NAME wins over a service.name in OTEL_RESOURCE_ATTRIBUTES (the specification's order)
  serviceName: Option.orElse(
    serviceName,
    () => Option.flatMap(attributes, (all) => Option.fromNullable(all["service.name"]))
  ),
  attributes: Option.getOrElse(attributes, () => ({}))
})))

const endpointKey = "OTEL_EXPORTER_OTLP_ENDPOINT"

/** The OTLP exporter's options from the standard environment variables. */
export const otlpConfig: Config.Config<Otel.OtlpOptions> = Config.all({
  endpoint: optional(endpointKey, httpUrl),
  tracesEndpoint: optional("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", httpUrl),
  metricsEndpoint: optional("OTEL_EXPORTER_OTLP_METRICS_ENDPOINT", httpUrl),
  headers: optional("OTEL_EXPORTER_OTLP_HEADERS", headers),
  tracesHeaders: optional("OTEL_EXPORTER_OTLP_TRACES_HEADERS", headers),
  metricsHeaders: optional("OTEL_EXPORTER_OTLP_METRICS_HEADERS", headers),
  protocol: optional("OTEL_EXPORTER_OTLP_PROTOCOL", protocol),
  tracesExportInterval: optional("OTEL_BSP_SCHEDULE_DELAY", millis),
  metricsExportInterval: optional("OTEL_METRIC_EXPORT_INTERVAL", millis),
  resource: resourceConfig
}).pipe(Config.mapOrFail((env): Either.Either<Otel.OtlpOptions, ConfigError.ConfigError> => {
  // a signal's own endpoint is used as it is; the base endpoint gets the signal's path
  const tracesUrl = Option.orElse(
    Option.map(env.tracesEndpoint, (url) => url.href),
    () => Option.map(env.endpoint, (url) => signalUrl(url, "v1/traces"))
  )
  const metricsUrl = Option.orElse(
    Option.map(env.metricsEndpoint, (url) => url.href),
    () => Option.map(env.endpoint, (url) => signalUrl(url, "v1/metrics"))
  )
  if (Option.isNone(tracesUrl) && Option.isNone(metricsUrl)) {
    return Either.left(ConfigError.MissingData(
      [endpointKey],
      `Expected ${endpointKey} (or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT / OTEL_EXPORTER_OTLP_METRICS_ENDPOINT) to be set: ` +
        "the OTLP collector's URL, such as http://localhost:4318"
    ))
  }
  const common = Option.getOrElse(env.headers, () => ({}))
  return Either.right({
    tracesUrl: Option.getOrUndefined(tracesUrl),
    metricsUrl: Option.getOrUndefined(metricsUrl),
    tracesHeaders: { ...common, ...Option.getOrElse(env.tracesHeaders, () => ({})) },
    metricsHeaders: { ...common, ...Option.getOrElse(env.metricsHeaders, () => ({})) },
    protocol: Option.getOrElse(env.protocol, (): Otel.OtlpProtocol => "http/protobuf"),
    serviceName: Option.getOrElse(env.resource.serviceName, () => defaultServiceName),
    tracesExportInterval: Option.getOrUndefined(env.tracesExportInterval),
    metricsExportInterval: Option.getOrUndefined(env.metricsExportInterval)
  })
}))
