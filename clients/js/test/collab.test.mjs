// Chat rooms, memberships, bots, retention and redaction, through the AWS SDK
// for JavaScript (v3, or v2: harness.mjs): one test per operation. They exist
// only in Enterprise accounts (made by claiming a domain); messages reach rooms
// through an incoming webhook and conversations through the /_chimed/
// endpoints.

import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { before } from "node:test";

import {
  AWS_ACCOUNT_ID, RUN, UNKNOWN, call, client, collect, createAccount, createEnterpriseAccount, createUser, extension, op,
  postURL, rejects, sdk, unique,
} from "../harness.mjs";

const LAMBDA = `arn:aws:lambda:us-east-1:${AWS_ACCOUNT_ID}:function:chimed-bot`;

let accountId, domain, alice, bob, teamId;
before(async () => {
  let account;
  ({ account, domain } = await createEnterpriseAccount("EnterpriseLWA"));
  accountId = account.AccountId;
  alice = await createUser(accountId, "alice");
  bob = await createUser(accountId, "bob");
  teamId = (await createAccount("team")).AccountId;
});

const room = async (name = "room") => (await call("CreateRoom", { AccountId: accountId, Name: unique(name) })).Room;
const bot = async (name = "bot") =>
  (await call("CreateBot", { AccountId: accountId, DisplayName: `${name}-${randomUUID().slice(0, 8)}`, Domain: domain })).Bot;
const memberIds = (memberships) => memberships.map((m) => m.Member.MemberId).sort();

op("CreateRoom", async () => {
  const name = unique("create");
  const token = `token-${randomUUID()}`;
  const { Room: created } = await call("CreateRoom", { AccountId: accountId, Name: name, ClientRequestToken: token });
  assert.equal(created.AccountId, accountId);
  assert.equal(created.Name, name);
  assert.ok(created.CreatedBy.startsWith(`arn:aws:iam::${AWS_ACCOUNT_ID}:`), created.CreatedBy);
  assert.ok(created.CreatedTimestamp instanceof Date);
  // The same ClientRequestToken gives back the same room.
  const { Room: again } = await call("CreateRoom", { AccountId: accountId, Name: name, ClientRequestToken: token });
  assert.equal(again.RoomId, created.RoomId);
  // Chat rooms exist only in Enterprise accounts.
  await rejects(call("CreateRoom", { AccountId: teamId, Name: "x" }), sdk.ForbiddenException);
});

op("GetRoom", async () => {
  const created = await room("get");
  const { Room: got } = await call("GetRoom", { AccountId: accountId, RoomId: created.RoomId });
  assert.deepEqual(got, created);
  await rejects(call("GetRoom", { AccountId: accountId, RoomId: UNKNOWN }), sdk.NotFoundException);
});

op("UpdateRoom", async () => {
  const created = await room("update");
  const name = unique("renamed");
  const { Room: updated } = await call("UpdateRoom", { AccountId: accountId, RoomId: created.RoomId, Name: name });
  assert.equal(updated.Name, name);
  const { Room: got } = await call("GetRoom", { AccountId: accountId, RoomId: created.RoomId });
  assert.equal(got.Name, name);
});

op("DeleteRoom", async () => {
  const created = await room("delete");
  const out = await call("DeleteRoom", { AccountId: accountId, RoomId: created.RoomId });
  assert.equal(out.$metadata.httpStatusCode, 204);
  await rejects(call("GetRoom", { AccountId: accountId, RoomId: created.RoomId }), sdk.NotFoundException);
  await rejects(call("DeleteRoom", { AccountId: accountId, RoomId: created.RoomId }), sdk.NotFoundException);
});

op("ListRooms", async () => {
  const { account } = await createEnterpriseAccount();
  const ids = [];
  for (let i = 0; i < 3; i++) ids.push((await call("CreateRoom", { AccountId: account.AccountId, Name: unique(`list${i}`) })).Room.RoomId);
  const { items, pages } = await collect(sdk.paginateListRooms({ client, pageSize: 1 }, { AccountId: account.AccountId }), "Rooms");
  assert.deepEqual(items.map((r) => r.RoomId).sort(), [...ids].sort());
  assert.ok(pages >= 3, `${pages} pages`);
  // MemberId keeps the rooms a member is in.
  const user = await createUser(account.AccountId, "member");
  await call("CreateRoomMembership", { AccountId: account.AccountId, RoomId: ids[0], MemberId: user.UserId });
  const { Rooms: mine } = await call("ListRooms", { AccountId: account.AccountId, MemberId: user.UserId });
  assert.deepEqual(mine.map((r) => r.RoomId), [ids[0]]);
});

op("CreateRoomMembership", async () => {
  const created = await room("membership");
  const { RoomMembership: membership } = await call("CreateRoomMembership", {
    AccountId: accountId,
    RoomId: created.RoomId,
    MemberId: alice.UserId,
  });
  assert.equal(membership.RoomId, created.RoomId);
  assert.equal(membership.Role, "Member");
  assert.equal(membership.Member.MemberId, alice.UserId);
  assert.equal(membership.Member.MemberType, "User");
  assert.equal(membership.Member.Email, alice.PrimaryEmail);
  await rejects(call("CreateRoomMembership", { AccountId: accountId, RoomId: created.RoomId, MemberId: alice.UserId }), sdk.ConflictException);
  await rejects(call("CreateRoomMembership", { AccountId: accountId, RoomId: created.RoomId, MemberId: UNKNOWN }), sdk.NotFoundException);
  // A bot joins once its events have somewhere to go.
  const b = await bot();
  await rejects(call("CreateRoomMembership", { AccountId: accountId, RoomId: created.RoomId, MemberId: b.BotId }), sdk.BadRequestException);
  await call("PutEventsConfiguration", { AccountId: accountId, BotId: b.BotId, LambdaFunctionArn: LAMBDA });
  const { RoomMembership: joined } = await call("CreateRoomMembership", { AccountId: accountId, RoomId: created.RoomId, MemberId: b.BotId });
  assert.equal(joined.Member.MemberType, "Bot");
});

op("BatchCreateRoomMembership", async () => {
  const created = await room("batch");
  const out = await call("BatchCreateRoomMembership", {
    AccountId: accountId,
    RoomId: created.RoomId,
    MembershipItemList: [{ MemberId: alice.UserId, Role: "Administrator" }, { MemberId: bob.UserId }, { MemberId: UNKNOWN }],
  });
  assert.deepEqual(out.Errors.map((e) => [e.MemberId, e.ErrorCode]), [[UNKNOWN, "NotFound"]]);
  const { RoomMemberships: members } = await call("ListRoomMemberships", { AccountId: accountId, RoomId: created.RoomId });
  const roles = Object.fromEntries(members.map((m) => [m.Member.MemberId, m.Role]));
  assert.deepEqual(roles, { [alice.UserId]: "Administrator", [bob.UserId]: "Member" });
});

op("UpdateRoomMembership", async () => {
  const created = await room("update-membership");
  await call("CreateRoomMembership", { AccountId: accountId, RoomId: created.RoomId, MemberId: bob.UserId });
  const { RoomMembership: updated } = await call("UpdateRoomMembership", {
    AccountId: accountId,
    RoomId: created.RoomId,
    MemberId: bob.UserId,
    Role: "Administrator",
  });
  assert.equal(updated.Role, "Administrator");
  await rejects(
    call("UpdateRoomMembership", { AccountId: accountId, RoomId: created.RoomId, MemberId: alice.UserId, Role: "Member" }),
    sdk.NotFoundException,
  );
});

op("DeleteRoomMembership", async () => {
  const created = await room("delete-membership");
  await call("CreateRoomMembership", { AccountId: accountId, RoomId: created.RoomId, MemberId: bob.UserId });
  const out = await call("DeleteRoomMembership", { AccountId: accountId, RoomId: created.RoomId, MemberId: bob.UserId });
  assert.equal(out.$metadata.httpStatusCode, 204);
  const { RoomMemberships: members = [] } = await call("ListRoomMemberships", { AccountId: accountId, RoomId: created.RoomId });
  assert.deepEqual(members, []);
  await rejects(call("DeleteRoomMembership", { AccountId: accountId, RoomId: created.RoomId, MemberId: bob.UserId }), sdk.NotFoundException);
});

op("ListRoomMemberships", async () => {
  const created = await room("list-memberships");
  for (const user of [alice, bob]) {
    await call("CreateRoomMembership", { AccountId: accountId, RoomId: created.RoomId, MemberId: user.UserId });
  }
  const { items, pages } = await collect(
    sdk.paginateListRoomMemberships({ client, pageSize: 1 }, { AccountId: accountId, RoomId: created.RoomId }),
    "RoomMemberships",
  );
  assert.deepEqual(memberIds(items), [alice.UserId, bob.UserId].sort());
  assert.ok(pages >= 2, `${pages} pages`);
});

op("CreateBot", async () => {
  const name = `Helper ${RUN}`;
  const { Bot: created } = await call("CreateBot", { AccountId: accountId, DisplayName: name, Domain: domain });
  // As in the reference's example: myBot, example.com -> "myBot (Bot)",
  // myBot-chimebot@example.com (spaces become hyphens).
  assert.equal(created.DisplayName, `${name} (Bot)`);
  assert.equal(created.BotEmail, `Helper-${RUN}-chimebot@${domain}`);
  assert.equal(created.BotType, "ChatBot");
  assert.equal(created.Disabled, false);
  assert.ok(created.SecurityToken);
  assert.ok(created.UserId);
  await rejects(call("CreateBot", { AccountId: teamId, DisplayName: "x", Domain: "example.com" }), sdk.ForbiddenException);
});

op("GetBot", async () => {
  const created = await bot("get");
  const { Bot: got } = await call("GetBot", { AccountId: accountId, BotId: created.BotId });
  assert.deepEqual(got, created);
  await rejects(call("GetBot", { AccountId: accountId, BotId: UNKNOWN }), sdk.NotFoundException);
});

op("UpdateBot", async () => {
  const created = await bot("update");
  const { Bot: updated } = await call("UpdateBot", { AccountId: accountId, BotId: created.BotId, Disabled: true });
  assert.equal(updated.Disabled, true);
  const { Bot: got } = await call("GetBot", { AccountId: accountId, BotId: created.BotId });
  assert.equal(got.Disabled, true);
});

op("ListBots", async () => {
  const { account, domain: own } = await createEnterpriseAccount();
  const ids = [];
  for (let i = 0; i < 2; i++) {
    ids.push((await call("CreateBot", { AccountId: account.AccountId, DisplayName: `list${i}`, Domain: own })).Bot.BotId);
  }
  const { items, pages } = await collect(sdk.paginateListBots({ client, pageSize: 1 }, { AccountId: account.AccountId }), "Bots");
  assert.deepEqual(items.map((b) => b.BotId).sort(), [...ids].sort());
  assert.ok(pages >= 2, `${pages} pages`);
});

op("RegenerateSecurityToken", async () => {
  const created = await bot("token");
  const { Bot: renewed } = await call("RegenerateSecurityToken", { AccountId: accountId, BotId: created.BotId });
  assert.ok(renewed.SecurityToken);
  assert.notEqual(renewed.SecurityToken, created.SecurityToken);
  const { Bot: got } = await call("GetBot", { AccountId: accountId, BotId: created.BotId });
  assert.equal(got.SecurityToken, renewed.SecurityToken);
});

op("PutEventsConfiguration", async () => {
  const created = await bot("events");
  const { EventsConfiguration: config } = await call("PutEventsConfiguration", {
    AccountId: accountId,
    BotId: created.BotId,
    LambdaFunctionArn: LAMBDA,
  });
  assert.equal(config.BotId, created.BotId);
  assert.equal(config.LambdaFunctionArn, LAMBDA);
  assert.equal(config.OutboundEventsHTTPSEndpoint, undefined);
  // Either an endpoint or a Lambda function, not both.
  await rejects(
    call("PutEventsConfiguration", {
      AccountId: accountId,
      BotId: created.BotId,
      LambdaFunctionArn: LAMBDA,
      OutboundEventsHTTPSEndpoint: "https://bot.example.com/events",
    }),
    sdk.BadRequestException,
  );
});

op("GetEventsConfiguration", async () => {
  const created = await bot("events");
  await rejects(call("GetEventsConfiguration", { AccountId: accountId, BotId: created.BotId }), sdk.NotFoundException);
  // An endpoint that answers the challenge (clients/botstub.py).
  const endpoint = process.env.CHIMED_TEST_BOT_URL;
  await call("PutEventsConfiguration", { AccountId: accountId, BotId: created.BotId, OutboundEventsHTTPSEndpoint: endpoint });
  const { EventsConfiguration: config } = await call("GetEventsConfiguration", { AccountId: accountId, BotId: created.BotId });
  assert.equal(config.OutboundEventsHTTPSEndpoint, endpoint);
});

op("DeleteEventsConfiguration", async () => {
  const created = await bot("events");
  await call("PutEventsConfiguration", { AccountId: accountId, BotId: created.BotId, LambdaFunctionArn: LAMBDA });
  const out = await call("DeleteEventsConfiguration", { AccountId: accountId, BotId: created.BotId });
  assert.equal(out.$metadata.httpStatusCode, 204);
  await rejects(call("GetEventsConfiguration", { AccountId: accountId, BotId: created.BotId }), sdk.NotFoundException);
});

op("PutRetentionSettings", async () => {
  const { account } = await createEnterpriseAccount();
  const out = await call("PutRetentionSettings", {
    AccountId: account.AccountId,
    RetentionSettings: { RoomRetentionSettings: { RetentionDays: 30 }, ConversationRetentionSettings: { RetentionDays: 60 } },
  });
  assert.equal(out.$metadata.httpStatusCode, 204);
  const got = await call("GetRetentionSettings", { AccountId: account.AccountId });
  assert.equal(got.RetentionSettings.RoomRetentionSettings.RetentionDays, 30);
  assert.equal(got.RetentionSettings.ConversationRetentionSettings.RetentionDays, 60);
  await rejects(
    call("PutRetentionSettings", { AccountId: teamId, RetentionSettings: { RoomRetentionSettings: { RetentionDays: 30 } } }),
    sdk.ForbiddenException,
  );
});

op("GetRetentionSettings", async () => {
  const { account } = await createEnterpriseAccount();
  await call("PutRetentionSettings", { AccountId: account.AccountId, RetentionSettings: { RoomRetentionSettings: { RetentionDays: 5475 } } });
  const got = await call("GetRetentionSettings", { AccountId: account.AccountId });
  assert.equal(got.RetentionSettings.RoomRetentionSettings.RetentionDays, 5475);
  assert.equal(got.RetentionSettings.ConversationRetentionSettings, undefined);
  assert.ok(got.InitiateDeletionTimestamp instanceof Date);
});

op("RedactRoomMessage", async () => {
  const created = await room("redact");
  const base = `/_chimed/accounts/${accountId}/rooms/${created.RoomId}`;
  const hook = await extension("POST", `${base}/webhooks`, { Name: "alerts" });
  assert.equal(hook.status, 201, JSON.stringify(hook.body));
  const posted = await postURL(hook.body.Webhook.Url, { Content: "the launch code is 0000" });
  assert.equal(posted.status, 200, JSON.stringify(posted.body));
  await call("RedactRoomMessage", { AccountId: accountId, RoomId: created.RoomId, MessageId: posted.body.MessageId });
  const listed = await extension("GET", `${base}/messages`);
  assert.equal(listed.status, 200);
  const message = listed.body.Messages.find((m) => m.MessageId === posted.body.MessageId);
  assert.equal(message.Redacted, true);
  assert.equal(message.Content, undefined);
  await rejects(call("RedactRoomMessage", { AccountId: accountId, RoomId: created.RoomId, MessageId: UNKNOWN }), sdk.NotFoundException);
});

op("RedactConversationMessage", async () => {
  const base = `/_chimed/accounts/${accountId}/conversations`;
  const conversation = await extension("POST", base, { MemberIds: [alice.UserId, bob.UserId] });
  assert.equal(conversation.status, 201, JSON.stringify(conversation.body));
  const id = conversation.body.Conversation.ConversationId;
  const posted = await extension("POST", `${base}/${id}/messages`, { SenderId: alice.UserId, Content: "my password is hunter2" });
  assert.equal(posted.status, 200, JSON.stringify(posted.body));
  await call("RedactConversationMessage", { AccountId: accountId, ConversationId: id, MessageId: posted.body.MessageId });
  const listed = await extension("GET", `${base}/${id}/messages`);
  const message = listed.body.Messages.find((m) => m.MessageId === posted.body.MessageId);
  assert.equal(message.Redacted, true);
  assert.equal(message.Content, undefined);
  await rejects(
    call("RedactConversationMessage", { AccountId: accountId, ConversationId: UNKNOWN, MessageId: posted.body.MessageId }),
    sdk.NotFoundException,
  );
});
