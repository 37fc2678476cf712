"""Users, through boto3: one test per operation."""

import datetime
import re

from harness import ChimeTestCase, client, create_account, create_enterprise_account, create_user, email, unique

UNKNOWN = "00000000-0000-4000-8000-000000000000"


class Users(ChimeTestCase):

    @classmethod
    def setUpClass(cls):
        cls.account_id = create_account("users")["AccountId"]

    def test_CreateUser(self):
        address = email("create")
        name = unique("create")
        user = client.create_user(AccountId=self.account_id, Email=address, Username=name,
                                  UserType="SharedDevice")["User"]
        self.assertEqual(user["AccountId"], self.account_id)
        self.assertEqual(user["PrimaryEmail"], address)
        self.assertEqual(user["DisplayName"], name)
        self.assertEqual(user["UserType"], "SharedDevice")
        self.assertEqual(user["LicenseType"], "Pro")  # the account's default
        self.assertEqual(user["UserRegistrationStatus"], "Registered")
        self.assertIsInstance(user["RegisteredOn"], datetime.datetime)
        # An email is one person across the AWS account: a second is a conflict.
        self.assertRaisesModelled("ConflictException", client.create_user,
                                  AccountId=self.account_id, Email=address.upper())
        self.assertRaisesModelled("NotFoundException", client.create_user, AccountId=UNKNOWN, Email=email("x"))

    def test_GetUser(self):
        created = create_user(self.account_id, "get")
        got = client.get_user(AccountId=self.account_id, UserId=created["UserId"])["User"]
        self.assertEqual(got, created)
        self.assertRaisesModelled("NotFoundException", client.get_user, AccountId=self.account_id, UserId=UNKNOWN)

    def test_ListUsers(self):
        account_id = create_account("list-users")["AccountId"]
        ids = sorted(create_user(account_id, f"list{i}")["UserId"] for i in range(3))
        device = create_user(account_id, "device", UserType="SharedDevice")
        # botocore's paginator, one user a page.
        pages = list(client.get_paginator("list_users").paginate(AccountId=account_id,
                                                                  PaginationConfig={"PageSize": 1}))
        self.assertGreaterEqual(len(pages), 4)
        listed = sorted(u["UserId"] for p in pages for u in p["Users"])
        self.assertEqual(listed, sorted(ids + [device["UserId"]]))
        by_type = client.list_users(AccountId=account_id, UserType="SharedDevice")["Users"]
        self.assertEqual([u["UserId"] for u in by_type], [device["UserId"]])
        by_email = client.list_users(AccountId=account_id, UserEmail=device["PrimaryEmail"])["Users"]
        self.assertEqual([u["UserId"] for u in by_email], [device["UserId"]])
        self.assertRaisesModelled("NotFoundException", client.list_users, AccountId=UNKNOWN)

    def test_UpdateUser(self):
        user = create_user(self.account_id, "update")
        updated = client.update_user(AccountId=self.account_id, UserId=user["UserId"], LicenseType="Basic",
                                     UserType="SharedDevice")["User"]
        self.assertEqual((updated["LicenseType"], updated["UserType"]), ("Basic", "SharedDevice"))
        # The license must be one the account supports.
        self.assertRaisesModelled("BadRequestException", client.update_user,
                                  AccountId=self.account_id, UserId=user["UserId"], LicenseType="Plus")
        self.assertRaisesModelled("NotFoundException", client.update_user,
                                  AccountId=self.account_id, UserId=UNKNOWN, LicenseType="Basic")

    def test_BatchUpdateUser(self):
        user = create_user(self.account_id, "batch-update")
        out = client.batch_update_user(AccountId=self.account_id, UpdateUserRequestItems=[
            {"UserId": user["UserId"], "LicenseType": "Basic"},
            {"UserId": UNKNOWN, "LicenseType": "Basic"},
        ])
        # One item failed on its own; the other was applied.
        self.assertEqual([(e["UserId"], e["ErrorCode"]) for e in out["UserErrors"]], [(UNKNOWN, "NotFound")])
        got = client.get_user(AccountId=self.account_id, UserId=user["UserId"])["User"]
        self.assertEqual(got["LicenseType"], "Basic")

    def test_InviteUsers(self):
        account_id = create_account("invite")["AccountId"]
        address = email("invitee")
        invites = client.invite_users(AccountId=account_id, UserEmailList=[address])["Invites"]
        self.assertEqual(len(invites), 1)
        self.assertEqual(invites[0]["EmailAddress"], address)
        self.assertEqual(invites[0]["Status"], "Pending")
        self.assertIn(invites[0]["EmailStatus"], ("NotSent", "Sent", "Failed"))
        users = client.list_users(AccountId=account_id, UserEmail=address)["Users"]
        self.assertEqual(len(users), 1)
        self.assertEqual(users[0]["UserInvitationStatus"], "Pending")
        self.assertEqual(users[0]["UserRegistrationStatus"], "Unregistered")
        # Invitations are how people join Team accounts only.
        enterprise, _ = create_enterprise_account()
        self.assertRaisesModelled("ForbiddenException", client.invite_users,
                                  AccountId=enterprise["AccountId"], UserEmailList=[email("x")])

    def test_BatchSuspendUser(self):
        account_id = create_account("suspend")["AccountId"]
        user = create_user(account_id, "suspend")
        out = client.batch_suspend_user(AccountId=account_id, UserIdList=[user["UserId"], UNKNOWN])
        self.assertEqual([(e["UserId"], e["ErrorCode"]) for e in out["UserErrors"]], [(UNKNOWN, "NotFound")])
        # Suspending a Team account's user removes it from the account.
        self.assertRaisesModelled("NotFoundException", client.get_user, AccountId=account_id, UserId=user["UserId"])

    def test_BatchUnsuspendUser(self):
        account, _ = create_enterprise_account("EnterpriseLWA")
        user = create_user(account["AccountId"], "unsuspend")
        client.batch_suspend_user(AccountId=account["AccountId"], UserIdList=[user["UserId"]])
        got = client.get_user(AccountId=account["AccountId"], UserId=user["UserId"])["User"]
        self.assertEqual(got["UserRegistrationStatus"], "Suspended")
        out = client.batch_unsuspend_user(AccountId=account["AccountId"], UserIdList=[user["UserId"]])
        self.assertEqual(out.get("UserErrors", []), [])
        got = client.get_user(AccountId=account["AccountId"], UserId=user["UserId"])["User"]
        self.assertEqual(got["UserRegistrationStatus"], "Registered")
        # Suspended Team users are invited again instead.
        self.assertRaisesModelled("ForbiddenException", client.batch_unsuspend_user,
                                  AccountId=self.account_id, UserIdList=[UNKNOWN])

    def test_ResetPersonalPIN(self):
        user = create_user(self.account_id, "pin")
        reset = client.reset_personal_pin(AccountId=self.account_id, UserId=user["UserId"])["User"]
        self.assertRegex(reset["PersonalPIN"], re.compile(r"^[0-9]+$"))
        self.assertNotEqual(reset["PersonalPIN"], user.get("PersonalPIN"))
        got = client.get_user(AccountId=self.account_id, UserId=user["UserId"])["User"]
        self.assertEqual(got["PersonalPIN"], reset["PersonalPIN"])
        self.assertRaisesModelled("NotFoundException", client.reset_personal_pin,
                                  AccountId=self.account_id, UserId=UNKNOWN)

    def test_LogoutUser(self):
        user = create_user(self.account_id, "logout")
        out = client.logout_user(AccountId=self.account_id, UserId=user["UserId"])
        self.assertEqual(out["ResponseMetadata"]["HTTPStatusCode"], 204)
        self.assertRaisesModelled("NotFoundException", client.logout_user, AccountId=self.account_id, UserId=UNKNOWN)

    def test_GetUserSettings(self):
        user = create_user(self.account_id, "settings")
        telephony = client.get_user_settings(AccountId=self.account_id,
                                             UserId=user["UserId"])["UserSettings"]["Telephony"]
        self.assertEqual(set(telephony), {"InboundCalling", "OutboundCalling", "SMS"})
        self.assertTrue(all(isinstance(v, bool) for v in telephony.values()))
        self.assertRaisesModelled("NotFoundException", client.get_user_settings,
                                  AccountId=self.account_id, UserId=UNKNOWN)

    def test_UpdateUserSettings(self):
        user = create_user(self.account_id, "settings")
        wanted = {"InboundCalling": False, "OutboundCalling": True, "SMS": False}
        out = client.update_user_settings(AccountId=self.account_id, UserId=user["UserId"],
                                          UserSettings={"Telephony": wanted})
        self.assertEqual(out["ResponseMetadata"]["HTTPStatusCode"], 204)
        got = client.get_user_settings(AccountId=self.account_id, UserId=user["UserId"])["UserSettings"]
        self.assertEqual(got["Telephony"], wanted)
