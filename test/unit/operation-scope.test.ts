import { OperationScope } from "../../src/voucherify/operation-scope.js";

describe("OperationScope", () => {
  test("abandon (client gone): no new calls, but calls in flight finish", () => {
    const scope = new OperationScope();
    const call = new AbortController();
    scope.track(call);
    scope.abandon();
    expect(scope.isOver).toBe(true);
    expect(call.signal.aborted).toBe(false);
  });

  test("expire (deadline): no new calls, and calls in flight are aborted; finished ones are left alone", () => {
    const scope = new OperationScope();
    const inFlight = new AbortController();
    const finished = new AbortController();
    scope.track(inFlight);
    scope.track(finished);
    scope.untrack(finished);
    scope.expire();
    expect(scope.isOver).toBe(true);
    expect(inFlight.signal.aborted).toBe(true);
    expect(finished.signal.aborted).toBe(false);
  });
});
