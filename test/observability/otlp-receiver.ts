import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { gunzipSync } from "node:zlib";

/**
 * An OTLP/HTTP traces receiver for tests (no collector can be installed here): it accepts what the gateway's real
 * exporter sends (`POST /v1/traces`, protobuf) and decodes every span. The decoder reads the protobuf wire format
 * for the fields of opentelemetry-proto's trace.proto that the tests look at; unknown fields are skipped.
 */

export type AttributeValue = string | number | boolean | AttributeValue[] | null;

export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  /** "" for a root span. */
  parentSpanId: string;
  name: string;
  /** 1 internal, 2 server, 3 client (trace.proto's SpanKind). */
  kind: number;
  attributes: Record<string, AttributeValue>;
  events: { name: string; attributes: Record<string, AttributeValue> }[];
  /** 0 unset, 1 ok, 2 error. */
  status: { code: number; message: string };
  resource: Record<string, AttributeValue>;
  scope: string;
}

export const SpanKind = { INTERNAL: 1, SERVER: 2, CLIENT: 3 } as const;

/** A cursor over one protobuf message's bytes: (field number, wire type, value) triples. */
class Reader {
  private pos = 0;
  constructor(private readonly buf: Buffer) {}

  get done(): boolean {
    return this.pos >= this.buf.length;
  }

  varint(): bigint {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      const byte = this.buf[this.pos++];
      if (byte === undefined) throw new Error("truncated varint");
      result |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return result;
      shift += 7n;
    }
  }

  /** The next field: its number, and its raw value (a bigint for varints, a Buffer for everything else). */
  field(): { number: number; wire: number; value: bigint | Buffer } {
    const tag = Number(this.varint());
    const wire = tag & 7;
    const number = tag >>> 3;
    if (wire === 0) return { number, wire, value: this.varint() };
    const size = wire === 1 ? 8 : wire === 5 ? 4 : wire === 2 ? Number(this.varint()) : NaN;
    if (Number.isNaN(size)) throw new Error(`unsupported wire type ${wire}`);
    const value = this.buf.subarray(this.pos, this.pos + size);
    this.pos += size;
    return { number, wire, value };
  }
}

function fields(buf: Buffer): { number: number; wire: number; value: bigint | Buffer }[] {
  const reader = new Reader(buf);
  const all = [];
  while (!reader.done) all.push(reader.field());
  return all;
}

const text = (value: bigint | Buffer) => (value as Buffer).toString("utf8");
const hex = (value: bigint | Buffer) => (value as Buffer).toString("hex");

function anyValue(buf: Buffer): AttributeValue {
  for (const { number, value } of fields(buf)) {
    if (number === 1) return text(value);
    if (number === 2) return value === 1n;
    if (number === 3) return Number(BigInt.asIntN(64, value as bigint));
    if (number === 4) return (value as Buffer).readDoubleLE(0);
    if (number === 5) return fields(value as Buffer).map((item) => anyValue(item.value as Buffer));
    if (number === 6) return JSON.stringify(keyValues(fields(value as Buffer).map((item) => item.value as Buffer)));
    if (number === 7) return hex(value);
  }
  return null;
}

function keyValues(list: Buffer[]): Record<string, AttributeValue> {
  const result: Record<string, AttributeValue> = {};
  for (const buf of list) {
    let key = "";
    let value: AttributeValue = null;
    for (const field of fields(buf)) {
      if (field.number === 1) key = text(field.value);
      if (field.number === 2) value = anyValue(field.value as Buffer);
    }
    result[key] = value;
  }
  return result;
}

const repeated = (buf: Buffer, number: number) =>
  fields(buf)
    .filter((field) => field.number === number)
    .map((field) => field.value as Buffer);

function decodeSpan(buf: Buffer, resource: ReceivedSpan["resource"], scope: string): ReceivedSpan {
  const span: ReceivedSpan = {
    traceId: "",
    spanId: "",
    parentSpanId: "",
    name: "",
    kind: 0,
    attributes: {},
    events: [],
    status: { code: 0, message: "" },
    resource,
    scope,
  };
  for (const { number, value } of fields(buf)) {
    if (number === 1) span.traceId = hex(value);
    else if (number === 2) span.spanId = hex(value);
    else if (number === 4) span.parentSpanId = hex(value);
    else if (number === 5) span.name = text(value);
    else if (number === 6) span.kind = Number(value);
    else if (number === 9) Object.assign(span.attributes, keyValues([value as Buffer]));
    else if (number === 11) {
      const event = { name: "", attributes: {} as Record<string, AttributeValue> };
      for (const field of fields(value as Buffer)) {
        if (field.number === 2) event.name = text(field.value);
        if (field.number === 3) Object.assign(event.attributes, keyValues([field.value as Buffer]));
      }
      span.events.push(event);
    } else if (number === 15) {
      for (const field of fields(value as Buffer)) {
        if (field.number === 2) span.status.message = text(field.value);
        if (field.number === 3) span.status.code = Number(field.value);
      }
    }
  }
  return span;
}

/** Every span of one ExportTraceServiceRequest body. */
export function decodeExportRequest(body: Buffer): ReceivedSpan[] {
  const spans: ReceivedSpan[] = [];
  for (const resourceSpans of repeated(body, 1)) {
    const resourceBuf = repeated(resourceSpans, 1)[0];
    const resource = resourceBuf ? keyValues(repeated(resourceBuf, 1)) : {};
    for (const scopeSpans of repeated(resourceSpans, 2)) {
      const scopeBuf = repeated(scopeSpans, 1)[0];
      const scope = scopeBuf ? text(repeated(scopeBuf, 1)[0] ?? Buffer.alloc(0)) : "";
      for (const spanBuf of repeated(scopeSpans, 2)) spans.push(decodeSpan(spanBuf, resource, scope));
    }
  }
  return spans;
}

export interface OtlpReceiver {
  /** Base URL, for OTEL_EXPORTER_OTLP_ENDPOINT (the exporter appends /v1/traces). */
  url: string;
  spans: ReceivedSpan[];
  /** Every export request's raw bytes and headers, for searching what was sent, undecoded. */
  requests: { path: string; headers: Record<string, string | string[] | undefined>; body: Buffer }[];
  close(): Promise<void>;
}

export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const spans: ReceivedSpan[] = [];
  const requests: OtlpReceiver["requests"] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      let body = Buffer.concat(chunks);
      if (request.headers["content-encoding"] === "gzip") body = gunzipSync(body);
      requests.push({ path: request.url ?? "", headers: request.headers, body });
      if (request.method !== "POST" || request.url !== "/v1/traces") {
        response.writeHead(404).end();
        return;
      }
      spans.push(...decodeExportRequest(body));
      // An empty ExportTraceServiceResponse: everything accepted.
      response.writeHead(200, { "content-type": "application/x-protobuf" }).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    spans,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
