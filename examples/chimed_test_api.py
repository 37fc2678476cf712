"""Drive chimed's test-control API from Python with nothing but boto3/botocore.

Start the server with the test API:   go run ./cmd/chimed --enable-test-api
Then:                                   python3 examples/chimed_test_api.py
"""
import json
import os
from datetime import datetime, timedelta

import boto3
from botocore.auth import SigV4Auth
from botocore.config import Config
from botocore.awsrequest import AWSRequest
from botocore.httpsession import URLLib3Session

ENDPOINT = os.environ.get("CHIMED_URL", "http://127.0.0.1:8080")
session = boto3.Session(aws_access_key_id="test", aws_secret_access_key="test", region_name="us-east-1")
# One attempt per call, so the injected faults below are seen rather than
# retried away (botocore retries 503s by default).
chime = session.client("chime", endpoint_url=ENDPOINT, config=Config(retries={"total_max_attempts": 1}))
http = URLLib3Session()


def chimed(method, path, body=None):
    """Calls a /_chimed/ extension endpoint, SigV4-signed like any API call."""
    data = json.dumps(body) if body is not None else None
    req = AWSRequest(method=method, url=ENDPOINT + path, data=data, headers={"Content-Type": "application/json"})
    SigV4Auth(session.get_credentials(), "chime", "us-east-1").add_auth(req)
    resp = http.send(req.prepare())
    if resp.status_code >= 400:
        raise RuntimeError(f"{method} {path}: {resp.status_code} {resp.text}")
    return json.loads(resp.text) if resp.text else None


# Start from a clean slate, and keep a snapshot to come back to.
chimed("POST", "/_chimed/test/reset")
account = chime.create_account(Name="test-fixture")["Account"]
snapshot = chimed("POST", "/_chimed/test/snapshots")["SnapshotId"]

# Make the next two GetAccount calls fail, as if the service were down.
chimed("POST", "/_chimed/test/faults",
       {"Operation": "GetAccount", "ErrorType": "ServiceUnavailableException", "Remaining": 2})
outcomes = []
for attempt in range(3):
    try:
        chime.get_account(AccountId=account["AccountId"])
        outcomes.append("ok")
    except chime.exceptions.ServiceUnavailableException as e:
        outcomes.append(e.response["Error"]["Code"])
print("GetAccount three times:", outcomes)
assert outcomes == ["ServiceUnavailableException", "ServiceUnavailableException", "ok"], outcomes

# Slow every call down by 50 ms; list the rules, remove that one, then
# clear whatever is left.
slow = chimed("POST", "/_chimed/test/faults", {"Operation": "*", "LatencyMs": 50})["Fault"]
chimed("POST", "/_chimed/test/faults", {"Operation": "ListAccounts", "ErrorType": "ThrottledClientException"})
rules = chimed("GET", "/_chimed/test/faults")["Faults"]
print("fault rules:", [(r["Operation"], r.get("ErrorType", "latency")) for r in rules])
chimed("DELETE", f"/_chimed/test/faults/{slow['RuleId']}")
assert [r["Operation"] for r in chimed("GET", "/_chimed/test/faults")["Faults"]] == ["ListAccounts"]
chimed("DELETE", "/_chimed/test/faults")
assert chimed("GET", "/_chimed/test/faults")["Faults"] == []

# Move time forward: lifecycles that fell due (orders, deletion queues,
# retention, purges) run before the call returns.
# The clock is the server's and no reset moves it back, so compare with
# where it was.
before = chimed("GET", "/_chimed/test/clock")
after = chimed("POST", "/_chimed/test/clock", {"Advance": "192h"})
print("clock:", before, "->", after)
def when(clock):
    return datetime.fromisoformat(clock["Now"].replace("Z", "+00:00"))


moved = when(after) - when(before)
assert timedelta(hours=192) <= moved < timedelta(hours=192, minutes=1), (before, after)

# Back to the snapshot.
chime.create_account(Name="scratch")
chimed("POST", f"/_chimed/test/snapshots/{snapshot}/restore")
names = [a["Name"] for a in chime.list_accounts()["Accounts"]]
print("accounts after restore:", names)
assert names == ["test-fixture"], names
