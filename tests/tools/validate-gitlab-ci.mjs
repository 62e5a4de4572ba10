// Validates GitLab CI YAML files against GitLab's CI/CD JSON schema (draft-07), as GitLab's
// own editor does. usage: node validate-gitlab-ci.mjs SCHEMA FILE...
// Prints "ok FILE" or "invalid FILE" with each error's path and message; exits 1 on any error.
import { readFileSync } from "node:fs";
import Ajv from "ajv";
import addFormats from "ajv-formats";
import yaml from "js-yaml";

// GitLab's `!reference [job, key]` tag: kept as the plain sequence, which is how GitLab's schema
// describes it (a rule, script line or variable that is an array of strings).
const GITLAB_SCHEMA = yaml.DEFAULT_SCHEMA.extend([new yaml.Type("!reference", { kind: "sequence", construct: (data) => data })]);

const [schemaPath, ...files] = process.argv.slice(2);
const ajv = new Ajv({ strict: false, allErrors: true });
addFormats(ajv);
const validate = ajv.compile(JSON.parse(readFileSync(schemaPath, "utf8")));
let failed = 0;
for (const file of files) {
  let doc;
  try {
    doc = yaml.load(readFileSync(file, "utf8"), { schema: GITLAB_SCHEMA }) ?? {};
  } catch (e) {
    console.log(`invalid ${file}: ${e.message}`);
    failed++;
    continue;
  }
  if (validate(doc)) {
    console.log(`ok ${file}`);
  } else {
    failed++;
    console.log(`invalid ${file}`);
    for (const err of validate.errors) console.log(`  ${err.instancePath || "/"} ${err.message} ${JSON.stringify(err.params)}`);
  }
}
process.exit(failed ? 1 : 0);
