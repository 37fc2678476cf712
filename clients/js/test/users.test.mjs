// Users, through the AWS SDK for JavaScript (v3, or v2: harness.mjs): one test
// per operation.

import assert from "node:assert/strict";
import { before } from "node:test";

import {
  UNKNOWN, call, client, collect, createAccount, createEnterpriseAccount, createUser, email, op, rejects, sdk, unique,
} from "../harness.mjs";

let accountId;
before(async () => {
  accountId = (await createAccount("users")).AccountId;
});

op("CreateUser", async () => {
  const address = email("create");
  const name = unique("create");
  const { User: user } = await call("CreateUser", { AccountId: accountId, Email: address, Username: name, UserType: "SharedDevice" });
  assert.equal(user.AccountId, accountId);
  assert.equal(user.PrimaryEmail, address);
  assert.equal(user.DisplayName, name);
  assert.equal(user.UserType, "SharedDevice");
  assert.equal(user.LicenseType, "Pro");
  assert.equal(user.UserRegistrationStatus, "Registered");
  assert.ok(user.RegisteredOn instanceof Date);
  // An email is one person across the AWS account: a second is a conflict.
  await rejects(call("CreateUser", { AccountId: accountId, Email: address.toUpperCase() }), sdk.ConflictException);
  await rejects(call("CreateUser", { AccountId: UNKNOWN, Email: email("x") }), sdk.NotFoundException);
});

op("GetUser", async () => {
  const created = await createUser(accountId, "get");
  const { User: got } = await call("GetUser", { AccountId: accountId, UserId: created.UserId });
  assert.deepEqual(got, created);
  await rejects(call("GetUser", { AccountId: accountId, UserId: UNKNOWN }), sdk.NotFoundException);
});

op("ListUsers", async () => {
  const account = (await createAccount("list-users")).AccountId;
  const ids = [];
  for (let i = 0; i < 3; i++) ids.push((await createUser(account, `list${i}`)).UserId);
  const device = await createUser(account, "device", { UserType: "SharedDevice" });
  // The SDK's paginator, one user a page.
  const { items, pages } = await collect(sdk.paginateListUsers({ client, pageSize: 1 }, { AccountId: account }), "Users");
  assert.ok(pages >= 4, `${pages} pages`);
  assert.deepEqual(items.map((u) => u.UserId).sort(), [...ids, device.UserId].sort());
  const { Users: byType } = await call("ListUsers", { AccountId: account, UserType: "SharedDevice" });
  assert.deepEqual(byType.map((u) => u.UserId), [device.UserId]);
  const { Users: byEmail } = await call("ListUsers", { AccountId: account, UserEmail: device.PrimaryEmail });
  assert.deepEqual(byEmail.map((u) => u.UserId), [device.UserId]);
  await rejects(call("ListUsers", { AccountId: UNKNOWN }), sdk.NotFoundException);
});

op("UpdateUser", async () => {
  const user = await createUser(accountId, "update");
  const { User: updated } = await call("UpdateUser", { AccountId: accountId, UserId: user.UserId, LicenseType: "Basic", UserType: "SharedDevice" });
  assert.equal(updated.LicenseType, "Basic");
  assert.equal(updated.UserType, "SharedDevice");
  await rejects(call("UpdateUser", { AccountId: accountId, UserId: user.UserId, LicenseType: "Plus" }), sdk.BadRequestException);
  await rejects(call("UpdateUser", { AccountId: accountId, UserId: UNKNOWN, LicenseType: "Basic" }), sdk.NotFoundException);
});

op("BatchUpdateUser", async () => {
  const user = await createUser(accountId, "batch-update");
  const out = await call("BatchUpdateUser", {
    AccountId: accountId,
    UpdateUserRequestItems: [
      { UserId: user.UserId, LicenseType: "Basic" },
      { UserId: UNKNOWN, LicenseType: "Basic" },
    ],
  });
  assert.deepEqual(out.UserErrors.map((e) => [e.UserId, e.ErrorCode]), [[UNKNOWN, "NotFound"]]);
  const { User: got } = await call("GetUser", { AccountId: accountId, UserId: user.UserId });
  assert.equal(got.LicenseType, "Basic");
});

op("InviteUsers", async () => {
  const account = (await createAccount("invite")).AccountId;
  const address = email("invitee");
  const { Invites: invites } = await call("InviteUsers", { AccountId: account, UserEmailList: [address] });
  assert.equal(invites.length, 1);
  assert.equal(invites[0].EmailAddress, address);
  assert.equal(invites[0].Status, "Pending");
  assert.ok(["NotSent", "Sent", "Failed"].includes(invites[0].EmailStatus));
  const { Users: users } = await call("ListUsers", { AccountId: account, UserEmail: address });
  assert.equal(users.length, 1);
  assert.equal(users[0].UserInvitationStatus, "Pending");
  assert.equal(users[0].UserRegistrationStatus, "Unregistered");
  const { account: enterprise } = await createEnterpriseAccount();
  await rejects(call("InviteUsers", { AccountId: enterprise.AccountId, UserEmailList: [email("x")] }), sdk.ForbiddenException);
});

op("BatchSuspendUser", async () => {
  const account = (await createAccount("suspend")).AccountId;
  const user = await createUser(account, "suspend");
  const out = await call("BatchSuspendUser", { AccountId: account, UserIdList: [user.UserId, UNKNOWN] });
  assert.deepEqual(out.UserErrors.map((e) => [e.UserId, e.ErrorCode]), [[UNKNOWN, "NotFound"]]);
  // Suspending a Team account's user removes it from the account.
  await rejects(call("GetUser", { AccountId: account, UserId: user.UserId }), sdk.NotFoundException);
});

op("BatchUnsuspendUser", async () => {
  const { account } = await createEnterpriseAccount("EnterpriseLWA");
  const user = await createUser(account.AccountId, "unsuspend");
  await call("BatchSuspendUser", { AccountId: account.AccountId, UserIdList: [user.UserId] });
  let { User: got } = await call("GetUser", { AccountId: account.AccountId, UserId: user.UserId });
  assert.equal(got.UserRegistrationStatus, "Suspended");
  const out = await call("BatchUnsuspendUser", { AccountId: account.AccountId, UserIdList: [user.UserId] });
  assert.deepEqual(out.UserErrors ?? [], []);
  ({ User: got } = await call("GetUser", { AccountId: account.AccountId, UserId: user.UserId }));
  assert.equal(got.UserRegistrationStatus, "Registered");
  await rejects(call("BatchUnsuspendUser", { AccountId: accountId, UserIdList: [UNKNOWN] }), sdk.ForbiddenException);
});

op("ResetPersonalPIN", async () => {
  const user = await createUser(accountId, "pin");
  const { User: reset } = await call("ResetPersonalPIN", { AccountId: accountId, UserId: user.UserId });
  assert.match(reset.PersonalPIN, /^[0-9]+$/);
  assert.notEqual(reset.PersonalPIN, user.PersonalPIN);
  const { User: got } = await call("GetUser", { AccountId: accountId, UserId: user.UserId });
  assert.equal(got.PersonalPIN, reset.PersonalPIN);
  await rejects(call("ResetPersonalPIN", { AccountId: accountId, UserId: UNKNOWN }), sdk.NotFoundException);
});

op("LogoutUser", async () => {
  const user = await createUser(accountId, "logout");
  const out = await call("LogoutUser", { AccountId: accountId, UserId: user.UserId });
  assert.equal(out.$metadata.httpStatusCode, 204);
  await rejects(call("LogoutUser", { AccountId: accountId, UserId: UNKNOWN }), sdk.NotFoundException);
});

op("GetUserSettings", async () => {
  const user = await createUser(accountId, "settings");
  const { UserSettings: settings } = await call("GetUserSettings", { AccountId: accountId, UserId: user.UserId });
  assert.deepEqual(Object.keys(settings.Telephony).sort(), ["InboundCalling", "OutboundCalling", "SMS"]);
  assert.ok(Object.values(settings.Telephony).every((v) => typeof v === "boolean"));
  await rejects(call("GetUserSettings", { AccountId: accountId, UserId: UNKNOWN }), sdk.NotFoundException);
});

op("UpdateUserSettings", async () => {
  const user = await createUser(accountId, "settings");
  const wanted = { InboundCalling: false, OutboundCalling: true, SMS: false };
  const out = await call("UpdateUserSettings", { AccountId: accountId, UserId: user.UserId, UserSettings: { Telephony: wanted } });
  assert.equal(out.$metadata.httpStatusCode, 204);
  const { UserSettings: got } = await call("GetUserSettings", { AccountId: accountId, UserId: user.UserId });
  assert.deepEqual(got.Telephony, wanted);
});
