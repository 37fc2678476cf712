"""Accounts, through boto3: one test per operation."""

import datetime

from harness import (AWS_ACCOUNT_ID, ChimeTestCase, client, create_account, create_enterprise_account,
                     create_user, unique)


class Accounts(ChimeTestCase):

    def test_CreateAccount(self):
        name = unique("create")
        account = client.create_account(Name=name)["Account"]
        self.assertEqual(account["Name"], name)
        self.assertEqual(account["AwsAccountId"], AWS_ACCOUNT_ID)
        self.assertEqual(account["AccountType"], "Team")
        self.assertEqual(account["AccountStatus"], "Active")
        self.assertEqual(account["DefaultLicense"], "Pro")
        self.assertEqual(sorted(account["SupportedLicenses"]), ["Basic", "Pro"])
        # botocore parsed the ISO 8601 timestamp into an aware datetime.
        self.assertIsInstance(account["CreatedTimestamp"], datetime.datetime)
        self.assertIsNotNone(account["CreatedTimestamp"].tzinfo)
        # A name of blanks breaks the model's pattern: the server says so.
        err = self.assertRaisesModelled("BadRequestException", client.create_account, Name="   ")
        self.assertIn("Name", err.response["Error"]["Message"])

    def test_GetAccount(self):
        created = create_account("get")
        got = client.get_account(AccountId=created["AccountId"])["Account"]
        self.assertEqual(got, created)
        self.assertRaisesModelled("NotFoundException", client.get_account,
                                  AccountId="00000000-0000-4000-8000-000000000000")

    def test_ListAccounts(self):
        prefix = unique("list")
        ids = sorted(client.create_account(Name=f"{prefix}-{i}")["Account"]["AccountId"] for i in range(3))
        # botocore's own paginator follows NextToken, one account a page.
        pages = list(client.get_paginator("list_accounts").paginate(Name=prefix, PaginationConfig={"PageSize": 1}))
        self.assertGreaterEqual(len(pages), 3)
        self.assertTrue(all(len(p["Accounts"]) <= 1 for p in pages))
        listed = sorted(a["AccountId"] for p in pages for a in p["Accounts"])
        self.assertEqual(listed, ids)
        # UserEmail finds the account a user belongs to.
        user = create_user(ids[1], "member")
        found = client.list_accounts(UserEmail=user["PrimaryEmail"])["Accounts"]
        self.assertEqual([a["AccountId"] for a in found], [ids[1]])
        err = self.assertRaisesModelled("BadRequestException", client.list_accounts, NextToken="not-a-token")
        self.assertIn("NextToken", err.response["Error"]["Message"])

    def test_UpdateAccount(self):
        account = create_account("update")
        name = unique("renamed")
        updated = client.update_account(AccountId=account["AccountId"], Name=name, DefaultLicense="Basic")["Account"]
        self.assertEqual((updated["Name"], updated["DefaultLicense"]), (name, "Basic"))
        self.assertEqual(client.get_account(AccountId=account["AccountId"])["Account"]["Name"], name)
        # A Team account supports Basic and Pro only.
        self.assertRaisesModelled("BadRequestException", client.update_account,
                                  AccountId=account["AccountId"], DefaultLicense="Plus")

    def test_DeleteAccount(self):
        account = create_account("delete")
        user = create_user(account["AccountId"], "blocker")
        # A Team account's users must be suspended (removed) first.
        self.assertRaisesModelled("UnprocessableEntityException", client.delete_account,
                                  AccountId=account["AccountId"])
        client.batch_suspend_user(AccountId=account["AccountId"], UserIdList=[user["UserId"]])
        client.delete_account(AccountId=account["AccountId"])
        # A deleted account leaves the list and shows as Suspended until purged.
        listed = client.list_accounts(Name=account["Name"]).get("Accounts", [])
        self.assertEqual(listed, [])
        got = client.get_account(AccountId=account["AccountId"])["Account"]
        self.assertEqual(got["AccountStatus"], "Suspended")
        self.assertRaisesModelled("NotFoundException", client.delete_account, AccountId=account["AccountId"])

    def test_GetAccountSettings(self):
        account = create_account("settings")
        settings = client.get_account_settings(AccountId=account["AccountId"])["AccountSettings"]
        self.assertIsInstance(settings["DisableRemoteControl"], bool)
        self.assertIsInstance(settings["EnableDialOut"], bool)
        self.assertRaisesModelled("NotFoundException", client.get_account_settings,
                                  AccountId="00000000-0000-4000-8000-000000000000")

    def test_UpdateAccountSettings(self):
        account = create_account("settings")
        before = client.get_account_settings(AccountId=account["AccountId"])["AccountSettings"]
        flipped = not before["DisableRemoteControl"]
        out = client.update_account_settings(AccountId=account["AccountId"],
                                             AccountSettings={"DisableRemoteControl": flipped})
        self.assertEqual(out["ResponseMetadata"]["HTTPStatusCode"], 204)
        after = client.get_account_settings(AccountId=account["AccountId"])["AccountSettings"]
        self.assertEqual(after["DisableRemoteControl"], flipped)
        self.assertEqual(after["EnableDialOut"], before["EnableDialOut"])

    def test_AssociateSigninDelegateGroupsWithAccount(self):
        account, _ = create_enterprise_account("EnterpriseDirectory")
        client.associate_signin_delegate_groups_with_account(
            AccountId=account["AccountId"], SigninDelegateGroups=[{"GroupName": "engineering"}])
        got = client.get_account(AccountId=account["AccountId"])["Account"]
        self.assertEqual(got["SigninDelegateGroups"], [{"GroupName": "engineering"}])
        # Delegate groups are Active Directory groups: a Team account has none.
        team = create_account("team")
        self.assertRaisesModelled("ForbiddenException", client.associate_signin_delegate_groups_with_account,
                                  AccountId=team["AccountId"], SigninDelegateGroups=[{"GroupName": "x"}])

    def test_DisassociateSigninDelegateGroupsFromAccount(self):
        account, _ = create_enterprise_account("EnterpriseDirectory")
        client.associate_signin_delegate_groups_with_account(
            AccountId=account["AccountId"], SigninDelegateGroups=[{"GroupName": "a"}, {"GroupName": "b"}])
        client.disassociate_signin_delegate_groups_from_account(AccountId=account["AccountId"], GroupNames=["a"])
        got = client.get_account(AccountId=account["AccountId"])["Account"]
        self.assertEqual(got["SigninDelegateGroups"], [{"GroupName": "b"}])
        self.assertRaisesModelled("NotFoundException", client.disassociate_signin_delegate_groups_from_account,
                                  AccountId="00000000-0000-4000-8000-000000000000", GroupNames=["a"])
