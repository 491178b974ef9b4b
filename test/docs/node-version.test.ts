import { readFileSync } from "node:fs";

// `.nvmrc` (what `nvm use` picks) names a Node major that `engines` accepts, and the README says what it is for.

test(".nvmrc names a major version that package.json's engines accept, and the README points to it", () => {
  const nvmrc = readFileSync(".nvmrc", "utf8").trim();
  const engines = (JSON.parse(readFileSync("package.json", "utf8")) as { engines: { node: string } }).engines.node;
  const majors = [...engines.matchAll(/\^(\d+)\./g)].map((match) => match[1]);
  expect(nvmrc).toMatch(/^\d+$/);
  expect(majors).toContain(nvmrc);
  expect(readFileSync("README.md", "utf8")).toContain(`\`.nvmrc\` names ${nvmrc}`);
});
