// The AWS SDK for JavaScript v2 (the `aws-sdk` package, unsupported since
// 2025 but what many Chime bots and scripts in Lambda were written with),
// given the few shapes of v3 that the tests use, so that the same tests run
// through it (CHIMED_JS_SDK=v2):
//   - call(operation, input) sends the v2 method of that name and adds
//     $metadata.httpStatusCode to its output, as v3 outputs have;
//   - sdk.paginateListUsers(...) and the others walk the pages with v2's own
//     pagination (Response.nextPage, from the SDK's paginator definitions);
//   - sdk.NotFoundException and the other error classes stand for what a v2
//     user sees of that error: its HTTP status and its code. v2 takes the
//     code from the body's Code member when there is one, so a Chime
//     NotFoundException reaches a v2 user as code "NotFound", as it did from
//     AWS.

import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
// v2 prints a notice that it is in maintenance on load.
process.env.AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE = "1";
const AWS = require("aws-sdk");

const model = JSON.parse(readFileSync(new URL("../../api/chime-2018-05-01.model.json", import.meta.url)));

// The ErrorCode value each exception of the model carries in its body's
// Code member: what v2 users compared err.code with.
const codes = {
  AccessDeniedException: "AccessDenied",
  BadRequestException: "BadRequest",
  ConflictException: "Conflict",
  ForbiddenException: "Forbidden",
  NotFoundException: "NotFound",
  ResourceLimitExceededException: "ResourceLimitExceeded",
  ServiceFailureException: "ServiceFailure",
  ServiceUnavailableException: "ServiceUnavailable",
  ThrottledClientException: "Throttled",
  UnauthorizedClientException: "Unauthorized",
  UnprocessableEntityException: "Unprocessable",
};

// ErrorClass describes one modelled error as v2 reports it.
class ErrorClass {
  constructor(name) {
    const shape = model.shapes[name];
    if (!shape?.error || !codes[name]) throw new Error(`no modelled error ${name}`);
    this.name = name;
    this.code = codes[name];
    this.status = shape.error.httpStatusCode;
  }

  // check throws unless err is this error as v2 reports it.
  check(err) {
    if (err.code !== this.code || err.statusCode !== this.status) {
      throw new Error(`want ${this.name} (code ${this.code}, HTTP ${this.status}), got code ${err.code}, HTTP ${err.statusCode}: ${err.message}`);
    }
  }
}

const methodName = (operation) => operation[0].toLowerCase() + operation.slice(1);

// makeClient returns the v2 client, call and sdk, and reports each
// response's HTTP status to onStatus.
export function makeClient({ region, endpoint, credentials }, onStatus) {
  const client = new AWS.Chime({
    region,
    endpoint,
    credentials: new AWS.Credentials(credentials.accessKeyId, credentials.secretAccessKey),
    maxRetries: 0,
  });
  // send runs one v2 request and resolves with its AWS.Response.
  const send = (request, operation) =>
    new Promise((resolve, reject) => {
      request.on("complete", (response) => {
        onStatus(operation, response.httpResponse.statusCode);
        response.error ? reject(response.error) : resolve(response);
      });
      request.send();
    });
  const withStatus = (response) => ({ ...response.data, $metadata: { httpStatusCode: response.httpResponse.statusCode } });
  const call = async (operation, input = {}) => withStatus(await send(client[methodName(operation)](input), operation));

  // paginate walks every page of operation through v2's own pagination.
  async function* paginate(operation, { pageSize }, input) {
    const paginator = client.api.paginators[operation];
    if (!paginator?.limitKey) throw new Error(`aws-sdk has no paginator for ${operation}`);
    let request = client[methodName(operation)]({ ...input, [paginator.limitKey]: pageSize });
    while (request) {
      const response = await send(request, operation);
      yield response.data;
      request = response.hasNextPage() ? response.nextPage() : null;
    }
  }

  const sdk = new Proxy(
    {},
    {
      get(_, name) {
        if (typeof name !== "string") return undefined;
        if (name.startsWith("paginate")) return (config, input) => paginate(name.slice("paginate".length), config, input);
        if (name.endsWith("Exception")) return new ErrorClass(name);
        return undefined;
      },
    },
  );
  return { client, call, sdk };
}
