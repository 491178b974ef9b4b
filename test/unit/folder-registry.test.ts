import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FolderAppDeploymentRegistry } from "../../src/app-deployments/folder-registry.js";

// The folder registry's rules, on a real folder: one id one body (two concurrent creates cannot both win), the stamp
// changes with every publish and retire only, a record of another format is skipped (never misread), usage adds up.

const at = "2026-12-07T10:00:00.000Z";
const change = { actor: "alice", at };
const doc = (id: string, body: string) => ({ id, body });

describe("the app deployments' registry in a folder", () => {
  let dir: string;
  let registry: FolderAppDeploymentRegistry;
  beforeEach(() => {
    dir = join(mkdtempSync(join(tmpdir(), "folder-registry-")), "apps");
    registry = new FolderAppDeploymentRegistry(dir);
  });

  test("an absent folder is an empty registry, never written by reading", async () => {
    expect(await registry.stamp()).toBeNull();
    expect(await registry.published()).toEqual({ stamp: null, deployments: [] });
    expect(await registry.usage()).toEqual([]);
    expect(() => readFileSync(join(dir, "stamp"))).toThrow();
  });

  test("created: stored, no new stamp; published and retired: a new stamp each; the same state again changes nothing", async () => {
    expect(await registry.create({ name: "web", version: "1" }, [doc("q", "{ a }")], change, false)).toEqual({
      kind: "created",
      published: false,
      documents: 1,
    });
    expect(await registry.stamp()).toBeNull();
    expect(await registry.setState({ name: "web", version: "1" }, "published", change)).toEqual({
      kind: "changed",
      from: "created",
      documents: 1,
    });
    const published = await registry.stamp();
    expect(published).not.toBeNull();
    expect((await registry.published()).deployments).toEqual([{ name: "web", version: "1", documents: [doc("q", "{ a }")] }]);
    expect(await registry.setState({ name: "web", version: "1" }, "published", change)).toEqual({ kind: "unchanged", documents: 1 });
    expect(await registry.stamp()).toBe(published);
    expect(await registry.setState({ name: "web", version: "1" }, "retired", change)).toMatchObject({ kind: "changed", from: "published" });
    expect(await registry.stamp()).not.toBe(published);
    expect(await registry.setState({ name: "web", version: "9" }, "retired", change)).toEqual({ kind: "missing" });
    expect((await registry.audit()).map((entry) => entry.action)).toEqual(["create", "publish", "retire"]);
  });

  test("two creates at once with one id and two bodies: exactly one is stored, the other is told which id conflicts", async () => {
    const outcomes = await Promise.all(
      [1, 2, 3, 4].map((n) =>
        registry.create({ name: `app${n}`, version: "1" }, [doc("shared", `{ a${n} }`), doc(`own${n}`, "{ b }")], change, true),
      ),
    );
    expect(outcomes.filter((outcome) => outcome.kind === "created")).toHaveLength(1);
    expect(outcomes.filter((outcome) => outcome.kind === "conflicts")).toEqual([
      { kind: "conflicts", ids: ["shared"] },
      { kind: "conflicts", ids: ["shared"] },
      { kind: "conflicts", ids: ["shared"] },
    ]);
    expect(await registry.deployments()).toHaveLength(1);
    // The same id with the same body, and a sha256 id in its two forms, are one document.
    const again = await registry.create({ name: "app9", version: "1" }, [doc("own1", "{ b }")], change, false);
    expect(again.kind).toBe("created");
  });

  test("a deployment file of another format (another build) is skipped, not misread; usage from several gateways adds up", async () => {
    mkdirSync(join(dir, "deployments"), { recursive: true });
    writeFileSync(join(dir, "deployments", "future@1.json"), JSON.stringify({ v: 2, name: "future", version: "1", shape: "new" }));
    await registry.create({ name: "web", version: "1" }, [doc("q", "{ a }")], change, true);
    expect((await registry.deployments()).map((deployment) => deployment.name)).toEqual(["web"]);
    const gateways = [new FolderAppDeploymentRegistry(dir), new FolderAppDeploymentRegistry(dir)];
    await Promise.all(
      gateways.flatMap((gateway, index) =>
        [1, 2, 3].map((n) => gateway.addUsage([{ name: "web", version: "1", id: "q", requests: n, lastRequestAt: 1000 * n + index }])),
      ),
    );
    expect(await registry.usage()).toEqual([{ name: "web", version: "1", id: "q", requests: 12, lastRequestAt: 3001 }]);
  });
});
