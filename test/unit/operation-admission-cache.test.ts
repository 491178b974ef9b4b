import { parse, type OperationDefinitionNode } from "graphql";
import type { Caller } from "../../src/auth/caller.js";
import { OperationAdmissionCache } from "../../src/operation/operation-admission-cache.js";

const operationOf = (source: string) => parse(source).definitions[0] as OperationDefinitionNode;
const caller = (overrides: Partial<Caller> = {}): Caller => ({
  budgetKey: "test",
  authenticated: true,
  scopes: null,
  members: null,
  router: false,
  ...overrides,
});

describe("OperationAdmissionCache", () => {
  test("a cost is computed once per operation and distinct variables", () => {
    const cache = new OperationAdmissionCache();
    const operation = operationOf("query Q($n: Int) { a(first: $n) }");
    let computed = 0;
    const compute = () => ++computed;
    expect(cache.cost(operation, { n: 1 }, compute)).toBe(1);
    expect(cache.cost(operation, { n: 1 }, compute)).toBe(1);
    expect(cache.cost(operation, { n: 2 }, compute)).toBe(2);
    expect(cache.cost(operation, undefined, compute)).toBe(3);
    expect(cache.cost(operation, {}, compute)).toBe(3);
    // Another document with the same text is another node: computed anew.
    expect(cache.cost(operationOf("query Q($n: Int) { a(first: $n) }"), { n: 1 }, compute)).toBe(4);
    expect(computed).toBe(4);
  });

  test("long variables are never used as a key", () => {
    const cache = new OperationAdmissionCache();
    const operation = operationOf("query Q($s: String) { a(s: $s) }");
    let computed = 0;
    const variables = { s: "x".repeat(1000) };
    cache.cost(operation, variables, () => ++computed);
    cache.cost(operation, variables, () => ++computed);
    expect(computed).toBe(2);
  });

  test("a passed authorization is remembered for callers with the same rights only", () => {
    const cache = new OperationAdmissionCache();
    const operation = operationOf("{ a }");
    let checks = 0;
    const authorize = () => {
      checks++;
    };
    cache.authorize(operation, caller(), authorize);
    cache.authorize(operation, caller({ budgetKey: "someone else" }), authorize);
    expect(checks).toBe(1);
    cache.authorize(operation, caller({ scopes: new Set(["holders:read"]) }), authorize);
    cache.authorize(operation, caller({ router: true }), authorize);
    cache.authorize(operation, caller({ authenticated: false, scopes: new Set() }), authorize);
    expect(checks).toBe(4);
  });

  test("a refusal is not remembered, and member-restricted callers are checked every time", () => {
    const cache = new OperationAdmissionCache();
    const operation = operationOf("{ a }");
    let checks = 0;
    const refuse = () => {
      checks++;
      throw new Error("refused");
    };
    expect(() => cache.authorize(operation, caller(), refuse)).toThrow("refused");
    expect(() => cache.authorize(operation, caller(), refuse)).toThrow("refused");
    const restricted = caller({ members: new Set(["WELCOME-REF"]) });
    let restrictedChecks = 0;
    cache.authorize(operation, restricted, () => restrictedChecks++);
    cache.authorize(operation, restricted, () => restrictedChecks++);
    expect(checks).toBe(2);
    expect(restrictedChecks).toBe(2);
  });
});
