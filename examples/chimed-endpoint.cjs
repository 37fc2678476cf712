// Sends the Chime clients of an unchanged script written with the AWS SDK for
// JavaScript v2 (the `aws-sdk` package) to chimed. v2 reads no endpoint from
// the environment or ~/.aws/config (v3 reads AWS_ENDPOINT_URL_CHIME), so this
// sets it in the SDK's global configuration before the script runs:
//
//   CHIMED_ENDPOINT=http://127.0.0.1:8080 node --require ./chimed-endpoint.cjs script.js
//
// It loads the aws-sdk the script itself would: the one installed for the
// working directory.
const { createRequire } = require("node:module");

const endpoint = process.env.CHIMED_ENDPOINT;
if (!endpoint) throw new Error("chimed-endpoint.cjs: set CHIMED_ENDPOINT, e.g. http://127.0.0.1:8080");
const AWS = createRequire(`${process.cwd()}/`)("aws-sdk");
AWS.config.update({ chime: { endpoint } });
