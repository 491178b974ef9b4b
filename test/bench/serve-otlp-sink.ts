import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { reportToParent } from "./child-reporter.js";

/**
 * Bench child: where the traced gateway's exporter sends its spans (OTLP/HTTP). It reads each export and answers
 * 200 with an empty ExportTraceServiceResponse, decoding nothing: its own cost stays out of the gateway's numbers,
 * and its request count (ChildStats.requestsServed) shows that spans did flow.
 */
const server = createServer((request, response) => {
  request.resume();
  request.on("end", () => response.writeHead(200, { "content-type": "application/x-protobuf" }).end());
});
await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
const { port } = server.address() as AddressInfo;
reportToParent(`http://127.0.0.1:${port}`, async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});
