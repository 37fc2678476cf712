// Phone numbers, orders, settings and meeting dial-out, through the AWS SDK for
// JavaScript (v3, or v2: harness.mjs): one test per operation. Numbers come the
// way a customer got them: search, order, wait until the order is Successful.

import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { before } from "node:test";

import {
  call, client, collect, createAccount, createUser, extension, op, rejects, sdk, unique, waitUntil,
} from "../harness.mjs";

const UNKNOWN_ORDER = "00000000-0000-4000-8000-000000000000";
const UNKNOWN_NUMBER = "+19995550100";
const UNKNOWN_USER = "00000000-0000-4000-8000-000000000000";

const search = async (filters) => (await call("SearchAvailablePhoneNumbers", filters)).E164PhoneNumbers;
const waitForOrder = (id) =>
  waitUntil(
    `order ${id}`,
    async () => (await call("GetPhoneNumberOrder", { PhoneNumberOrderId: id })).PhoneNumberOrder,
    (order) => order.Status !== "Processing",
  );

let orderId;
const pool = [];
// number is a number of the inventory, Unassigned, for one test alone.
const number = () => pool.pop();

before(async () => {
  const numbers = await search({ AreaCode: "206", MaxResults: 12 });
  const { PhoneNumberOrder: order } = await call("CreatePhoneNumberOrder", { ProductType: "BusinessCalling", E164PhoneNumbers: numbers });
  orderId = order.PhoneNumberOrderId;
  const done = await waitForOrder(orderId);
  if (done.Status !== "Successful") throw new Error(`the setup order ended ${done.Status}`);
  pool.push(...numbers);
});

op("ListSupportedPhoneNumberCountries", async () => {
  const { PhoneNumberCountries: countries } = await call("ListSupportedPhoneNumberCountries", { ProductType: "BusinessCalling" });
  // Toll-free numbers cannot be Business Calling ones.
  assert.deepEqual(countries.find((c) => c.CountryCode === "US").SupportedPhoneNumberTypes, ["Local"]);
  const { PhoneNumberCountries: voice } = await call("ListSupportedPhoneNumberCountries", { ProductType: "VoiceConnector" });
  assert.deepEqual([...voice.find((c) => c.CountryCode === "US").SupportedPhoneNumberTypes].sort(), ["Local", "TollFree"]);
  const { PhoneNumberCountries: dialIn } = await call("ListSupportedPhoneNumberCountries", { ProductType: "SipMediaApplicationDialIn" });
  assert.ok(dialIn.length > 1);
  await rejects(call("ListSupportedPhoneNumberCountries", { ProductType: "Fax" }), sdk.BadRequestException);
});

op("SearchAvailablePhoneNumbers", async () => {
  const local = await search({ AreaCode: "206", MaxResults: 3 });
  assert.equal(local.length, 3);
  assert.ok(local.every((n) => n.startsWith("+1206")), local.join());
  // The SDK's paginator over toll-free numbers, two a page, for three pages.
  const pages = [];
  for await (const page of sdk.paginateSearchAvailablePhoneNumbers({ client, pageSize: 2 }, { TollFreePrefix: "800" })) {
    pages.push(page.E164PhoneNumbers);
    if (pages.length === 3) break;
  }
  const tollFree = pages.flat();
  assert.equal(pages.length, 3);
  assert.equal(new Set(tollFree).size, 6, tollFree.join());
  assert.ok(tollFree.every((n) => n.startsWith("+1800")), tollFree.join());
  await rejects(call("SearchAvailablePhoneNumbers", { MaxResults: 1 }), sdk.BadRequestException);
});

op("CreatePhoneNumberOrder", async () => {
  const numbers = await search({ AreaCode: "425", MaxResults: 2 });
  const { PhoneNumberOrder: order } = await call("CreatePhoneNumberOrder", { ProductType: "BusinessCalling", E164PhoneNumbers: numbers });
  assert.equal(order.ProductType, "BusinessCalling");
  assert.equal(order.Status, "Processing");
  assert.deepEqual(order.OrderedPhoneNumbers.map((n) => n.E164PhoneNumber).sort(), [...numbers].sort());
  assert.ok(order.CreatedTimestamp instanceof Date);
  // Toll-free numbers cannot be Business Calling numbers: the order is
  // refused.
  const tollFree = await search({ TollFreePrefix: "888", MaxResults: 1 });
  await rejects(call("CreatePhoneNumberOrder", { ProductType: "BusinessCalling", E164PhoneNumbers: tollFree }), sdk.BadRequestException);
});

op("GetPhoneNumberOrder", async () => {
  const { PhoneNumberOrder: order } = await call("GetPhoneNumberOrder", { PhoneNumberOrderId: orderId });
  assert.equal(order.Status, "Successful");
  assert.ok(order.OrderedPhoneNumbers.every((n) => n.Status === "Acquired"));
  await rejects(call("GetPhoneNumberOrder", { PhoneNumberOrderId: UNKNOWN_ORDER }), sdk.NotFoundException);
});

op("ListPhoneNumberOrders", async () => {
  const { items } = await collect(sdk.paginateListPhoneNumberOrders({ client, pageSize: 1 }, {}), "PhoneNumberOrders");
  assert.ok(items.some((o) => o.PhoneNumberOrderId === orderId));
});

op("GetPhoneNumber", async () => {
  const e164 = number();
  const { PhoneNumber: n } = await call("GetPhoneNumber", { PhoneNumberId: e164 });
  assert.equal(n.PhoneNumberId, e164);
  assert.equal(n.E164PhoneNumber, e164);
  assert.equal(n.Status, "Unassigned");
  assert.equal(n.ProductType, "BusinessCalling");
  assert.equal(n.Type, "Local");
  assert.equal(n.Country, "US");
  assert.equal(n.Capabilities.OutboundCall, true);
  await rejects(call("GetPhoneNumber", { PhoneNumberId: UNKNOWN_NUMBER }), sdk.NotFoundException);
});

op("ListPhoneNumbers", async () => {
  const { items } = await collect(
    sdk.paginateListPhoneNumbers({ client, pageSize: 2 }, { Status: "Unassigned", ProductType: "BusinessCalling" }),
    "PhoneNumbers",
  );
  const listed = new Set(items.map((n) => n.PhoneNumberId));
  assert.ok(pool.every((n) => listed.has(n)), `${pool} not all in ${[...listed]}`);
  assert.ok(items.every((n) => n.Status === "Unassigned"));
});

op("UpdatePhoneNumber", async () => {
  const e164 = number();
  const { PhoneNumber: n } = await call("UpdatePhoneNumber", { PhoneNumberId: e164, CallingName: "Chimed JS" });
  assert.equal(n.CallingName, "Chimed JS");
  assert.equal(n.CallingNameStatus, "UpdateInProgress");
  // A pending change must complete before the next.
  await rejects(call("UpdatePhoneNumber", { PhoneNumberId: e164, CallingName: "Another Name" }), sdk.ConflictException);
  // One attribute at a time.
  await rejects(
    call("UpdatePhoneNumber", { PhoneNumberId: number(), CallingName: "Name", ProductType: "BusinessCalling" }),
    sdk.BadRequestException,
  );
});

op("BatchUpdatePhoneNumber", async () => {
  const e164 = number();
  const out = await call("BatchUpdatePhoneNumber", {
    UpdatePhoneNumberRequestItems: [
      { PhoneNumberId: e164, CallingName: "Chimed Batch" },
      { PhoneNumberId: UNKNOWN_NUMBER, CallingName: "Chimed Batch" },
    ],
  });
  assert.deepEqual(out.PhoneNumberErrors.map((e) => [e.PhoneNumberId, e.ErrorCode]), [[UNKNOWN_NUMBER, "NotFound"]]);
  const { PhoneNumber: n } = await call("GetPhoneNumber", { PhoneNumberId: e164 });
  assert.equal(n.CallingName, "Chimed Batch");
});

op("DeletePhoneNumber", async () => {
  const e164 = number();
  const out = await call("DeletePhoneNumber", { PhoneNumberId: e164 });
  assert.equal(out.$metadata.httpStatusCode, 204);
  const { PhoneNumber: n } = await call("GetPhoneNumber", { PhoneNumberId: e164 });
  assert.equal(n.Status, "DeleteInProgress");
  assert.ok(n.DeletionTimestamp instanceof Date);
  await rejects(call("DeletePhoneNumber", { PhoneNumberId: UNKNOWN_NUMBER }), sdk.NotFoundException);
});

op("BatchDeletePhoneNumber", async () => {
  const e164 = number();
  const out = await call("BatchDeletePhoneNumber", { PhoneNumberIds: [e164, UNKNOWN_NUMBER] });
  assert.deepEqual(out.PhoneNumberErrors.map((e) => [e.PhoneNumberId, e.ErrorCode]), [[UNKNOWN_NUMBER, "NotFound"]]);
  const { PhoneNumber: n } = await call("GetPhoneNumber", { PhoneNumberId: e164 });
  assert.equal(n.Status, "DeleteInProgress");
});

op("RestorePhoneNumber", async () => {
  const e164 = number();
  await call("DeletePhoneNumber", { PhoneNumberId: e164 });
  const { PhoneNumber: n } = await call("RestorePhoneNumber", { PhoneNumberId: e164 });
  assert.equal(n.Status, "Unassigned");
  assert.equal(n.DeletionTimestamp, undefined);
  // Only a number in the deletion queue can be restored.
  await rejects(call("RestorePhoneNumber", { PhoneNumberId: e164 }), sdk.BadRequestException);
});

op("AssociatePhoneNumberWithUser", async () => {
  const accountId = (await createAccount("numbers")).AccountId;
  const user = await createUser(accountId, "caller");
  const e164 = number();
  await call("AssociatePhoneNumberWithUser", { AccountId: accountId, UserId: user.UserId, E164PhoneNumber: e164 });
  const { User: got } = await call("GetUser", { AccountId: accountId, UserId: user.UserId });
  assert.equal(got.PrimaryProvisionedNumber, e164);
  const { PhoneNumber: n } = await call("GetPhoneNumber", { PhoneNumberId: e164 });
  assert.equal(n.Status, "Assigned");
  assert.deepEqual(Object.fromEntries(n.Associations.map((a) => [a.Name, a.Value])), { AccountId: accountId, UserId: user.UserId });
  const { PhoneNumbers: byUser } = await call("ListPhoneNumbers", { FilterName: "UserId", FilterValue: user.UserId });
  assert.deepEqual(byUser.map((p) => p.PhoneNumberId), [e164]);
  // A number in use cannot be deleted.
  await rejects(call("DeletePhoneNumber", { PhoneNumberId: e164 }), sdk.BadRequestException);
  await rejects(
    call("AssociatePhoneNumberWithUser", { AccountId: accountId, UserId: user.UserId, E164PhoneNumber: UNKNOWN_NUMBER }),
    sdk.NotFoundException,
  );
});

op("DisassociatePhoneNumberFromUser", async () => {
  const accountId = (await createAccount("numbers")).AccountId;
  const user = await createUser(accountId, "caller");
  const e164 = number();
  await call("AssociatePhoneNumberWithUser", { AccountId: accountId, UserId: user.UserId, E164PhoneNumber: e164 });
  await call("DisassociatePhoneNumberFromUser", { AccountId: accountId, UserId: user.UserId });
  const { User: got } = await call("GetUser", { AccountId: accountId, UserId: user.UserId });
  assert.equal(got.PrimaryProvisionedNumber, undefined);
  const { PhoneNumber: n } = await call("GetPhoneNumber", { PhoneNumberId: e164 });
  assert.equal(n.Status, "Unassigned");
  // Again, as a retry would: the user has no number, as asked.
  await call("DisassociatePhoneNumberFromUser", { AccountId: accountId, UserId: user.UserId });
  await rejects(call("DisassociatePhoneNumberFromUser", { AccountId: accountId, UserId: UNKNOWN_USER }), sdk.NotFoundException);
});

op("GetPhoneNumberSettings", async () => {
  const out = await call("GetPhoneNumberSettings");
  assert.equal(out.$metadata.httpStatusCode, 200);
  if (out.CallingName !== undefined) assert.ok(out.CallingNameUpdatedTimestamp instanceof Date);
});

op("UpdatePhoneNumberSettings", async () => {
  const out = await call("UpdatePhoneNumberSettings", { CallingName: "Chimed JS" });
  assert.equal(out.$metadata.httpStatusCode, 204);
  const got = await call("GetPhoneNumberSettings");
  assert.equal(got.CallingName, "Chimed JS");
  assert.ok(got.CallingNameUpdatedTimestamp instanceof Date);
  // The default calling name may change once every 7 days.
  await rejects(call("UpdatePhoneNumberSettings", { CallingName: "Again" }), sdk.BadRequestException);
});

op("GetGlobalSettings", async () => {
  const out = await call("GetGlobalSettings");
  assert.equal(out.$metadata.httpStatusCode, 200);
  for (const key of ["BusinessCalling", "VoiceConnector"]) assert.equal(typeof (out[key] ?? {}), "object");
});

op("UpdateGlobalSettings", async () => {
  const bucket = unique("chimed-cdrs").toLowerCase();
  const out = await call("UpdateGlobalSettings", { BusinessCalling: { CdrBucket: bucket } });
  assert.equal(out.$metadata.httpStatusCode, 204);
  const got = await call("GetGlobalSettings");
  assert.equal(got.BusinessCalling.CdrBucket, bucket);
  await rejects(call("UpdateGlobalSettings", { VoiceConnector: { CdrBucket: "Not A Bucket!" } }), sdk.BadRequestException);
});

op("CreateMeetingDialOut", async () => {
  const meetingId = randomUUID();
  const [to] = await search({ AreaCode: "212", MaxResults: 1 });
  const joinToken = "am9pbi10b2tlbg";
  // The From number must be the caller's.
  await rejects(
    call("CreateMeetingDialOut", { MeetingId: meetingId, FromPhoneNumber: UNKNOWN_NUMBER, ToPhoneNumber: to, JoinToken: joinToken }),
    sdk.ForbiddenException,
  );
  const input = { MeetingId: meetingId, FromPhoneNumber: number(), ToPhoneNumber: to, JoinToken: joinToken };
  if (!process.env.CHIMED_SIP_TRUNK) {
    // No SIP trunk: the server says dial-out is not configured.
    await rejects(call("CreateMeetingDialOut", input), sdk.ForbiddenException);
    return;
  }
  const { TransactionId: id } = await call("CreateMeetingDialOut", input);
  assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  // The far end (clients/sipuas.py) answers: the call reaches "answered".
  const progress = await waitUntil(
    `dial-out ${id}`,
    () => extension("GET", `/_chimed/dial-outs/${id}`),
    (r) => r.status !== 200 || ["answered", "ended", "failed"].includes(r.body.DialOut.Status),
  );
  assert.equal(progress.status, 200);
  assert.ok(["answered", "ended"].includes(progress.body.DialOut.Status), JSON.stringify(progress.body));
});
