import { parse } from "graphql";
import type { DeploymentKey, UsageCount } from "../../src/app-deployments/deployment.js";
import { UsageRecorder } from "../../src/app-deployments/usage-recorder.js";
import type { TrustedDocument } from "../../src/documents/trusted-document.js";

// Usage counted on the request path in memory, reported in batches: every request counted once, for the right
// deployment, and nothing lost or sent twice when a report fails or overlaps new requests.

function trusted(id: string, body: string): TrustedDocument {
  const document = parse(body);
  const operation = document.definitions[0] as TrustedDocument["operation"];
  return { id, sha256: id, body, document, operation, operationName: null, source: "test" };
}
const A = trusted("sha256:" + "a".repeat(64), "{ a }");
const B = trusted("b-doc", "{ b }");
const web1: DeploymentKey = { name: "web", version: "1" };
const web2: DeploymentKey = { name: "web", version: "2" };

function recorder() {
  const reports: UsageCount[][] = [];
  const metered: Array<[string, number]> = [];
  let fail = false;
  let clock = 1000;
  const usage = new UsageRecorder(
    async (counts) => {
      if (fail) throw new Error("registry down");
      reports.push([...counts]);
    },
    (deployment, requests) => metered.push([`${deployment.name} ${deployment.version}`, requests]),
    () => clock,
  );
  return {
    usage,
    reports,
    metered,
    failNext: (value: boolean) => (fail = value),
    tick: (ms: number) => (clock += ms),
  };
}

const summary = (reports: UsageCount[][]) =>
  reports.flat().map(({ name, version, id, requests, lastRequestAt }) => `${name} ${version} ${id} ${requests} @${lastRequestAt}`);

describe("usage of app deployments' documents", () => {
  test("a document one deployment holds counts for it; one several hold counts for each, or for the one the client names", async () => {
    const { usage, reports } = recorder();
    usage.serve(
      new Map([
        [A, [web1, web2]],
        [B, [web2]],
      ]),
    );
    usage.record(A, {});
    usage.record(A, { "apollographql-client-name": "web", "apollographql-client-version": "1" });
    usage.record(A, { "graphql-client-name": "web", "graphql-client-version": "2" });
    // A client naming a version that does not hold the document: counted as unnamed.
    usage.record(A, { "apollographql-client-name": "web", "apollographql-client-version": "9" });
    usage.record(B, { "apollographql-client-name": "web", "apollographql-client-version": "1" });
    usage.record(trusted("other", "{ a b }"), {});
    await usage.flush();
    expect(summary(reports).sort()).toEqual([`web 1 ${"a".repeat(64)} 3 @1000`, `web 2 ${"a".repeat(64)} 3 @1000`, "web 2 b-doc 1 @1000"]);
  });

  test("a report that fails is sent with the next one; requests during a report are not lost nor sent twice", async () => {
    const { usage, reports, metered, failNext, tick } = recorder();
    usage.serve(new Map([[B, [web2]]]));
    usage.record(B, {});
    failNext(true);
    await expect(usage.flush()).rejects.toThrow("registry down");
    failNext(false);
    tick(500);
    usage.record(B, {});
    const reporting = usage.flush();
    usage.record(B, {}); // while the report is on its way
    await reporting;
    await usage.flush();
    await usage.flush(); // nothing left: no empty report
    expect(summary(reports)).toEqual(["web 2 b-doc 2 @1500", "web 2 b-doc 1 @1500"]);
    // Metrics count each request once, even the one whose first report failed.
    expect(metered.reduce((sum, [, count]) => sum + count, 0)).toBe(3);
  });

  test("counts of a deployment retired before its report are still reported; a retired document counts no more", async () => {
    const { usage, reports } = recorder();
    usage.serve(new Map([[B, [web2]]]));
    usage.record(B, {});
    usage.serve(new Map());
    usage.record(B, {});
    await usage.flush();
    expect(summary(reports)).toEqual(["web 2 b-doc 1 @1000"]);
  });
});
