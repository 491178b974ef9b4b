import { APP_USAGE, parseAppCommand } from "../../src/tools/app-command.js";

// `npm run app`'s command line: each verb's form, and every mistake refused with one line that says what to do.

const parse = (line: string) => parseAppCommand(line.split(" ").filter(Boolean), "alice");

describe("npm run app's command line", () => {
  test("each verb, with the OS user as the actor unless --actor names one", () => {
    expect(parse("check web.json")).toEqual({ kind: "check", manifest: "web.json" });
    expect(parse("create --name web --version 4.2.0 --publish web.json")).toEqual({
      kind: "create",
      key: { name: "web", version: "4.2.0" },
      manifest: "web.json",
      publish: true,
      actor: "alice",
    });
    expect(parse("create --name web --version 4.2.0+build.7 web.json")).toMatchObject({
      publish: false,
      key: { version: "4.2.0+build.7" },
    });
    expect(parse("publish --name web --version 4.2.0 --actor ci-bot")).toEqual({
      kind: "publish",
      key: { name: "web", version: "4.2.0" },
      actor: "ci-bot",
    });
    expect(parse("retire --name ios --version 7")).toEqual({ kind: "retire", key: { name: "ios", version: "7" }, actor: "alice" });
    expect(parse("list --json")).toEqual({ kind: "list", json: true });
    expect(parse("list")).toEqual({ kind: "list", json: false });
    expect(parse("--help")).toEqual({ kind: "help" });
    expect(parse("create -h")).toEqual({ kind: "help" });
  });

  test.each([
    ["", "Name a command (check, create, publish, retire or list); see npm run app -- --help"],
    ["deploy --name web", 'Unknown command "deploy": check, create, publish, retire or list'],
    ["check", "check takes one manifest file; got 0"],
    ["check a.json b.json", "check takes one manifest file; got 2"],
    ["publish --name web --version 1 extra.json", "publish takes no file; got extra.json"],
    ["list --name web", "list takes no --name; see npm run app -- --help"],
    ["check --publish web.json", "check takes no --publish; see npm run app -- --help"],
    ["create --name web web.json", "--name and --version are required"],
    [
      "create --name web@1 --version 1 web.json",
      `--name must be 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit; got "web@1"`,
    ],
    [
      "retire --name web --version ../1",
      `--version must be 1-64 letters, digits, '.', '+', '_' or '-', starting with a letter or digit; got "../1"`,
    ],
    ["list --verbose", "Unknown option '--verbose'; see npm run app -- --help"],
  ])("%j is refused: %s", (line, problem) => {
    expect(parse(line)).toEqual({ kind: "refused", problem });
  });

  test("the usage names every verb, the settings and the exit statuses", () => {
    for (const word of [
      "check <manifest>",
      "create --name N --version V [--publish] <manifest>",
      "publish --name N",
      "retire --name N",
      "list [--json]",
    ]) {
      expect(APP_USAGE).toContain(word);
    }
    expect(APP_USAGE).toMatch(/REDIS_URL.*APP_DEPLOYMENTS_DIR/s);
    expect(APP_USAGE).toMatch(/0 done.*2 refused.*1 the registry could not be reached/s);
  });
});
