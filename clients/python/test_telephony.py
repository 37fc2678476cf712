"""Phone numbers, orders, settings and meeting dial-out, through boto3: one
test per operation. Numbers come the way a customer got them: search,
order, wait until the order is Successful."""

import datetime
import os
import uuid

from harness import ChimeTestCase, client, create_account, create_user, extension, unique, wait_until

UNKNOWN_ORDER = "00000000-0000-4000-8000-000000000000"
UNKNOWN_NUMBER = "+19995550100"
UNKNOWN_USER = "00000000-0000-4000-8000-000000000000"


def search(**filters):
    return client.search_available_phone_numbers(**filters)["E164PhoneNumbers"]


def wait_for_order(order_id):
    return wait_until(f"order {order_id}",
                      lambda: client.get_phone_number_order(PhoneNumberOrderId=order_id)["PhoneNumberOrder"],
                      lambda order: order["Status"] != "Processing")


class Telephony(ChimeTestCase):

    @classmethod
    def setUpClass(cls):
        numbers = search(AreaCode="206", MaxResults=12)
        order = client.create_phone_number_order(ProductType="BusinessCalling",
                                                 E164PhoneNumbers=numbers)["PhoneNumberOrder"]
        cls.order_id = order["PhoneNumberOrderId"]
        done = wait_for_order(cls.order_id)
        if done["Status"] != "Successful":
            raise AssertionError(f"the setup order ended {done['Status']}: {done}")
        cls.pool = list(numbers)

    def number(self):
        """A number of the inventory, Unassigned, for this test alone."""
        return self.pool.pop()

    def test_ListSupportedPhoneNumberCountries(self):
        countries = client.list_supported_phone_number_countries(
            ProductType="BusinessCalling")["PhoneNumberCountries"]
        us = next(c for c in countries if c["CountryCode"] == "US")
        # Toll-free numbers cannot be Business Calling ones.
        self.assertEqual(us["SupportedPhoneNumberTypes"], ["Local"])
        countries = client.list_supported_phone_number_countries(
            ProductType="VoiceConnector")["PhoneNumberCountries"]
        us = next(c for c in countries if c["CountryCode"] == "US")
        self.assertEqual(sorted(us["SupportedPhoneNumberTypes"]), ["Local", "TollFree"])
        dial_in = client.list_supported_phone_number_countries(
            ProductType="SipMediaApplicationDialIn")["PhoneNumberCountries"]
        self.assertGreater(len(dial_in), 1)
        self.assertRaisesModelled("BadRequestException", client.list_supported_phone_number_countries,
                                  ProductType="Fax")

    def test_SearchAvailablePhoneNumbers(self):
        local = search(AreaCode="206", MaxResults=3)
        self.assertEqual(len(local), 3)
        self.assertTrue(all(n.startswith("+1206") for n in local), local)
        toll_free = search(TollFreePrefix="800", MaxResults=2)
        self.assertTrue(all(n.startswith("+1800") for n in toll_free), toll_free)
        # A US search needs a filter.
        self.assertRaisesModelled("BadRequestException", client.search_available_phone_numbers, MaxResults=1)

    def test_CreatePhoneNumberOrder(self):
        numbers = search(AreaCode="425", MaxResults=2)
        order = client.create_phone_number_order(ProductType="BusinessCalling",
                                                 E164PhoneNumbers=numbers)["PhoneNumberOrder"]
        self.assertEqual(order["ProductType"], "BusinessCalling")
        self.assertEqual(order["Status"], "Processing")
        self.assertEqual(sorted(n["E164PhoneNumber"] for n in order["OrderedPhoneNumbers"]), sorted(numbers))
        self.assertIsInstance(order["CreatedTimestamp"], datetime.datetime)
        # Toll-free numbers cannot be Business Calling numbers: the order
        # is refused.
        toll_free = search(TollFreePrefix="888", MaxResults=1)
        refused = self.assertRaisesModelled("BadRequestException", client.create_phone_number_order,
                                            ProductType="BusinessCalling", E164PhoneNumbers=toll_free)
        self.assertIn("toll-free", refused.response["Error"]["Message"])

    def test_GetPhoneNumberOrder(self):
        order = client.get_phone_number_order(PhoneNumberOrderId=self.order_id)["PhoneNumberOrder"]
        self.assertEqual(order["Status"], "Successful")
        self.assertTrue(all(n["Status"] == "Acquired" for n in order["OrderedPhoneNumbers"]), order)
        self.assertRaisesModelled("NotFoundException", client.get_phone_number_order,
                                  PhoneNumberOrderId=UNKNOWN_ORDER)

    def test_ListPhoneNumberOrders(self):
        ids, token = [], None
        while True:
            page = client.list_phone_number_orders(MaxResults=1, **({"NextToken": token} if token else {}))
            ids += [o["PhoneNumberOrderId"] for o in page.get("PhoneNumberOrders", [])]
            token = page.get("NextToken")
            if not token:
                break
        self.assertIn(self.order_id, ids)

    def test_GetPhoneNumber(self):
        e164 = self.number()
        number = client.get_phone_number(PhoneNumberId=e164)["PhoneNumber"]
        self.assertEqual((number["PhoneNumberId"], number["E164PhoneNumber"]), (e164, e164))
        self.assertEqual((number["Status"], number["ProductType"]), ("Unassigned", "BusinessCalling"))
        self.assertEqual((number["Type"], number["Country"]), ("Local", "US"))
        self.assertTrue(number["Capabilities"]["OutboundCall"])
        # The reference's examples show an unassociated number with an empty list.
        self.assertEqual(number["Associations"], [])
        self.assertRaisesModelled("NotFoundException", client.get_phone_number, PhoneNumberId=UNKNOWN_NUMBER)

    def test_ListPhoneNumbers(self):
        numbers, token = [], None
        while True:
            page = client.list_phone_numbers(Status="Unassigned", ProductType="BusinessCalling", MaxResults=2,
                                             **({"NextToken": token} if token else {}))
            numbers += page.get("PhoneNumbers", [])
            token = page.get("NextToken")
            if not token:
                break
        listed = {n["PhoneNumberId"] for n in numbers}
        self.assertTrue(set(self.pool) <= listed, (self.pool, listed))
        self.assertTrue(all(n["Status"] == "Unassigned" for n in numbers))

    def test_UpdatePhoneNumber(self):
        e164 = self.number()
        number = client.update_phone_number(PhoneNumberId=e164, CallingName="Chimed Python")["PhoneNumber"]
        self.assertEqual(number["CallingName"], "Chimed Python")
        self.assertEqual(number["CallingNameStatus"], "UpdateInProgress")
        # A pending change must complete before the next.
        self.assertRaisesModelled("ConflictException", client.update_phone_number, PhoneNumberId=e164,
                                  CallingName="Another Name")
        # One attribute at a time.
        self.assertRaisesModelled("BadRequestException", client.update_phone_number, PhoneNumberId=self.number(),
                                  CallingName="Name", ProductType="BusinessCalling")

    def test_BatchUpdatePhoneNumber(self):
        e164 = self.number()
        out = client.batch_update_phone_number(UpdatePhoneNumberRequestItems=[
            {"PhoneNumberId": e164, "CallingName": "Chimed Batch"},
            {"PhoneNumberId": UNKNOWN_NUMBER, "CallingName": "Chimed Batch"},
        ])
        self.assertEqual([(e["PhoneNumberId"], e["ErrorCode"]) for e in out["PhoneNumberErrors"]],
                         [(UNKNOWN_NUMBER, "NotFound")])
        number = client.get_phone_number(PhoneNumberId=e164)["PhoneNumber"]
        self.assertEqual(number["CallingName"], "Chimed Batch")
        out = client.batch_update_phone_number(UpdatePhoneNumberRequestItems=[
            {"PhoneNumberId": e164, "ProductType": "VoiceConnector"}])
        self.assertEqual(out["PhoneNumberErrors"], [])

    def test_DeletePhoneNumber(self):
        e164 = self.number()
        out = client.delete_phone_number(PhoneNumberId=e164)
        self.assertEqual(out["ResponseMetadata"]["HTTPStatusCode"], 204)
        number = client.get_phone_number(PhoneNumberId=e164)["PhoneNumber"]
        self.assertEqual(number["Status"], "DeleteInProgress")
        self.assertIsInstance(number["DeletionTimestamp"], datetime.datetime)
        self.assertRaisesModelled("NotFoundException", client.delete_phone_number, PhoneNumberId=UNKNOWN_NUMBER)

    def test_BatchDeletePhoneNumber(self):
        e164 = self.number()
        out = client.batch_delete_phone_number(PhoneNumberIds=[e164, UNKNOWN_NUMBER])
        self.assertEqual([(e["PhoneNumberId"], e["ErrorCode"]) for e in out["PhoneNumberErrors"]],
                         [(UNKNOWN_NUMBER, "NotFound")])
        self.assertEqual(client.get_phone_number(PhoneNumberId=e164)["PhoneNumber"]["Status"], "DeleteInProgress")

    def test_RestorePhoneNumber(self):
        e164 = self.number()
        client.delete_phone_number(PhoneNumberId=e164)
        number = client.restore_phone_number(PhoneNumberId=e164)["PhoneNumber"]
        self.assertEqual(number["Status"], "Unassigned")
        self.assertNotIn("DeletionTimestamp", number)
        # Only a number in the deletion queue can be restored.
        self.assertRaisesModelled("BadRequestException", client.restore_phone_number, PhoneNumberId=e164)

    def test_AssociatePhoneNumberWithUser(self):
        account_id = create_account("numbers")["AccountId"]
        user = create_user(account_id, "caller")
        e164 = self.number()
        client.associate_phone_number_with_user(AccountId=account_id, UserId=user["UserId"], E164PhoneNumber=e164)
        got = client.get_user(AccountId=account_id, UserId=user["UserId"])["User"]
        self.assertEqual(got["PrimaryProvisionedNumber"], e164)
        number = client.get_phone_number(PhoneNumberId=e164)["PhoneNumber"]
        self.assertEqual(number["Status"], "Assigned")
        associations = {a["Name"]: a["Value"] for a in number["Associations"]}
        self.assertEqual(associations, {"AccountId": account_id, "UserId": user["UserId"]})
        by_user = client.list_phone_numbers(FilterName="UserId", FilterValue=user["UserId"])["PhoneNumbers"]
        self.assertEqual([n["PhoneNumberId"] for n in by_user], [e164])
        # A number in use cannot be deleted.
        self.assertRaisesModelled("BadRequestException", client.delete_phone_number, PhoneNumberId=e164)
        self.assertRaisesModelled("NotFoundException", client.associate_phone_number_with_user,
                                  AccountId=account_id, UserId=user["UserId"], E164PhoneNumber=UNKNOWN_NUMBER)

    def test_DisassociatePhoneNumberFromUser(self):
        account_id = create_account("numbers")["AccountId"]
        user = create_user(account_id, "caller")
        e164 = self.number()
        client.associate_phone_number_with_user(AccountId=account_id, UserId=user["UserId"], E164PhoneNumber=e164)
        client.disassociate_phone_number_from_user(AccountId=account_id, UserId=user["UserId"])
        self.assertNotIn("PrimaryProvisionedNumber",
                         client.get_user(AccountId=account_id, UserId=user["UserId"])["User"])
        self.assertEqual(client.get_phone_number(PhoneNumberId=e164)["PhoneNumber"]["Status"], "Unassigned")
        # Again, as a retry would: the user has no number, as asked.
        client.disassociate_phone_number_from_user(AccountId=account_id, UserId=user["UserId"])
        self.assertRaisesModelled("NotFoundException", client.disassociate_phone_number_from_user,
                                  AccountId=account_id, UserId=UNKNOWN_USER)

    def test_GetPhoneNumberSettings(self):
        out = client.get_phone_number_settings()
        self.assertEqual(out["ResponseMetadata"]["HTTPStatusCode"], 200)
        if "CallingName" in out:
            self.assertIsInstance(out["CallingNameUpdatedTimestamp"], datetime.datetime)

    def test_UpdatePhoneNumberSettings(self):
        out = client.update_phone_number_settings(CallingName="Chimed Python")
        self.assertEqual(out["ResponseMetadata"]["HTTPStatusCode"], 204)
        got = client.get_phone_number_settings()
        self.assertEqual(got["CallingName"], "Chimed Python")
        self.assertIsInstance(got["CallingNameUpdatedTimestamp"], datetime.datetime)
        # The default calling name may change once every 7 days.
        self.assertRaisesModelled("BadRequestException", client.update_phone_number_settings, CallingName="Again")

    def test_GetGlobalSettings(self):
        out = client.get_global_settings()
        self.assertEqual(out["ResponseMetadata"]["HTTPStatusCode"], 200)
        for key in ("BusinessCalling", "VoiceConnector"):
            self.assertIsInstance(out.get(key, {}), dict)

    def test_UpdateGlobalSettings(self):
        bucket = unique("chimed-cdrs").lower()
        out = client.update_global_settings(BusinessCalling={"CdrBucket": bucket})
        self.assertEqual(out["ResponseMetadata"]["HTTPStatusCode"], 204)
        got = client.get_global_settings()
        self.assertEqual(got["BusinessCalling"]["CdrBucket"], bucket)
        self.assertRaisesModelled("BadRequestException", client.update_global_settings,
                                  VoiceConnector={"CdrBucket": "Not A Bucket!"})

    def test_CreateMeetingDialOut(self):
        meeting_id = str(uuid.uuid4())
        to = search(AreaCode="212", MaxResults=1)[0]
        # The From number must be the caller's.
        self.assertRaisesModelled("ForbiddenException", client.create_meeting_dial_out, MeetingId=meeting_id,
                                  FromPhoneNumber=UNKNOWN_NUMBER, ToPhoneNumber=to, JoinToken="am9pbi10b2tlbg")
        call = dict(MeetingId=meeting_id, FromPhoneNumber=self.number(), ToPhoneNumber=to, JoinToken="am9pbi10b2tlbg")
        if not os.environ.get("CHIMED_SIP_TRUNK"):
            # No SIP trunk: the server says dial-out is not configured.
            self.assertRaisesModelled("ForbiddenException", client.create_meeting_dial_out, **call)
            return
        transaction_id = client.create_meeting_dial_out(**call)["TransactionId"]
        self.assertEqual(str(uuid.UUID(transaction_id)), transaction_id)
        # The far end (clients/sipuas.py) answers: the call reaches "answered".
        progress = wait_until(f"dial-out {transaction_id}",
                              lambda: extension("GET", f"/_chimed/dial-outs/{transaction_id}"),
                              lambda r: r[0] != 200 or r[1]["DialOut"]["Status"] in ("answered", "ended", "failed"))
        self.assertEqual(progress[0], 200, progress)
        self.assertIn(progress[1]["DialOut"]["Status"], ("answered", "ended"), progress)
