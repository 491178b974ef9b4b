import http from "node:http";
import type { AddressInfo } from "node:net";
import { gzipSync } from "node:zlib";
import { exchange, MAX_UPSTREAM_BODY_BYTES, parseOrigin } from "../../src/voucherify/http-exchange.js";

// A real HTTP server that misbehaves in ways the emulator does not need to: compression, huge and cut bodies.
let server: http.Server;
let origin: ReturnType<typeof parseOrigin>;
const agent = new http.Agent({ keepAlive: true });

beforeAll(async () => {
  server = http.createServer((request, response) => {
    if (request.url === "/api/gzip") {
      response.writeHead(200, { "content-type": "application/json", "content-encoding": "gzip" });
      response.end(gzipSync(JSON.stringify({ ok: true, path: request.url })));
    } else if (request.url === "/api/huge") {
      response.writeHead(200, { "content-type": "application/json" });
      const chunk = Buffer.alloc(1024 * 1024, "x");
      for (let i = 0; i <= MAX_UPSTREAM_BODY_BYTES / chunk.length; i++) response.write(chunk);
      response.end();
    } else if (request.url === "/api/cut") {
      response.writeHead(200, { "content-type": "application/json", "content-length": "100" });
      response.write('{"data": [');
      setImmediate(() => response.socket?.destroy());
    } else {
      response.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = parseOrigin(`http://127.0.0.1:${(server.address() as AddressInfo).port}/api/`);
});

afterAll(async () => {
  agent.destroy();
  await new Promise((resolve) => server.close(resolve));
});

const get = (path: string) => exchange(origin, agent, { method: "GET", path, headers: {}, signal: AbortSignal.timeout(5000) });

test("the base URL's path prefixes every request, and gzip bodies are decoded", async () => {
  const response = await get("gzip");
  expect(response.status).toBe(200);
  expect(JSON.parse(response.body)).toEqual({ ok: true, path: "/api/gzip" });
});

test("a body over the cap is refused instead of buffered", async () => {
  await expect(get("huge")).rejects.toMatchObject({ code: "EBODYTOOLARGE" });
});

test("a body cut short by a closed socket is a reset, not a short success", async () => {
  await expect(get("cut")).rejects.toMatchObject({ code: "ECONNRESET" });
});

test("IPv6 literal hosts lose their brackets for node:http", () => {
  expect(parseOrigin("http://[::1]:4010").hostname).toBe("::1");
  expect(() => parseOrigin("ftp://example.com")).toThrow();
});
