// Accounts, through the AWS SDK for JavaScript (v3, or v2: harness.mjs): one
// test per operation.

import assert from "node:assert/strict";

import {
  AWS_ACCOUNT_ID, UNKNOWN, call, client, collect, createAccount, createEnterpriseAccount, createUser, op, rejects, sdk, unique,
} from "../harness.mjs";

op("CreateAccount", async () => {
  const name = unique("create");
  const { Account: account } = await call("CreateAccount", { Name: name });
  assert.equal(account.Name, name);
  assert.equal(account.AwsAccountId, AWS_ACCOUNT_ID);
  assert.equal(account.AccountType, "Team");
  assert.equal(account.AccountStatus, "Active");
  assert.equal(account.DefaultLicense, "Pro");
  assert.deepEqual([...account.SupportedLicenses].sort(), ["Basic", "Pro"]);
  // The SDK parsed the ISO 8601 timestamp into a Date.
  assert.ok(account.CreatedTimestamp instanceof Date && !isNaN(account.CreatedTimestamp));
  const err = await rejects(call("CreateAccount", { Name: "   " }), sdk.BadRequestException);
  assert.match(err.message, /Name/);
});

op("GetAccount", async () => {
  const created = await createAccount("get");
  const { Account: got } = await call("GetAccount", { AccountId: created.AccountId });
  assert.deepEqual(got, created);
  await rejects(call("GetAccount", { AccountId: UNKNOWN }), sdk.NotFoundException);
});

op("ListAccounts", async () => {
  const prefix = unique("list");
  const ids = [];
  for (let i = 0; i < 3; i++) ids.push((await call("CreateAccount", { Name: `${prefix}-${i}` })).Account.AccountId);
  // The SDK's own paginator follows NextToken, one account a page.
  const { items, pages } = await collect(
    sdk.paginateListAccounts({ client, pageSize: 1 }, { Name: prefix }),
    "Accounts",
  );
  assert.ok(pages >= 3, `${pages} pages`);
  assert.deepEqual(items.map((a) => a.AccountId).sort(), ids.sort());
  const user = await createUser(ids[1], "member");
  const { Accounts: found } = await call("ListAccounts", { UserEmail: user.PrimaryEmail });
  assert.deepEqual(found.map((a) => a.AccountId), [ids[1]]);
  const err = await rejects(call("ListAccounts", { NextToken: "not-a-token" }), sdk.BadRequestException);
  assert.match(err.message, /NextToken/);
});

op("UpdateAccount", async () => {
  const account = await createAccount("update");
  const name = unique("renamed");
  const { Account: updated } = await call("UpdateAccount", { AccountId: account.AccountId, Name: name, DefaultLicense: "Basic" });
  assert.equal(updated.Name, name);
  assert.equal(updated.DefaultLicense, "Basic");
  // A Team account supports Basic and Pro only.
  await rejects(call("UpdateAccount", { AccountId: account.AccountId, DefaultLicense: "Plus" }), sdk.BadRequestException);
});

op("DeleteAccount", async () => {
  const account = await createAccount("delete");
  const user = await createUser(account.AccountId, "blocker");
  // A Team account's users must be suspended (removed) first.
  await rejects(call("DeleteAccount", { AccountId: account.AccountId }), sdk.UnprocessableEntityException);
  await call("BatchSuspendUser", { AccountId: account.AccountId, UserIdList: [user.UserId] });
  const out = await call("DeleteAccount", { AccountId: account.AccountId });
  assert.equal(out.$metadata.httpStatusCode, 204);
  const { Accounts: listed = [] } = await call("ListAccounts", { Name: account.Name });
  assert.deepEqual(listed, []);
  const { Account: got } = await call("GetAccount", { AccountId: account.AccountId });
  assert.equal(got.AccountStatus, "Suspended");
  await rejects(call("DeleteAccount", { AccountId: account.AccountId }), sdk.NotFoundException);
});

op("GetAccountSettings", async () => {
  const account = await createAccount("settings");
  const { AccountSettings: settings } = await call("GetAccountSettings", { AccountId: account.AccountId });
  assert.equal(typeof settings.DisableRemoteControl, "boolean");
  assert.equal(typeof settings.EnableDialOut, "boolean");
  await rejects(call("GetAccountSettings", { AccountId: UNKNOWN }), sdk.NotFoundException);
});

op("UpdateAccountSettings", async () => {
  const account = await createAccount("settings");
  const { AccountSettings: before } = await call("GetAccountSettings", { AccountId: account.AccountId });
  const out = await call("UpdateAccountSettings", {
    AccountId: account.AccountId,
    AccountSettings: { EnableDialOut: !before.EnableDialOut },
  });
  assert.equal(out.$metadata.httpStatusCode, 204);
  const { AccountSettings: after } = await call("GetAccountSettings", { AccountId: account.AccountId });
  assert.equal(after.EnableDialOut, !before.EnableDialOut);
  assert.equal(after.DisableRemoteControl, before.DisableRemoteControl);
});

op("AssociateSigninDelegateGroupsWithAccount", async () => {
  const { account } = await createEnterpriseAccount("EnterpriseDirectory");
  await call("AssociateSigninDelegateGroupsWithAccount", {
    AccountId: account.AccountId,
    SigninDelegateGroups: [{ GroupName: "engineering" }],
  });
  const { Account: got } = await call("GetAccount", { AccountId: account.AccountId });
  assert.deepEqual(got.SigninDelegateGroups, [{ GroupName: "engineering" }]);
  // Delegate groups are Active Directory groups: a Team account has none.
  const team = await createAccount("team");
  await rejects(
    call("AssociateSigninDelegateGroupsWithAccount", { AccountId: team.AccountId, SigninDelegateGroups: [{ GroupName: "x" }] }),
    sdk.ForbiddenException,
  );
});

op("DisassociateSigninDelegateGroupsFromAccount", async () => {
  const { account } = await createEnterpriseAccount("EnterpriseDirectory");
  await call("AssociateSigninDelegateGroupsWithAccount", {
    AccountId: account.AccountId,
    SigninDelegateGroups: [{ GroupName: "a" }, { GroupName: "b" }],
  });
  await call("DisassociateSigninDelegateGroupsFromAccount", { AccountId: account.AccountId, GroupNames: ["a"] });
  const { Account: got } = await call("GetAccount", { AccountId: account.AccountId });
  assert.deepEqual(got.SigninDelegateGroups, [{ GroupName: "b" }]);
  await rejects(
    call("DisassociateSigninDelegateGroupsFromAccount", { AccountId: UNKNOWN, GroupNames: ["a"] }),
    sdk.NotFoundException,
  );
});
