import { captureLogs } from "../support/log-capture.js";
import { startStack, type Stack } from "../support/stack.js";

let stack: Stack;
const logs = captureLogs("info");

beforeAll(async () => {
  stack = await startStack({ gateway: { logger: logs.logger } });
});
afterAll(() => stack?.stop());

test("a server error after listening is logged, not swallowed by the start's listen (nor fatal)", async () => {
  // What the OS reports on a listening socket (too many open files on accept) arrives as the server's 'error'.
  const failure = Object.assign(new Error("accept EMFILE"), { code: "EMFILE" });
  stack.gateway.server.emit("error", failure);
  const line = logs.lines().find((entry) => entry.msg === "HTTP server error");
  expect(line).toMatchObject({ level: 50, err: { message: "accept EMFILE", code: "EMFILE" } });
  // Still serving.
  expect((await fetch(`${stack.gateway.url}/healthz`)).status).toBe(200);
});
