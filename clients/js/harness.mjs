// What every test file of the JavaScript suite shares: the Chime client of the
// AWS SDK for JavaScript v3 (or, with CHIMED_JS_SDK=v2, of v2: sdkv2.mjs), the
// server's /_chimed/ extension endpoints (signed with v3's SigV4 signer), and
// `op`, which declares the test of one operation.
//
// The server is named by CHIMED_ENDPOINT (clients/run.sh starts one and sets
// it); the access key by CHIMED_ACCESS_KEY_ID / CHIMED_SECRET_ACCESS_KEY, the
// AWS account it acts for by CHIMED_AWS_ACCOUNT_ID.

import { randomUUID } from "node:crypto";
import { test } from "node:test";

import * as sdkV3 from "@aws-sdk/client-chime";
import { Sha256 } from "@smithy/core/checksum";
import { SignatureV4 } from "@smithy/signature-v4";

export const ENDPOINT = process.env.CHIMED_ENDPOINT ?? "http://127.0.0.1:8080";
export const AWS_ACCOUNT_ID = process.env.CHIMED_AWS_ACCOUNT_ID ?? "000000000000";
const credentials = {
  accessKeyId: process.env.CHIMED_ACCESS_KEY_ID ?? "test",
  secretAccessKey: process.env.CHIMED_SECRET_ACCESS_KEY ?? "test",
};
const region = "us-east-1";

// Names and emails carry this run's tag, so that runs can share a server.
export const RUN = randomUUID().slice(0, 8);
export const UNKNOWN = "00000000-0000-4000-8000-000000000000";

// Every 5xx answer fails the test that got it, whatever it expected, except
// 503: the modelled ServiceUnavailableException (e.g. dial-out without a SIP
// trunk).
const serverFailures = [];
const failed = (status) => status >= 500 && status !== 503;

// The pinned SDK supports the Node 20 of this project's machines; its notice
// about later SDK versions needing Node 22 is not a finding of this suite.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";

const watch = (operation, status) => {
  if (failed(status)) serverFailures.push(`${operation}: HTTP ${status}`);
};

const SDK_MAJOR = process.env.CHIMED_JS_SDK ?? "v3";
if (SDK_MAJOR !== "v3" && SDK_MAJOR !== "v2") throw new Error(`CHIMED_JS_SDK=${SDK_MAJOR}: v3 or v2`);

// client, call (sends one command by operation name: call("CreateAccount",
// {...})) and sdk (the error classes and paginators) of the SDK under test.
export const { client, call, sdk } =
  SDK_MAJOR === "v2"
    ? (await import("./sdkv2.mjs")).makeClient({ region, endpoint: ENDPOINT, credentials }, watch)
    : v3Client();

function v3Client() {
  const client = new sdkV3.ChimeClient({ region, endpoint: ENDPOINT, credentials, maxAttempts: 1 });
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args);
      watch(context.commandName, result.response.statusCode);
      return result;
    },
    // Inside the deserializer: it sees the raw response, errors included.
    { step: "deserialize", priority: "low", name: "chimedServerFailureWatch" },
  );
  const call = (operation, input = {}) => client.send(new sdkV3[`${operation}Command`](input));
  return { client, call, sdk: sdkV3 };
}

// op declares the test of one operation; the reporter reads its name.
export function op(name, fn) {
  test(name, async (t) => {
    const before = serverFailures.length;
    await fn(t);
    if (serverFailures.length > before) {
      throw new Error(`the server failed: ${serverFailures.slice(before).join("; ")}`);
    }
  });
}

// rejects asserts that a call fails with the SDK's modelled exception class,
// e.g. sdk.NotFoundException, and returns the error.
export async function rejects(promise, errorClass) {
  try {
    await promise;
  } catch (err) {
    if (SDK_MAJOR === "v2") {
      errorClass.check(err);
      return err;
    }
    if (!(err instanceof errorClass)) {
      throw new Error(`want ${errorClass.name}, got ${err.name}: ${err.message}`);
    }
    if (err.name !== errorClass.name) {
      throw new Error(`error name ${err.name} is not ${errorClass.name}`);
    }
    return err;
  }
  throw new Error(`want ${errorClass.name}, got a success`);
}

export const unique = (name) => `${name}-${RUN}-${randomUUID().slice(0, 6)}`;
export const email = (name) => `${unique(name)}@example.com`;

// extension calls a /_chimed/ endpoint, signed with SigV4 for service chime
// as the API is. Returns { status, body }.
export async function extension(method, path, body) {
  const url = new URL(ENDPOINT + path);
  const payload = body === undefined ? undefined : JSON.stringify(body);
  const query = Object.fromEntries(url.searchParams);
  const request = {
    method,
    protocol: url.protocol,
    hostname: url.hostname,
    port: url.port ? Number(url.port) : undefined,
    path: url.pathname,
    query,
    headers: { host: url.host, ...(payload ? { "content-type": "application/json" } : {}) },
    body: payload,
  };
  const signer = new SignatureV4({ credentials, region, service: "chime", sha256: Sha256 });
  const signed = await signer.sign(request);
  const resp = await fetch(url, { method, headers: signed.headers, body: payload });
  const text = await resp.text();
  if (failed(resp.status)) {
    serverFailures.push(`${method} ${path}: HTTP ${resp.status} ${text.slice(0, 200)}`);
  }
  return { status: resp.status, body: text ? JSON.parse(text) : undefined };
}

// postURL POSTs JSON to a full URL without signing it (a webhook's URL
// carries its own token).
export async function postURL(url, body) {
  const resp = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  const text = await resp.text();
  return { status: resp.status, body: text ? JSON.parse(text) : undefined };
}

export async function createAccount(name = "account") {
  return (await call("CreateAccount", { Name: unique(name) })).Account;
}

// createEnterpriseAccount makes an Enterprise account as the Chime console
// did: a new account claims a domain (the /_chimed/ extension).
export async function createEnterpriseAccount(accountType = "EnterpriseLWA") {
  const account = await createAccount("enterprise");
  const domain = `${RUN}-${randomUUID().slice(0, 6)}.example.com`;
  const { status, body } = await extension("POST", `/_chimed/accounts/${account.AccountId}/domains`, {
    Domain: domain,
    AccountType: accountType,
  });
  if (status !== 201) throw new Error(`claim domain ${domain}: HTTP ${status} ${JSON.stringify(body)}`);
  return { account: body.Account, domain };
}

export async function createUser(accountId, name = "user", extra = {}) {
  return (await call("CreateUser", { AccountId: accountId, Email: email(name), Username: unique(name), ...extra })).User;
}

// waitUntil calls fetch until done(result) or the timeout; returns the result.
export async function waitUntil(what, fetch, done, timeoutMs = 30000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const result = await fetch();
    if (done(result)) return result;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(result)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

// collect gathers every item of every page of an SDK paginator.
export async function collect(paginator, key) {
  const items = [];
  let pages = 0;
  for await (const page of paginator) {
    items.push(...(page[key] ?? []));
    pages++;
  }
  return { items, pages };
}

