"""Console API keys of docs/spec/API.md and docs/spec/KEYS.md: create, list, patch, rotate, revoke,
expiry, --max-key-lifetime, last_used_at, isolation between accounts."""

import time
import unittest

from harness import (ServerTestCase, TIME_RE, create_key, create_org, key_is_well_formed,
                     parse_rfc3339, rfc3339, wait_until)

KEY_FIELDS = {"id", "name", "description", "hint", "org_id", "org_name", "created_at", "flags",
              "expires_at", "last_used_at", "rotated_at", "revoked_at", "status",
              "permissions", "allowed_ips", "previous_valid_until", "service_account",
              "exposed_at"}
WWW_AUTH = 'Bearer error="invalid_token"'
# Seconds a key made to expire during a test stays valid first: enough for the steps before
# its expiry on a loaded machine under the sanitizers.
EXPIRY_MARGIN = 4


def days(n):
    return rfc3339(time.time() + n * 86400)


class KeysTest(ServerTestCase):

    def me(self, secret):
        return self.client().get("/api/v1/me", bearer=secret)

    def assertKeyShape(self, key):
        self.assertEqual(set(key), KEY_FIELDS, key)
        self.assertIsInstance(key["id"], str)
        self.assertTrue(key["id"].startswith("key_"), key)
        self.assertTrue(TIME_RE.match(key["created_at"]), key)
        for f in ("expires_at", "last_used_at", "rotated_at", "revoked_at"):
            self.assertTrue(key[f] is None or TIME_RE.match(key[f]), (f, key))
        self.assertIn(key["status"], ("active", "expired", "revoked"))
        self.assertRegex(key["hint"], r"^tfzo_\.\.\.[0-9A-Za-z]{4}$")

    def assertKeyRefused(self, secret, code):
        r = self.me(secret)
        self.assertError(r, 401, code)
        self.assertEqual(r.header("WWW-Authenticate"), WWW_AUTH, r.headers)
        self.assertNotIn(secret, r.body)

    # --- create -------------------------------------------------------------------------

    def test_create_minimal_key(self):
        a = self.new_account()
        before = time.time()
        r = a.post("/api/keys", {"name": "laptop"})
        self.assertEqual(r.status, 201, r)
        body = r.json()
        self.assertEqual(set(body), {"key", "secret"})
        key, secret = body["key"], body["secret"]
        self.assertKeyShape(key)
        self.assertTrue(key_is_well_formed(secret), "secret must follow docs/spec/KEYS.md")
        self.assertEqual(key["hint"], "tfzo_..." + secret[-4:])
        self.assertEqual(key["name"], "laptop")
        self.assertIn(key["description"], ("", None))
        self.assertIsNone(key["org_id"])
        self.assertIsNone(key["org_name"])
        self.assertIsNone(key["expires_at"])
        self.assertIsNone(key["last_used_at"])
        self.assertIsNone(key["rotated_at"])
        self.assertIsNone(key["revoked_at"])
        self.assertEqual(key["status"], "active")
        created = parse_rfc3339(key["created_at"])
        self.assertLessEqual(abs(created - before), 5, key["created_at"])
        # Works at once.
        self.assertEqual(self.me(secret).status, 200)

    def test_create_full_key(self):
        a = self.new_account()
        org = create_org(a, "Fleet")
        expires = days(10)
        r = a.post("/api/keys", {"name": "ci", "description": "for the CI runners",
                                 "expires_at": expires, "org_id": org["id"]})
        self.assertEqual(r.status, 201, r)
        key = r.json()["key"]
        self.assertKeyShape(key)
        self.assertEqual(key["description"], "for the CI runners")
        self.assertEqual(key["expires_at"], expires)
        self.assertEqual(key["org_id"], org["id"])
        self.assertEqual(key["org_name"], "Fleet")
        self.assertEqual(key["status"], "active")

    def test_create_expires_at_null_and_offset(self):
        a = self.new_account()
        key, _ = create_key(a, expires_at=None)
        self.assertIsNone(key["expires_at"])
        # An RFC 3339 offset is accepted and answered in UTC with Z.
        key, _ = create_key(a, expires_at="2040-01-01T02:00:00+02:00")
        self.assertEqual(key["expires_at"], "2040-01-01T00:00:00Z")

    def test_create_secrets_are_unique(self):
        a = self.new_account()
        secrets_seen = {create_key(a)[1] for _ in range(5)}
        self.assertEqual(len(secrets_seen), 5)

    def test_create_invalid_request_names_the_field(self):
        a = self.new_account()
        cases = [
            ({}, "name"),
            ({"name": ""}, "name"),
            ({"name": "x" * 101}, "name"),
            ({"name": 12}, "name"),
            ({"name": None}, "name"),
            ({"name": "ok", "description": "d" * 501}, "description"),
            ({"name": "ok", "description": 5}, "description"),
            ({"name": "ok", "expires_at": "tomorrow"}, "expires_at"),
            ({"name": "ok", "expires_at": "2020-01-01T00:00:00Z"}, "expires_at"),
            ({"name": "ok", "expires_at": rfc3339(time.time() - 5)}, "expires_at"),
            ({"name": "ok", "expires_at": 1893456000}, "expires_at"),
            ({"name": "ok", "org_id": 17}, "org_id"),
        ]
        for body, field in cases:
            with self.subTest(body=str(body)[:60]):
                r = a.post("/api/keys", body)
                self.assertError(r, 400, "invalid_request")
                msg = r.json()["error"]["message"]
                self.assertTrue(msg.startswith(field), msg)
        for raw in ("not json", "", "[]", "{\"name\": \"x\""):
            with self.subTest(raw=raw):
                self.assertError(a.post("/api/keys", raw=raw), 400, "invalid_request")
        self.assertEqual(a.get("/api/keys").json(), {"keys": [], "next_cursor": None})

    def test_name_and_description_bounds_accepted(self):
        a = self.new_account()
        key, _ = create_key(a, "n" * 100, description="d" * 500)
        self.assertEqual(key["name"], "n" * 100)
        self.assertEqual(key["description"], "d" * 500)
        key, _ = create_key(a, "é")
        self.assertEqual(key["name"], "é")

    def test_create_scoped_to_foreign_or_unknown_org_is_forbidden(self):
        a = self.new_account()
        b = self.new_account()
        org = create_org(b)
        self.assertError(a.post("/api/keys", {"name": "x", "org_id": org["id"]}), 403,
                         "forbidden")
        self.assertError(a.post("/api/keys", {"name": "x", "org_id": "org_doesnotexist"}),
                         403, "forbidden")
        self.assertEqual(a.get("/api/keys").json(), {"keys": [], "next_cursor": None})

    def test_key_paths_need_session_and_csrf(self):
        a = self.new_account()
        key, secret = create_key(a)
        anon = self.client()
        self.assertError(anon.get("/api/keys"), 401, "unauthenticated")
        self.assertError(anon.post("/api/keys", {"name": "x"}), 401, "unauthenticated")
        bad = {"X-CSRF-Token": "wrong"}
        for method, path, body in (("POST", "/api/keys", {"name": "x"}),
                                   ("PATCH", f"/api/keys/{key['id']}", {"name": "y"}),
                                   ("POST", f"/api/keys/{key['id']}/rotate", {}),
                                   ("POST", f"/api/keys/{key['id']}/revoke", None)):
            with self.subTest(method=method, path=path):
                self.assertError(a.request(method, path, body=body, headers=bad), 403,
                                 "csrf_failed")
                csrf, a.csrf = a.csrf, None
                try:
                    self.assertError(a.request(method, path, body=body), 403, "csrf_failed")
                finally:
                    a.csrf = csrf
        keys = a.get("/api/keys").json()["keys"]
        self.assertEqual(len(keys), 1)
        self.assertEqual(keys[0]["name"], key["name"])
        self.assertEqual(keys[0]["status"], "active")
        self.assertEqual(self.me(secret).status, 200)

    def test_api_key_never_accepted_on_console_key_paths(self):
        a = self.new_account()
        key, secret = create_key(a)
        anon = self.client()
        for method, path, body in (("GET", "/api/keys", None),
                                   ("POST", "/api/keys", {"name": "minted"}),
                                   ("PATCH", f"/api/keys/{key['id']}", {"name": "y"}),
                                   ("POST", f"/api/keys/{key['id']}/rotate", {}),
                                   ("POST", f"/api/keys/{key['id']}/revoke", None),
                                   ("GET", "/api/session", None),
                                   ("GET", "/api/audit", None)):
            with self.subTest(method=method, path=path):
                r = anon.request(method, path, body=body, bearer=secret)
                self.assertError(r, 403, "session_required")
                self.assertNotIn(secret, r.body)
        # Nothing was minted or changed.
        keys = a.get("/api/keys").json()["keys"]
        self.assertEqual([k["id"] for k in keys], [key["id"]])
        self.assertEqual(keys[0]["name"], key["name"])
        self.assertEqual(keys[0]["status"], "active")

    # --- list ---------------------------------------------------------------------------

    def test_list_newest_first_with_revoked_and_expired(self):
        a = self.new_account()
        k1, s1 = create_key(a, "first")
        # Whole seconds, with margin: k2 must still be active when listed below, even on a
        # loaded machine under the sanitizers.
        k2, s2 = create_key(a, "second", expires_at=rfc3339(time.time() + EXPIRY_MARGIN + 1))
        k3, s3 = create_key(a, "third")
        k4, s4 = create_key(a, "fourth")
        self.assertEqual(a.post(f"/api/keys/{k3['id']}/revoke").status, 200)
        r = a.get("/api/keys")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(set(r.json()), {"keys", "next_cursor"})
        keys = r.json()["keys"]
        self.assertEqual([k["id"] for k in keys], [k4["id"], k3["id"], k2["id"], k1["id"]])
        for k in keys:
            self.assertKeyShape(k)
        for s in (s1, s2, s3, s4):
            self.assertNotIn(s, r.body)
            self.assertNotIn(s[5:35], r.body)
        self.assertEqual([k["status"] for k in keys], ["active", "revoked", "active", "active"])
        # Let k2 expire.
        self.assertTrue(wait_until(lambda: self.me(s2).status == 401,
                                   timeout=EXPIRY_MARGIN + 10, interval=0.25))
        keys = a.get("/api/keys").json()["keys"]
        self.assertEqual([k["id"] for k in keys], [k4["id"], k3["id"], k2["id"], k1["id"]])
        self.assertEqual([k["status"] for k in keys], ["active", "revoked", "expired", "active"])

    def test_list_shows_only_own_keys(self):
        a = self.new_account()
        b = self.new_account()
        ka, _ = create_key(a)
        kb, _ = create_key(b)
        self.assertEqual([k["id"] for k in a.get("/api/keys").json()["keys"]], [ka["id"]])
        self.assertEqual([k["id"] for k in b.get("/api/keys").json()["keys"]], [kb["id"]])

    # --- patch --------------------------------------------------------------------------

    def test_patch_name_and_description(self):
        a = self.new_account()
        key, secret = create_key(a, "old", description="old desc")
        r = a.patch(f"/api/keys/{key['id']}", {"name": "new"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(set(r.json()), {"key"})
        patched = r.json()["key"]
        self.assertKeyShape(patched)
        self.assertEqual(patched["name"], "new")
        self.assertEqual(patched["description"], "old desc")
        r = a.patch(f"/api/keys/{key['id']}", {"description": "new desc"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["key"]["name"], "new")
        self.assertEqual(r.json()["key"]["description"], "new desc")
        r = a.patch(f"/api/keys/{key['id']}", {"name": "both", "description": ""})
        self.assertEqual(r.status, 200, r)
        self.assertEqual((r.json()["key"]["name"], r.json()["key"]["description"]), ("both", ""))
        unchanged = {f: key[f] for f in ("id", "hint", "org_id", "created_at", "expires_at",
                                          "status")}
        self.assertEqual({f: r.json()["key"][f] for f in unchanged}, unchanged)
        self.assertNotIn(secret, r.body)
        listed = a.get("/api/keys").json()["keys"][0]
        self.assertEqual((listed["name"], listed["description"]), ("both", ""))
        self.assertEqual(self.me(secret).status, 200)

    def test_patch_invalid_request(self):
        a = self.new_account()
        key, _ = create_key(a, "keep")
        for body, field in (({"name": ""}, "name"), ({"name": "x" * 101}, "name"),
                            ({"name": 3}, "name"), ({"description": "d" * 501}, "description"),
                            ({"description": []}, "description")):
            with self.subTest(body=str(body)[:40]):
                r = a.patch(f"/api/keys/{key['id']}", body)
                self.assertError(r, 400, "invalid_request")
                self.assertTrue(r.json()["error"]["message"].startswith(field), r)
        self.assertError(a.patch(f"/api/keys/{key['id']}", raw="{"), 400, "invalid_request")
        self.assertEqual(a.get("/api/keys").json()["keys"][0]["name"], "keep")

    def test_unknown_key_id_is_404(self):
        a = self.new_account()
        for method, path, body in (("PATCH", "/api/keys/key_doesnotexist", {"name": "x"}),
                                   ("POST", "/api/keys/key_doesnotexist/rotate", {}),
                                   ("POST", "/api/keys/key_doesnotexist/revoke", None)):
            with self.subTest(method=method, path=path):
                self.assertError(a.request(method, path, body=body), 404, "not_found")

    # --- rotate -------------------------------------------------------------------------

    def test_rotate_keeps_the_key_and_replaces_the_secret(self):
        a = self.new_account()
        org = create_org(a, "Rot")
        expires = days(20)
        key, old = create_key(a, "rotating", description="d", expires_at=expires,
                              org_id=org["id"])
        r = a.post(f"/api/keys/{key['id']}/rotate", {})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(set(r.json()), {"key", "secret"})
        rotated, new = r.json()["key"], r.json()["secret"]
        self.assertKeyShape(rotated)
        self.assertTrue(key_is_well_formed(new))
        self.assertNotEqual(new, old)
        for f in ("id", "name", "description", "org_id", "org_name", "expires_at",
                  "created_at"):
            self.assertEqual(rotated[f], key[f], f)
        self.assertEqual(rotated["hint"], "tfzo_..." + new[-4:])
        self.assertTrue(TIME_RE.match(rotated["rotated_at"]), rotated)
        self.assertEqual(rotated["status"], "active")
        self.assertIsNone(rotated["revoked_at"])
        # At once: the old secret is key_revoked, the new one works.
        self.assertKeyRefused(old, "key_revoked")
        r = self.me(new)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["key"]["id"], key["id"])
        self.assertEqual(self.client().get(f"/api/v1/orgs/{org['id']}/agents",
                                           bearer=new).status, 200)
        # Listed once, with the new hint.
        keys = a.get("/api/keys").json()["keys"]
        self.assertEqual([k["id"] for k in keys], [key["id"]])
        self.assertEqual(keys[0]["hint"], rotated["hint"])
        self.assertNotIn(new, a.get("/api/keys").body)
        # A second rotation: both earlier secrets are revoked.
        r = a.post(f"/api/keys/{key['id']}/rotate")
        self.assertEqual(r.status, 200, r)
        newer = r.json()["secret"]
        self.assertKeyRefused(old, "key_revoked")
        self.assertKeyRefused(new, "key_revoked")
        self.assertEqual(self.me(newer).status, 200)

    def test_rotate_replaces_expiration_when_given(self):
        a = self.new_account()
        key, _ = create_key(a, expires_at=days(5))
        expires = days(40)
        r = a.post(f"/api/keys/{key['id']}/rotate", {"expires_at": expires})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["key"]["expires_at"], expires)
        key2, _ = create_key(a)
        r = a.post(f"/api/keys/{key2['id']}/rotate", {"expires_at": expires})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["key"]["expires_at"], expires)
        r = a.post(f"/api/keys/{key2['id']}/rotate", {"expires_at": "2001-01-01T00:00:00Z"})
        self.assertError(r, 400, "invalid_request")
        self.assertTrue(r.json()["error"]["message"].startswith("expires_at"))
        r = a.post(f"/api/keys/{key2['id']}/rotate", {"expires_at": "soon"})
        self.assertError(r, 400, "invalid_request")
        self.assertEqual(a.get("/api/keys").json()["keys"][0]["expires_at"], expires)

    def test_rotate_revoked_key_is_conflict(self):
        a = self.new_account()
        key, secret = create_key(a)
        self.assertEqual(a.post(f"/api/keys/{key['id']}/revoke").status, 200)
        r = a.post(f"/api/keys/{key['id']}/rotate", {})
        self.assertError(r, 409, "conflict")
        r = a.post(f"/api/keys/{key['id']}/rotate", {"expires_at": days(3)})
        self.assertError(r, 409, "conflict")
        self.assertKeyRefused(secret, "key_revoked")

    # --- revoke -------------------------------------------------------------------------

    def test_revoke_is_permanent_and_idempotent(self):
        a = self.new_account()
        key, secret = create_key(a, "to revoke")
        self.assertEqual(self.me(secret).status, 200)
        r = a.post(f"/api/keys/{key['id']}/revoke")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(set(r.json()), {"key"})
        revoked = r.json()["key"]
        self.assertKeyShape(revoked)
        self.assertEqual(revoked["status"], "revoked")
        self.assertTrue(TIME_RE.match(revoked["revoked_at"]))
        self.assertEqual(revoked["id"], key["id"])
        self.assertKeyRefused(secret, "key_revoked")
        time.sleep(1.1)  # a second revoke must keep the first revoked_at
        r = a.post(f"/api/keys/{key['id']}/revoke")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["key"]["revoked_at"], revoked["revoked_at"])
        self.assertEqual(r.json()["key"]["status"], "revoked")
        listed = a.get("/api/keys").json()["keys"]
        self.assertEqual(listed[0]["status"], "revoked")
        self.assertEqual(listed[0]["revoked_at"], revoked["revoked_at"])

    # --- expiry -------------------------------------------------------------------------

    def test_expired_key(self):
        a = self.new_account()
        expires_unix = int(time.time()) + EXPIRY_MARGIN
        key, secret = create_key(a, expires_at=rfc3339(expires_unix))
        self.assertEqual(key["expires_at"], rfc3339(expires_unix))
        self.assertEqual(self.me(secret).status, 200)
        self.assertTrue(wait_until(lambda: time.time() > expires_unix and
                                   self.me(secret).status == 401,
                                   timeout=EXPIRY_MARGIN + 10, interval=0.25))
        r = self.me(secret)
        self.assertError(r, 401, "key_expired")
        self.assertEqual(r.header("WWW-Authenticate"), WWW_AUTH)
        self.assertIn(key["expires_at"][:10], r.json()["error"]["message"],
                      "the message gives the date")
        self.assertNotIn(secret, r.body)
        r = self.client().post("/api/v1/keys/verify", {"key": secret})
        self.assertEqual(r.json(), {"valid": False, "code": "key_expired"})
        listed = a.get("/api/keys").json()["keys"][0]
        self.assertEqual(listed["status"], "expired")
        # Rotating an expired key needs a new expiration.
        r = a.post(f"/api/keys/{key['id']}/rotate", {})
        self.assertError(r, 409, "conflict")
        self.assertError(a.post(f"/api/keys/{key['id']}/rotate"), 409, "conflict")
        expires = days(1)
        r = a.post(f"/api/keys/{key['id']}/rotate", {"expires_at": expires})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["key"]["status"], "active")
        self.assertEqual(r.json()["key"]["expires_at"], expires)
        self.assertEqual(self.me(r.json()["secret"]).status, 200)
        self.assertKeyRefused(secret, "key_revoked")

    # --- last_used_at -------------------------------------------------------------------

    def test_last_used_at_set_within_5_seconds(self):
        a = self.new_account()
        key, secret = create_key(a)
        unused, _ = create_key(a)
        self.assertIsNone(key["last_used_at"])
        time.sleep(0.2)
        self.assertIsNone(a.get("/api/keys").json()["keys"][1]["last_used_at"])
        used_at = time.time()
        self.assertEqual(self.me(secret).status, 200)

        def last_used():
            for k in a.get("/api/keys").json()["keys"]:
                if k["id"] == key["id"]:
                    return k["last_used_at"]
        value = wait_until(last_used, timeout=7, interval=0.25)
        self.assertIsNotNone(value, "last_used_at must be set within 5 seconds of a use")
        self.assertTrue(TIME_RE.match(value))
        seen = parse_rfc3339(value)
        self.assertLessEqual(abs(seen - used_at), 3, value)
        self.assertIsNone([k for k in a.get("/api/keys").json()["keys"]
                           if k["id"] == unused["id"]][0]["last_used_at"])

    # --- isolation ----------------------------------------------------------------------

    def test_another_accounts_key_is_404(self):
        a = self.new_account()
        b = self.new_account()
        key, secret = create_key(a, "mine", description="private")
        for method, path, body in (("PATCH", f"/api/keys/{key['id']}", {"name": "pwned"}),
                                   ("POST", f"/api/keys/{key['id']}/rotate", {}),
                                   ("POST", f"/api/keys/{key['id']}/rotate",
                                    {"expires_at": days(2)}),
                                   ("POST", f"/api/keys/{key['id']}/revoke", None)):
            with self.subTest(method=method, path=path):
                r = b.request(method, path, body=body)
                self.assertError(r, 404, "not_found")
                self.assertNotIn("private", r.body)
        self.assertEqual(b.get("/api/keys").json(), {"keys": [], "next_cursor": None})
        listed = a.get("/api/keys").json()["keys"]
        self.assertEqual(len(listed), 1)
        self.assertEqual(listed[0]["name"], "mine")
        self.assertEqual(listed[0]["status"], "active")
        self.assertIsNone(listed[0]["rotated_at"])
        self.assertEqual(self.me(secret).status, 200)


class MaxKeyLifetimeTest(ServerTestCase):
    server_args = ("--max-key-lifetime", "30")

    def test_session_reports_the_limit(self):
        a = self.new_account()
        self.assertEqual(a.get("/api/session").json()["max_key_lifetime_days"], 30)

    def test_never_and_too_long_are_refused(self):
        a = self.new_account()
        for body in ({"name": "x"}, {"name": "x", "expires_at": None},
                     {"name": "x", "expires_at": days(31)},
                     {"name": "x", "expires_at": days(365)}):
            with self.subTest(body=body):
                r = a.post("/api/keys", body)
                self.assertError(r, 400, "invalid_request")
                self.assertTrue(r.json()["error"]["message"].startswith("expires_at"), r)
        self.assertEqual(a.get("/api/keys").json(), {"keys": [], "next_cursor": None})

    def test_within_the_limit_is_accepted(self):
        a = self.new_account()
        expires = days(29)
        key, secret = create_key(a, expires_at=expires)
        self.assertEqual(key["expires_at"], expires)
        self.assertEqual(self.client().get("/api/v1/me", bearer=secret).status, 200)
        # Rotation keeps the (allowed) expiration; a new one is held to the limit too.
        r = a.post(f"/api/keys/{key['id']}/rotate", {})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["key"]["expires_at"], expires)
        r = a.post(f"/api/keys/{key['id']}/rotate", {"expires_at": days(45)})
        self.assertError(r, 400, "invalid_request")
        r = a.post(f"/api/keys/{key['id']}/rotate", {"expires_at": None})
        self.assertError(r, 400, "invalid_request")
        r = a.post(f"/api/keys/{key['id']}/rotate", {"expires_at": days(2)})
        self.assertEqual(r.status, 200, r)


if __name__ == "__main__":
    unittest.main()
