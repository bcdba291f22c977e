"""POST /api/v1/keys/verify (service to service) of docs/spec/API.md, and the key validation
order of docs/spec/KEYS.md."""

import json
import time
import unittest

from harness import (BASE62, ServerTestCase, create_key, create_org, join, key_from_body,
                     make_key, rfc3339, wait_until)

VALID_FIELDS = {"valid", "key_id", "account_id", "org_id", "expires_at", "permissions"}


def bad_checksum(key):
    """The same key with its last checksum character changed."""
    last = key[-1]
    return key[:-1] + BASE62[(BASE62.index(last) + 1) % 62]

ALL = ["orgs:read", "agents:read", "agents:write", "hosts:read", "hosts:write"]


class VerifyTest(ServerTestCase):

    def verify(self, body, **kw):
        return self.client().post("/api/v1/keys/verify", body, **kw)

    def assertInvalid(self, body, code):
        r = self.verify(body)
        self.assertEqual(r.status, 200, r)
        got = r.json()
        self.assertIs(got.get("valid"), False, got)
        self.assertEqual(got.get("code"), code, got)
        self.assertTrue(set(got) <= {"valid", "code", "message"}, got)
        if isinstance(body.get("key"), str) and len(body["key"]) > 8:
            self.assertNotIn(body["key"], r.body)
        return got

    def test_valid_unscoped_key(self):
        a = self.new_account()
        key, secret = create_key(a)
        r = self.verify({"key": secret})
        self.assertEqual(r.status, 200, r)
        self.assertTrue(r.header("Content-Type").startswith("application/json"))
        body = r.json()
        self.assertEqual(set(body), VALID_FIELDS)
        self.assertIs(body["valid"], True)
        self.assertEqual(body["key_id"], key["id"])
        self.assertEqual(body["account_id"], a.account["id"])
        self.assertIsNone(body["org_id"])
        self.assertIsNone(body["expires_at"])
        self.assertNotIn(secret, r.body)

    def test_valid_scoped_key_with_expiration(self):
        a = self.new_account()
        org = create_org(a)
        expires = rfc3339(time.time() + 7 * 86400)
        key, secret = create_key(a, org_id=org["id"], expires_at=expires)
        r = self.verify({"key": secret})
        self.assertEqual(r.json(), {"valid": True, "key_id": key["id"],
                                    "account_id": a.account["id"], "org_id": org["id"],
                                    "expires_at": expires, "permissions": ALL})

    def test_verify_needs_no_credential_and_ignores_session(self):
        a = self.new_account()
        key, secret = create_key(a)
        r = a.post("/api/v1/keys/verify", {"key": secret})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["key_id"], key["id"])

    def test_malformed_keys(self):
        a = self.new_account()
        _, secret = create_key(a)
        body = secret[5:35]
        cases = {
            "truncated": secret[:-1],
            "truncated a lot": secret[:20],
            "bad checksum": bad_checksum(secret),
            "changed body char": secret[:10] + ("A" if secret[10] != "A" else "B") + secret[11:],
            "extra char": secret + "a",
            "wrong prefix": "tfzx_" + secret[5:],
            "upper prefix": "TFZO_" + secret[5:],
            "no prefix": secret[5:],
            "char outside alphabet": key_from_body(body[:-1] + "-"),
            "trailing newline": secret + "\n",
            "leading space": " " + secret,
            "empty": "",
        }
        for name, value in cases.items():
            with self.subTest(case=name):
                self.assertInvalid({"key": value}, "key_malformed")

    def test_unknown_well_formed_key(self):
        self.assertInvalid({"key": make_key()}, "key_invalid")

    def test_keys_not_cached_yet_leave_no_line_in_the_log(self):
        """Each is tried from memory first and answered by a worker when the cache misses:
        the miss is no error, so no 'answered 503' line per unknown or new key."""
        a = self.new_account()
        _, secret = create_key(a)
        for key in [make_key() for _ in range(5)] + [secret]:
            self.assertEqual(self.verify({"key": key}).status, 200)
        self.assertEqual(self.client().get("/api/v1/me", bearer=secret).status, 200)
        self.assertNotIn("not in the cache", self.server.log())

    def test_revoked_and_rotated_keys(self):
        a = self.new_account()
        key, secret = create_key(a)
        self.assertEqual(a.post(f"/api/keys/{key['id']}/revoke").status, 200)
        self.assertInvalid({"key": secret}, "key_revoked")
        key2, old = create_key(a)
        r = a.post(f"/api/keys/{key2['id']}/rotate", {})
        self.assertEqual(r.status, 200, r)
        new = r.json()["secret"]
        self.assertInvalid({"key": old}, "key_revoked")
        self.assertEqual(self.verify({"key": new}).json()["key_id"], key2["id"])

    def test_expired_key(self):
        a = self.new_account()
        expires = int(time.time()) + 4  # margin for a loaded machine under the sanitizers
        key, secret = create_key(a, expires_at=rfc3339(expires))
        self.assertIs(self.verify({"key": secret}).json()["valid"], True)
        self.assertTrue(wait_until(
            lambda: time.time() > expires and not self.verify({"key": secret}).json()["valid"],
            timeout=15, interval=0.25))
        self.assertInvalid({"key": secret}, "key_expired")
        self.assertInvalid({"key": secret, "org_id": "org_whatever"}, "key_expired")

    def test_key_checks_come_before_scope(self):
        a = self.new_account()
        org = create_org(a)
        key, secret = create_key(a)
        self.assertEqual(a.post(f"/api/keys/{key['id']}/revoke").status, 200)
        self.assertInvalid({"key": secret, "org_id": org["id"]}, "key_revoked")
        self.assertInvalid({"key": make_key(), "org_id": org["id"]}, "key_invalid")
        self.assertInvalid({"key": secret[:-2], "org_id": org["id"]}, "key_malformed")

    def test_scope_rules_with_org_id(self):
        a = self.new_account()
        b = self.new_account()
        o1 = create_org(a, "one")
        o2 = create_org(a, "two")
        foreign = create_org(b, "foreign")
        scoped_key, scoped = create_key(a, org_id=o1["id"])
        unscoped_key, unscoped = create_key(a)
        r = self.verify({"key": scoped, "org_id": o1["id"]})
        self.assertEqual(r.json(), {"valid": True, "key_id": scoped_key["id"],
                                    "account_id": a.account["id"], "org_id": o1["id"],
                                    "expires_at": None, "permissions": ALL})
        self.assertInvalid({"key": scoped, "org_id": o2["id"]}, "org_out_of_scope")
        self.assertInvalid({"key": scoped, "org_id": foreign["id"]}, "forbidden")
        r = self.verify({"key": unscoped, "org_id": o2["id"]})
        self.assertEqual(r.json(), {"valid": True, "key_id": unscoped_key["id"],
                                    "account_id": a.account["id"], "org_id": None,
                                    "expires_at": None, "permissions": ALL})
        self.assertInvalid({"key": unscoped, "org_id": foreign["id"]}, "forbidden")
        # org_id null or absent: no scope check.
        r = self.verify({"key": scoped, "org_id": None})
        self.assertEqual(r.json()["valid"], True, r)
        # Membership is checked now: joining the foreign org opens it to the unscoped key.
        join(b, foreign["id"], a)
        self.assertEqual(self.verify({"key": unscoped, "org_id": foreign["id"]}).json()["valid"],
                         True)
        self.assertEqual(b.delete(f"/api/orgs/{foreign['id']}/members/{a.account['id']}").status,
                         204)
        self.assertInvalid({"key": unscoped, "org_id": foreign["id"]}, "forbidden")

    def test_answers_are_the_same_bytes_however_the_body_is_written(self):
        """Plain bodies are scanned in place and the answer is kept per key; escapes, nulls and
        spacing go through the JSON parser: every way of asking gets the very same bytes."""
        a = self.new_account()
        org = create_org(a)
        expires = rfc3339(time.time() + 7 * 86400)
        key, secret = create_key(a, org_id=org["id"], expires_at=expires)
        escaped = secret.replace("_", "\\u005f", 1)
        valid = (b'{"account_id":"%s","expires_at":"%s","key_id":"%s","org_id":"%s",'
                 b'"permissions":%s,"valid":true}'
                 % (a.account["id"].encode(), expires.encode(), key["id"].encode(),
                    org["id"].encode(), json.dumps(ALL, separators=(",", ":")).encode()))
        forbidden = b'{"code":"forbidden","valid":false}'
        for raw, expected in (
                ('{"key":"%s"}' % secret, valid),
                ('{"key":"%s"}' % secret, valid),  # the kept answer
                (' {\n "org_id" : "%s", "key" : "%s" }\n' % (org["id"], secret), valid),
                ('{"key":"%s","org_id":null}' % secret, valid),
                ('{"key":"%s"}' % escaped, valid),
                ('{"key":"%s","org_id":"org_nope"}' % secret, forbidden),
                ('{"key":"%s","org_id":"org\\u005fnope"}' % secret, forbidden)):
            with self.subTest(raw=raw.replace(secret, "<key>")):
                r = self.client().post("/api/v1/keys/verify", raw=raw)
                self.assertEqual(r.status, 200, r)
                self.assertEqual(r.body.encode(), expected)

    def test_malformed_body_is_400(self):
        cases = [({}, "key"), ({"key": 12}, "key"), ({"key": None}, "key"),
                 ({"key": make_key(), "org_id": 5}, "org_id")]
        for body, field in cases:
            with self.subTest(body=body):
                r = self.verify(body)
                self.assertError(r, 400, "invalid_request")
                self.assertTrue(r.json()["error"]["message"].startswith(field), r)
        for raw in ("", "nope", "[]", "{\"key\":"):
            with self.subTest(raw=raw):
                self.assertError(self.client().post("/api/v1/keys/verify", raw=raw), 400,
                                 "invalid_request")


if __name__ == "__main__":
    unittest.main()
