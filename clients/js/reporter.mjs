// A node:test reporter that reports the suite per operation of the service
// model: one line per operation (pass when its test, named after it, passed)
// and a final "N passed, N failed". Failures are explained above the table.

import { readFileSync } from "node:fs";

const model = JSON.parse(readFileSync(new URL("../../api/chime-2018-05-01.model.json", import.meta.url)));
const operations = Object.keys(model.operations).sort();

export default async function* reporter(source) {
  const outcomes = new Map();
  const problems = [];
  for await (const event of source) {
    const { type, data } = event;
    if (type === "test:pass" && !data.skip && !data.todo) {
      outcomes.set(data.name, "pass");
    } else if (type === "test:fail") {
      outcomes.set(data.name, "FAIL");
      const cause = data.details?.error?.cause ?? data.details?.error;
      problems.push(`${data.name}: ${cause?.message ?? cause}`);
    } else if (type === "test:pass") {
      outcomes.set(data.name, "FAIL (skipped)");
    } else if (type === "test:stderr" || type === "test:stdout") {
      yield data.message;
    }
  }
  for (const p of problems) yield `failure: ${p}\n`;
  const sdkPackage = process.env.CHIMED_JS_SDK === "v2" ? "aws-sdk" : "@aws-sdk/client-chime";
  const sdkVersion = JSON.parse(readFileSync(new URL(`./node_modules/${sdkPackage}/package.json`, import.meta.url))).version;
  yield `\n${sdkPackage} ${sdkVersion} / node ${process.version}\n`;
  let passed = 0;
  let failed = 0;
  for (const name of operations) {
    const outcome = outcomes.get(name) ?? "FAIL (no test)";
    outcome === "pass" ? passed++ : failed++;
    yield `${name.padEnd(46)} ${outcome}\n`;
  }
  // A test not named after an operation (a file that failed to load, a
  // hook) fails the run too.
  for (const [name, outcome] of outcomes) {
    if (!model.operations[name] && outcome !== "pass") {
      failed++;
      yield `${name.padEnd(46)} ${outcome} (not an operation)\n`;
    }
  }
  yield `${passed} passed, ${failed} failed\n`;
}
