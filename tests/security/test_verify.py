"""Regression tests over real HTTP for the hardening findings on POST /api/v1/keys/verify:
verify counts unknown and malformed keys against the address's --key-failure-limit (shared
with the Bearer routes), the limit fires only after MORE than N failures as SECURITY.md says,
and a scoped key whose owner left its organization is not valid even without org_id."""

import re
import secrets
import sys
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "integration"))

from harness import ServerTestCase, create_key, create_org, join, make_key  # noqa: E402

LIMIT = 3  # --key-failure-limit for the servers of these tests


def malformed_key():
    return "tfzo_" + secrets.token_hex(10)


class LimitedServerTestCase(ServerTestCase):
    server_args = ("--key-failure-limit", str(LIMIT))

    def verify(self, client, key, **fields):
        r = client.post("/api/v1/keys/verify", dict(key=key, **fields))
        self.assertEqual(r.status, 200, r)
        return r

    def rate_limited_count(self, client):
        metrics = client.get("/metrics").body
        m = re.search(r'tfzo_rate_limited_total\{kind="key"\} (\d+)', metrics)
        self.assertIsNotNone(m, metrics)
        return int(m.group(1))


class VerifyCountsUnknownKeysTest(LimitedServerTestCase):

    def test_verify_is_limited_past_n_unknown_keys_and_answers_rate_limited(self):
        owner = self.new_account()
        _, secret = create_key(owner)
        client = self.client()
        codes = []
        for i in range(LIMIT):
            key = make_key() if i % 2 else malformed_key()
            codes.append(self.verify(client, key).json())
        self.assertEqual(codes, [{"valid": False, "code": c} for c in
                                 ["key_malformed", "key_invalid", "key_malformed"]])
        # More than N: refused, in verify's answer shape, without saying whether the key exists.
        for key in (make_key(), malformed_key()):
            r = self.verify(client, key)
            self.assertEqual(r.json(), {"valid": False, "code": "rate_limited"})
            self.assertGreater(int(r.header("Retry-After")), 0)
        self.assertGreaterEqual(self.rate_limited_count(client), 2)
        # A valid key from the same address still works.
        self.assertIs(self.verify(client, secret).json()["valid"], True)
        # The limit is the Bearer routes' limit: the address is over it there too.
        self.assertError(client.get("/api/v1/me", bearer=make_key()), 429, "rate_limited")
        self.assertEqual(client.get("/api/v1/me", bearer=secret).status, 200)


class BearerFailuresCountForVerifyTest(LimitedServerTestCase):

    def test_bearer_failures_and_verify_share_one_limit(self):
        client = self.client()
        for _ in range(LIMIT):
            self.assertError(client.get("/api/v1/me", bearer=make_key()), 401, "key_invalid")
        self.assertEqual(self.verify(client, make_key()).json(),
                         {"valid": False, "code": "rate_limited"})


class LimitMatchesSecurityMdTest(LimitedServerTestCase):
    """SECURITY.md: an address sending MORE than --key-failure-limit unknown keys gets 429."""

    def test_exactly_n_unknown_keys_get_their_own_answer(self):
        client = self.client()
        for _ in range(LIMIT):
            self.assertError(client.get("/api/v1/me", bearer=make_key()), 401, "key_invalid")
        self.assertError(client.get("/api/v1/me", bearer=make_key()), 429, "rate_limited")


class LimitMatchesSecurityMdOnVerifyTest(LimitedServerTestCase):
    """The same number on verify (its own server: the limiter's state is per server)."""

    def test_exactly_n_unknown_keys_get_their_own_verdict(self):
        client = self.client()
        for _ in range(LIMIT):
            self.assertEqual(self.verify(client, make_key()).json(),
                             {"valid": False, "code": "key_invalid"})
        self.assertEqual(self.verify(client, make_key()).json(),
                         {"valid": False, "code": "rate_limited"})


class ScopedKeyOwnerLeftTest(ServerTestCase):

    def verify(self, body):
        r = self.client().post("/api/v1/keys/verify", body)
        self.assertEqual(r.status, 200, r)
        return r.json()

    def test_scoped_key_of_a_removed_member_is_forbidden_without_org_id(self):
        owner = self.new_account()
        member = self.new_account()
        org = create_org(owner)
        join(owner, org["id"], member)
        _, secret = create_key(member, org_id=org["id"])
        _, unscoped = create_key(member)
        got = self.verify({"key": secret})
        self.assertIs(got["valid"], True, got)
        self.assertEqual(got["org_id"], org["id"])

        r = owner.delete(f"/api/orgs/{org['id']}/members/{member.account['id']}")
        self.assertEqual(r.status, 204, r)
        self.assertEqual(self.verify({"key": secret, "org_id": org["id"]}),
                         {"valid": False, "code": "forbidden"})
        self.assertEqual(self.verify({"key": secret}), {"valid": False, "code": "forbidden"})
        # The member's unscoped key is still valid: only the scope was lost.
        self.assertIs(self.verify({"key": unscoped})["valid"], True)


if __name__ == "__main__":
    unittest.main()
