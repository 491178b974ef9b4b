import { metricsUrlOf, startStack, type Stack } from "../support/stack.js";

// gateway_ready follows /readyz, and is absent until /readyz is first asked: a replica nobody probes raises no
// readiness alert (ReferralsGatewayNotReady in deploy/prometheus).

const readyLine = async (stack: Stack) => (await (await fetch(metricsUrlOf(stack))).text()).match(/^gateway_ready .*$/m)?.[0] ?? null;

describe("gateway_ready", () => {
  let stack: Stack;
  afterEach(() => stack?.stop());

  test("absent before the first /readyz, then 1 once the upstream accepts the credentials", async () => {
    stack = await startStack();
    expect(await readyLine(stack)).toBeNull();
    expect((await fetch(`${stack.gateway.url}/readyz`)).status).toBe(200);
    expect(await readyLine(stack)).toBe("gateway_ready 1");
  });

  test("0 while the upstream refuses the credentials", async () => {
    stack = await startStack({ gateway: { credentials: { appId: "wrong-app", appToken: "wrong-token" } } });
    expect((await fetch(`${stack.gateway.url}/readyz`)).status).toBe(503);
    expect(await readyLine(stack)).toBe("gateway_ready 0");
  });
});
