import { createRequire } from "node:module";
import { Database, SQLITE_DRIVER } from "../../src/emulator/sqlite-driver.js";

// better-sqlite3 12 aborts Node 24 in its Statement finaliser and 13 crashes Node 20: the emulator must load the one
// made for the Node it runs on. CI runs this suite on the machine's Node 20, on Node 22 and on Node 24.
describe("the emulator's SQLite driver", () => {
  const nodeMajor = Number(process.versions.node.split(".")[0]);

  test("is better-sqlite3 13 (Node-API) from Node 22 on, 12 before", () => {
    const { version } = createRequire(import.meta.url)(`${SQLITE_DRIVER}/package.json`) as { version: string };
    expect(version.split(".")[0]).toBe(nodeMajor >= 22 ? "13" : "12");
  });

  test("opens a database, and statements left to the garbage collector after close do not abort the process", () => {
    for (let i = 0; i < 200; i++) {
      const db = new Database(":memory:");
      db.exec("CREATE TABLE t (x)");
      db.prepare("INSERT INTO t VALUES (?)").run(i);
      expect(db.prepare("SELECT x FROM t").get()).toEqual({ x: i });
      db.close();
    }
  });
});
