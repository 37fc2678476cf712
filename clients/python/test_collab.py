"""Chat rooms, memberships, bots, retention and redaction, through boto3: one
test per operation. They exist only in Enterprise accounts, made by claiming
a domain; messages reach rooms through an incoming webhook and conversations
through the /_chimed/ conversation endpoints (Chime's clients did both)."""

import datetime
import os
import uuid

from harness import (AWS_ACCOUNT_ID, RUN, ChimeTestCase, client, create_account, create_enterprise_account,
                     create_user, extension, post_url, unique)

UNKNOWN = "00000000-0000-4000-8000-000000000000"
LAMBDA = f"arn:aws:lambda:us-east-1:{AWS_ACCOUNT_ID}:function:chimed-bot"


def list_all(call, key, **kwargs):
    """Follows NextToken by hand, one item a page (botocore has paginators
    for ListAccounts and ListUsers only)."""
    items, pages, token = [], 0, None
    while True:
        page = call(MaxResults=1, **({"NextToken": token} if token else {}), **kwargs)
        items += page.get(key, [])
        pages += 1
        token = page.get("NextToken")
        if not token:
            return items, pages


class Collaboration(ChimeTestCase):

    @classmethod
    def setUpClass(cls):
        account, cls.domain = create_enterprise_account("EnterpriseLWA")
        cls.account_id = account["AccountId"]
        cls.alice = create_user(cls.account_id, "alice")
        cls.bob = create_user(cls.account_id, "bob")
        cls.team_id = create_account("team")["AccountId"]

    def room(self, name="room"):
        return client.create_room(AccountId=self.account_id, Name=unique(name))["Room"]

    def bot(self, name="bot"):
        return client.create_bot(AccountId=self.account_id, DisplayName=f"{name}-{uuid.uuid4().hex[:8]}",
                                 Domain=self.domain)["Bot"]

    def test_CreateRoom(self):
        name, token = unique("create"), f"token-{uuid.uuid4().hex}"
        room = client.create_room(AccountId=self.account_id, Name=name, ClientRequestToken=token)["Room"]
        self.assertEqual((room["AccountId"], room["Name"]), (self.account_id, name))
        self.assertTrue(room["CreatedBy"].startswith(f"arn:aws:iam::{AWS_ACCOUNT_ID}:"), room["CreatedBy"])
        self.assertIsInstance(room["CreatedTimestamp"], datetime.datetime)
        # The same ClientRequestToken gives back the same room.
        again = client.create_room(AccountId=self.account_id, Name=name, ClientRequestToken=token)["Room"]
        self.assertEqual(again["RoomId"], room["RoomId"])
        # Chat rooms exist only in Enterprise accounts.
        self.assertRaisesModelled("ForbiddenException", client.create_room, AccountId=self.team_id, Name="x")

    def test_GetRoom(self):
        room = self.room("get")
        self.assertEqual(client.get_room(AccountId=self.account_id, RoomId=room["RoomId"])["Room"], room)
        self.assertRaisesModelled("NotFoundException", client.get_room, AccountId=self.account_id, RoomId=UNKNOWN)

    def test_UpdateRoom(self):
        room = self.room("update")
        name = unique("renamed")
        updated = client.update_room(AccountId=self.account_id, RoomId=room["RoomId"], Name=name)["Room"]
        self.assertEqual(updated["Name"], name)
        self.assertEqual(client.get_room(AccountId=self.account_id, RoomId=room["RoomId"])["Room"]["Name"], name)

    def test_DeleteRoom(self):
        room = self.room("delete")
        out = client.delete_room(AccountId=self.account_id, RoomId=room["RoomId"])
        self.assertEqual(out["ResponseMetadata"]["HTTPStatusCode"], 204)
        self.assertRaisesModelled("NotFoundException", client.get_room, AccountId=self.account_id,
                                  RoomId=room["RoomId"])
        self.assertRaisesModelled("NotFoundException", client.delete_room, AccountId=self.account_id,
                                  RoomId=room["RoomId"])

    def test_ListRooms(self):
        account, _ = create_enterprise_account()
        ids = sorted(client.create_room(AccountId=account["AccountId"], Name=unique(f"list{i}"))["Room"]["RoomId"]
                     for i in range(3))
        rooms, pages = list_all(client.list_rooms, "Rooms", AccountId=account["AccountId"])
        self.assertEqual(sorted(r["RoomId"] for r in rooms), ids)
        self.assertGreaterEqual(pages, 3)
        # MemberId keeps the rooms a member is in.
        user = create_user(account["AccountId"], "member")
        client.create_room_membership(AccountId=account["AccountId"], RoomId=ids[0], MemberId=user["UserId"])
        mine = client.list_rooms(AccountId=account["AccountId"], MemberId=user["UserId"])["Rooms"]
        self.assertEqual([r["RoomId"] for r in mine], [ids[0]])

    def test_CreateRoomMembership(self):
        room = self.room("membership")
        membership = client.create_room_membership(AccountId=self.account_id, RoomId=room["RoomId"],
                                                   MemberId=self.alice["UserId"])["RoomMembership"]
        self.assertEqual(membership["RoomId"], room["RoomId"])
        self.assertEqual(membership["Role"], "Member")  # the default role
        self.assertEqual(membership["Member"]["MemberId"], self.alice["UserId"])
        self.assertEqual(membership["Member"]["MemberType"], "User")
        self.assertEqual(membership["Member"]["Email"], self.alice["PrimaryEmail"])
        self.assertRaisesModelled("ConflictException", client.create_room_membership, AccountId=self.account_id,
                                  RoomId=room["RoomId"], MemberId=self.alice["UserId"])
        self.assertRaisesModelled("NotFoundException", client.create_room_membership, AccountId=self.account_id,
                                  RoomId=room["RoomId"], MemberId=UNKNOWN)
        # A bot joins once its events have somewhere to go.
        bot = self.bot()
        self.assertRaisesModelled("BadRequestException", client.create_room_membership, AccountId=self.account_id,
                                  RoomId=room["RoomId"], MemberId=bot["BotId"])
        client.put_events_configuration(AccountId=self.account_id, BotId=bot["BotId"], LambdaFunctionArn=LAMBDA)
        joined = client.create_room_membership(AccountId=self.account_id, RoomId=room["RoomId"],
                                               MemberId=bot["BotId"])["RoomMembership"]
        self.assertEqual(joined["Member"]["MemberType"], "Bot")

    def test_BatchCreateRoomMembership(self):
        room = self.room("batch")
        out = client.batch_create_room_membership(AccountId=self.account_id, RoomId=room["RoomId"], MembershipItemList=[
            {"MemberId": self.alice["UserId"], "Role": "Administrator"},
            {"MemberId": self.bob["UserId"]},
            {"MemberId": UNKNOWN},
        ])
        self.assertEqual([(e["MemberId"], e["ErrorCode"]) for e in out["Errors"]], [(UNKNOWN, "NotFound")])
        members = client.list_room_memberships(AccountId=self.account_id, RoomId=room["RoomId"])["RoomMemberships"]
        roles = {m["Member"]["MemberId"]: m["Role"] for m in members}
        self.assertEqual(roles, {self.alice["UserId"]: "Administrator", self.bob["UserId"]: "Member"})

    def test_UpdateRoomMembership(self):
        room = self.room("update-membership")
        client.create_room_membership(AccountId=self.account_id, RoomId=room["RoomId"], MemberId=self.bob["UserId"])
        updated = client.update_room_membership(AccountId=self.account_id, RoomId=room["RoomId"],
                                                MemberId=self.bob["UserId"], Role="Administrator")["RoomMembership"]
        self.assertEqual(updated["Role"], "Administrator")
        self.assertRaisesModelled("NotFoundException", client.update_room_membership, AccountId=self.account_id,
                                  RoomId=room["RoomId"], MemberId=self.alice["UserId"], Role="Member")

    def test_DeleteRoomMembership(self):
        room = self.room("delete-membership")
        client.create_room_membership(AccountId=self.account_id, RoomId=room["RoomId"], MemberId=self.bob["UserId"])
        out = client.delete_room_membership(AccountId=self.account_id, RoomId=room["RoomId"],
                                            MemberId=self.bob["UserId"])
        self.assertEqual(out["ResponseMetadata"]["HTTPStatusCode"], 204)
        members = client.list_room_memberships(AccountId=self.account_id, RoomId=room["RoomId"])
        self.assertEqual(members.get("RoomMemberships", []), [])
        self.assertRaisesModelled("NotFoundException", client.delete_room_membership, AccountId=self.account_id,
                                  RoomId=room["RoomId"], MemberId=self.bob["UserId"])

    def test_ListRoomMemberships(self):
        room = self.room("list-memberships")
        for user in (self.alice, self.bob):
            client.create_room_membership(AccountId=self.account_id, RoomId=room["RoomId"], MemberId=user["UserId"])
        members, pages = list_all(client.list_room_memberships, "RoomMemberships",
                                  AccountId=self.account_id, RoomId=room["RoomId"])
        self.assertEqual(sorted(m["Member"]["MemberId"] for m in members),
                         sorted([self.alice["UserId"], self.bob["UserId"]]))
        self.assertGreaterEqual(pages, 2)

    def test_CreateBot(self):
        name = f"Helper {RUN}"
        bot = client.create_bot(AccountId=self.account_id, DisplayName=name, Domain=self.domain)["Bot"]
        # As in the reference's example: display name myBot, domain
        # example.com -> "myBot (Bot)", myBot-chimebot@example.com (spaces
        # become hyphens).
        self.assertEqual(bot["DisplayName"], f"{name} (Bot)")
        self.assertEqual(bot["BotEmail"], f"Helper-{RUN}-chimebot@{self.domain}")
        self.assertEqual(bot["BotType"], "ChatBot")
        self.assertFalse(bot["Disabled"])
        self.assertTrue(bot["SecurityToken"])
        self.assertTrue(bot["UserId"])
        self.assertRaisesModelled("ForbiddenException", client.create_bot, AccountId=self.team_id,
                                  DisplayName="x", Domain="example.com")

    def test_GetBot(self):
        bot = self.bot("get")
        self.assertEqual(client.get_bot(AccountId=self.account_id, BotId=bot["BotId"])["Bot"], bot)
        self.assertRaisesModelled("NotFoundException", client.get_bot, AccountId=self.account_id, BotId=UNKNOWN)

    def test_UpdateBot(self):
        bot = self.bot("update")
        updated = client.update_bot(AccountId=self.account_id, BotId=bot["BotId"], Disabled=True)["Bot"]
        self.assertTrue(updated["Disabled"])
        self.assertTrue(client.get_bot(AccountId=self.account_id, BotId=bot["BotId"])["Bot"]["Disabled"])

    def test_ListBots(self):
        account, domain = create_enterprise_account()
        ids = sorted(client.create_bot(AccountId=account["AccountId"], DisplayName=f"list{i}",
                                       Domain=domain)["Bot"]["BotId"] for i in range(2))
        bots, pages = list_all(client.list_bots, "Bots", AccountId=account["AccountId"])
        self.assertEqual(sorted(b["BotId"] for b in bots), ids)
        self.assertGreaterEqual(pages, 2)

    def test_RegenerateSecurityToken(self):
        bot = self.bot("token")
        renewed = client.regenerate_security_token(AccountId=self.account_id, BotId=bot["BotId"])["Bot"]
        self.assertTrue(renewed["SecurityToken"])
        self.assertNotEqual(renewed["SecurityToken"], bot["SecurityToken"])
        got = client.get_bot(AccountId=self.account_id, BotId=bot["BotId"])["Bot"]
        self.assertEqual(got["SecurityToken"], renewed["SecurityToken"])

    def test_PutEventsConfiguration(self):
        bot = self.bot("events")
        config = client.put_events_configuration(AccountId=self.account_id, BotId=bot["BotId"],
                                                 LambdaFunctionArn=LAMBDA)["EventsConfiguration"]
        self.assertEqual((config["BotId"], config["LambdaFunctionArn"]), (bot["BotId"], LAMBDA))
        self.assertNotIn("OutboundEventsHTTPSEndpoint", config)
        # Either an endpoint or a Lambda function, not both.
        self.assertRaisesModelled("BadRequestException", client.put_events_configuration, AccountId=self.account_id,
                                  BotId=bot["BotId"], LambdaFunctionArn=LAMBDA,
                                  OutboundEventsHTTPSEndpoint="https://bot.example.com/events")

    def test_GetEventsConfiguration(self):
        bot = self.bot("events")
        self.assertRaisesModelled("NotFoundException", client.get_events_configuration,
                                  AccountId=self.account_id, BotId=bot["BotId"])
        # An endpoint that answers the challenge (clients/botstub.py).
        endpoint = os.environ["CHIMED_TEST_BOT_URL"]
        client.put_events_configuration(AccountId=self.account_id, BotId=bot["BotId"],
                                        OutboundEventsHTTPSEndpoint=endpoint)
        config = client.get_events_configuration(AccountId=self.account_id, BotId=bot["BotId"])["EventsConfiguration"]
        self.assertEqual(config["OutboundEventsHTTPSEndpoint"], endpoint)

    def test_DeleteEventsConfiguration(self):
        bot = self.bot("events")
        client.put_events_configuration(AccountId=self.account_id, BotId=bot["BotId"], LambdaFunctionArn=LAMBDA)
        out = client.delete_events_configuration(AccountId=self.account_id, BotId=bot["BotId"])
        self.assertEqual(out["ResponseMetadata"]["HTTPStatusCode"], 204)
        self.assertRaisesModelled("NotFoundException", client.get_events_configuration,
                                  AccountId=self.account_id, BotId=bot["BotId"])

    def test_PutRetentionSettings(self):
        account, _ = create_enterprise_account()
        out = client.put_retention_settings(AccountId=account["AccountId"], RetentionSettings={
            "RoomRetentionSettings": {"RetentionDays": 30},
            "ConversationRetentionSettings": {"RetentionDays": 60},
        })
        self.assertEqual(out["ResponseMetadata"]["HTTPStatusCode"], 204)
        got = client.get_retention_settings(AccountId=account["AccountId"])
        self.assertEqual(got["RetentionSettings"]["RoomRetentionSettings"]["RetentionDays"], 30)
        self.assertEqual(got["RetentionSettings"]["ConversationRetentionSettings"]["RetentionDays"], 60)
        self.assertRaisesModelled("ForbiddenException", client.put_retention_settings, AccountId=self.team_id,
                                  RetentionSettings={"RoomRetentionSettings": {"RetentionDays": 30}})

    def test_GetRetentionSettings(self):
        account, _ = create_enterprise_account()
        client.put_retention_settings(AccountId=account["AccountId"],
                                      RetentionSettings={"RoomRetentionSettings": {"RetentionDays": 5475}})
        got = client.get_retention_settings(AccountId=account["AccountId"])
        self.assertEqual(got["RetentionSettings"]["RoomRetentionSettings"]["RetentionDays"], 5475)
        self.assertNotIn("ConversationRetentionSettings", got["RetentionSettings"])
        # When deletion starts, parsed by botocore as a timestamp.
        self.assertIsInstance(got["InitiateDeletionTimestamp"], datetime.datetime)

    def test_RedactRoomMessage(self):
        room = self.room("redact")
        base = f"/_chimed/accounts/{self.account_id}/rooms/{room['RoomId']}"
        status, out = extension("POST", base + "/webhooks", {"Name": "alerts"})
        self.assertEqual(status, 201, out)
        status, posted = post_url(out["Webhook"]["Url"], {"Content": "the launch code is 0000"})
        self.assertEqual(status, 200, posted)
        message_id = posted["MessageId"]
        client.redact_room_message(AccountId=self.account_id, RoomId=room["RoomId"], MessageId=message_id)
        status, listed = extension("GET", base + "/messages")
        self.assertEqual(status, 200, listed)
        message = next(m for m in listed["Messages"] if m["MessageId"] == message_id)
        self.assertTrue(message["Redacted"])
        self.assertNotIn("Content", message)
        self.assertRaisesModelled("NotFoundException", client.redact_room_message, AccountId=self.account_id,
                                  RoomId=room["RoomId"], MessageId=UNKNOWN)

    def test_RedactConversationMessage(self):
        base = f"/_chimed/accounts/{self.account_id}/conversations"
        status, out = extension("POST", base, {"MemberIds": [self.alice["UserId"], self.bob["UserId"]]})
        self.assertEqual(status, 201, out)
        conversation_id = out["Conversation"]["ConversationId"]
        status, posted = extension("POST", f"{base}/{conversation_id}/messages",
                                   {"SenderId": self.alice["UserId"], "Content": "my password is hunter2"})
        self.assertEqual(status, 200, posted)
        client.redact_conversation_message(AccountId=self.account_id, ConversationId=conversation_id,
                                           MessageId=posted["MessageId"])
        status, listed = extension("GET", f"{base}/{conversation_id}/messages")
        self.assertEqual(status, 200, listed)
        message = next(m for m in listed["Messages"] if m["MessageId"] == posted["MessageId"])
        self.assertTrue(message["Redacted"])
        self.assertNotIn("Content", message)
        self.assertRaisesModelled("NotFoundException", client.redact_conversation_message, AccountId=self.account_id,
                                  ConversationId=UNKNOWN, MessageId=posted["MessageId"])
