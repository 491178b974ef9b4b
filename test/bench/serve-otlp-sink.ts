import { createServer } from "node:http";
import { serveToParent } from "./child-reporter.js";

/**
 * Bench child: where the traced gateway's exporter sends its spans (OTLP/HTTP). It reads each export and answers
 * 200 with an empty ExportTraceServiceResponse, decoding nothing: its own cost stays out of the gateway's numbers,
 * and its request count (ChildStats.requestsServed) shows that spans did flow.
 */
const server = createServer((request, response) => {
  request.resume();
  request.on("end", () => response.writeHead(200, { "content-type": "application/x-protobuf" }).end());
});
await serveToParent(server);
