"""What every boto3 test module shares: the client, the server's extension
endpoints (signed with botocore's own SigV4), and a watch for 5xx answers.

The server is named by CHIMED_ENDPOINT (clients/run.sh starts one and sets
it); the access key by CHIMED_ACCESS_KEY_ID / CHIMED_SECRET_ACCESS_KEY, the
AWS account it acts for by CHIMED_AWS_ACCOUNT_ID (the development key's by
default).
"""

import json
import os
import time
import unittest
import urllib.error
import urllib.request
import uuid

import boto3
import botocore.auth
import botocore.awsrequest
import botocore.config
import botocore.credentials

ENDPOINT = os.environ.get("CHIMED_ENDPOINT", "http://127.0.0.1:8080")
ACCESS_KEY = os.environ.get("CHIMED_ACCESS_KEY_ID", "test")
SECRET_KEY = os.environ.get("CHIMED_SECRET_ACCESS_KEY", "test")
AWS_ACCOUNT_ID = os.environ.get("CHIMED_AWS_ACCOUNT_ID", "000000000000")
REGION = "us-east-1"

# Names and emails carry this run's tag, so that the suites of several
# clients can share one server.
RUN = uuid.uuid4().hex[:8]

# Every 5xx answer is a server failure the run must report, whatever the
# test expected, except 503: the modelled ServiceUnavailableException (e.g.
# dial-out without a SIP trunk).
server_failures = []


def failed(status):
    return status >= 500 and status != 503


def _watch_status(http_response, model, **kwargs):
    if failed(http_response.status_code):
        server_failures.append(f"{model.name}: HTTP {http_response.status_code} {http_response.text[:200]}")


def new_client():
    """A boto3 Chime client for the server, without retries (a retry would
    hide a failure) and with botocore's own parameter validation on."""
    client = boto3.client(
        "chime",
        endpoint_url=ENDPOINT,
        region_name=REGION,
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
        config=botocore.config.Config(retries={"total_max_attempts": 1, "mode": "standard"}),
    )
    client.meta.events.register("after-call.chime", _watch_status)
    return client


client = new_client()


def unique(name):
    return f"{name}-{RUN}-{uuid.uuid4().hex[:6]}"


def email(name):
    return f"{unique(name)}@example.com"


def extension(method, path, body=None, signed=True):
    """Calls a /_chimed/ endpoint (or a webhook URL path), signed with SigV4
    for service chime as the API is. Returns (status, decoded JSON or None)."""
    url = ENDPOINT + path
    data = json.dumps(body).encode() if body is not None else b""
    headers = {"Content-Type": "application/json"} if body is not None else {}
    request = botocore.awsrequest.AWSRequest(method=method, url=url, data=data, headers=headers)
    if signed:
        creds = botocore.credentials.Credentials(ACCESS_KEY, SECRET_KEY)
        botocore.auth.SigV4Auth(creds, "chime", REGION).add_auth(request)
    prepared = request.prepare()
    req = urllib.request.Request(prepared.url, data=data or None, method=method, headers=dict(prepared.headers))
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            status, raw = resp.status, resp.read()
    except urllib.error.HTTPError as err:
        status, raw = err.code, err.read()
    if failed(status):
        server_failures.append(f"{method} {path}: HTTP {status} {raw[:200]!r}")
    return status, (json.loads(raw) if raw else None)


def post_url(url, body):
    """POSTs JSON to a full URL without signing it (a webhook's URL carries
    its own token)."""
    req = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                 headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return resp.status, json.loads(resp.read() or b"null")
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read() or b"null")


def create_account(name="account"):
    return client.create_account(Name=unique(name))["Account"]


def create_enterprise_account(account_type="EnterpriseLWA"):
    """An Enterprise account: made, as in the Chime console, by claiming a
    domain for a new account (the /_chimed/ extension). Returns the account
    and its domain."""
    account = create_account("enterprise")
    domain = f"{RUN}-{uuid.uuid4().hex[:6]}.example.com"
    status, out = extension("POST", f"/_chimed/accounts/{account['AccountId']}/domains",
                            {"Domain": domain, "AccountType": account_type})
    if status != 201:
        raise AssertionError(f"claim domain {domain}: HTTP {status} {out}")
    return out["Account"], domain


def create_user(account_id, name="user", **kwargs):
    return client.create_user(AccountId=account_id, Email=email(name), Username=unique(name), **kwargs)["User"]


def wait_until(what, fetch, done, timeout=30.0):
    """Calls fetch until done(result) or the timeout; returns the result."""
    deadline = time.monotonic() + timeout
    while True:
        result = fetch()
        if done(result):
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}; last: {result}")
        time.sleep(0.2)


class ChimeTestCase(unittest.TestCase):
    """A test of one operation, named test_<Operation>."""

    def assertRaisesModelled(self, error_name, call, *args, **kwargs):
        """Asserts that the call raises the modelled exception class, e.g.
        client.exceptions.NotFoundException, and returns it."""
        error_class = getattr(client.exceptions, error_name)
        with self.assertRaises(error_class) as caught:
            call(*args, **kwargs)
        self.assertEqual(caught.exception.response["Error"]["Code"], error_name)
        return caught.exception
