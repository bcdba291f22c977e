"""The error table of docs/spec/API.md across paths: the error body, 404, 405 with Allow, 413,
401 key codes with WWW-Authenticate, X-Request-Id on every response."""

import http.client
import json
import unittest

from harness import BASE62, ServerTestCase, create_key, create_org, key_from_body, make_key

WWW_AUTH = 'Bearer error="invalid_token"'


class ErrorsTest(ServerTestCase):

    def test_unknown_paths_are_404(self):
        a = self.new_account()
        for method, path in (("GET", "/api/nope"), ("POST", "/api/nope"),
                             ("GET", "/api/keys/key_x/y/z"), ("GET", "/api/orgs/o/nothing"),
                             ("GET", "/api/v2/me")):
            with self.subTest(method=method, path=path):
                r = a.request(method, path, body={} if method == "POST" else None)
                self.assertError(r, 404, "not_found")
                self.assertTrue(r.header("Content-Type").startswith("application/json"))
        anon = self.client()
        self.assertError(anon.get("/api/nope"), 404, "not_found")

    def test_method_not_allowed_sets_allow(self):
        a = self.new_account()
        org = create_org(a)
        key, _ = create_key(a)
        cases = [
            ("GET", "/api/signup", {"POST"}),
            ("GET", "/api/login", {"POST"}),
            ("GET", "/api/logout", {"POST"}),
            ("POST", "/api/session", {"GET"}),
            ("DELETE", "/api/keys", {"GET", "POST"}),
            ("PUT", "/api/orgs", {"GET", "POST"}),
            ("GET", f"/api/keys/{key['id']}/rotate", {"POST"}),
            ("GET", f"/api/keys/{key['id']}/revoke", {"POST"}),
            ("DELETE", f"/api/keys/{key['id']}", {"PATCH"}),
            ("PATCH", f"/api/orgs/{org['id']}/members", {"GET"}),
            ("POST", f"/api/orgs/{org['id']}/members", {"GET"}),
            ("PATCH", f"/api/orgs/{org['id']}/invitations", {"GET", "POST"}),
            ("GET", f"/api/orgs/{org['id']}/invitations/inv_x", {"DELETE"}),
            ("POST", "/api/invitations", {"GET"}),
            ("GET", "/api/invitations/inv_x/accept", {"POST"}),
            ("GET", "/api/email/verify", {"POST"}),
            ("GET", "/api/account", {"PATCH"}),
            ("GET", f"/api/orgs/{org['id']}/members/{a.account['id']}", {"DELETE"}),
            ("POST", f"/api/orgs/{org['id']}/keys", {"GET"}),
            ("POST", "/api/audit", {"GET"}),
            ("POST", "/healthz", {"GET"}),
        ]
        for method, path, allowed in cases:
            with self.subTest(method=method, path=path):
                r = a.request(method, path,
                              body={} if method in ("POST", "PUT", "PATCH") else None)
                self.assertError(r, 405, "method_not_allowed")
                allow = {m.strip() for m in (r.header("Allow") or "").split(",") if m.strip()}
                self.assertTrue(allowed <= allow, (path, allowed, allow))
                self.assertNotIn(method, allow)

    def test_payload_too_large(self):
        a = self.new_account()
        big = json.dumps({"name": "x", "description": "y" * (70 * 1024)})
        for client, path in ((self.client(), "/api/signup"), (a, "/api/keys"),
                             (self.client(), "/api/v1/keys/verify")):
            with self.subTest(path=path):
                try:
                    r = client.post(path, raw=big)
                except (BrokenPipeError, ConnectionResetError) as e:
                    self.fail(f"server closed the connection instead of answering 413: {e}")
                self.assertError(r, 413, "payload_too_large")
                self.assertTrue(r.header("X-Request-Id"))
        self.assertEqual(a.get("/api/keys").json(), {"keys": [], "next_cursor": None})

    def test_64_kib_exactly_is_accepted_one_more_byte_is_not(self):
        def body_of(size):
            prefix = '{"key": "'
            suffix = '"}'
            return prefix + "k" * (size - len(prefix) - len(suffix)) + suffix
        anon = self.client()
        r = anon.post("/api/v1/keys/verify", raw=body_of(64 * 1024))
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json(), {"valid": False, "code": "key_malformed"})
        r = anon.post("/api/v1/keys/verify", raw=body_of(64 * 1024 + 1))
        self.assertError(r, 413, "payload_too_large")

    def test_every_response_has_a_request_id(self):
        a = self.new_account()
        _, secret = create_key(a)
        anon = self.client()
        responses = [
            a.get("/api/session"), a.get("/api/keys"), anon.get("/api/keys"),
            anon.get("/api/nope"), anon.request("DELETE", "/api/keys"),
            anon.get("/api/v1/me"), anon.get("/api/v1/me", bearer=secret),
            anon.get("/api/v1/me", bearer=make_key()), anon.get("/healthz"),
            anon.get("/metrics"), anon.post("/api/login", raw="{"),
            anon.post("/api/v1/keys/verify", {"key": secret}),
            a.post("/api/orgs", {"name": "x"}, headers={"X-CSRF-Token": "no"}),
            anon.get("/api/keys", bearer=secret),
        ]
        ids = []
        for r in responses:
            rid = r.header("X-Request-Id")
            self.assertTrue(rid, r)
            ids.append(rid)
        self.assertEqual(len(set(ids)), len(ids), "request ids must differ")

    def test_key_malformed_variants_on_v1(self):
        a = self.new_account()
        _, secret = create_key(a)
        anon = self.client()
        last = secret[-1]
        variants = {
            "truncated": secret[:-1],
            "bad checksum": secret[:-1] + BASE62[(BASE62.index(last) + 1) % 62],
            "wrong prefix": "tfzp_" + secret[5:],
            "outside alphabet": key_from_body(secret[5:34] + "_"),
            "too long": secret + "0",
        }
        for name, value in variants.items():
            with self.subTest(case=name):
                r = anon.get("/api/v1/me", bearer=value)
                self.assertError(r, 401, "key_malformed")
                self.assertEqual(r.header("WWW-Authenticate"), WWW_AUTH)
                self.assertNotIn(value, r.body)
                self.assertNotIn(secret[5:30], r.body)
        self.assertEqual(anon.get("/api/v1/me", bearer=secret).status, 200)

    def test_key_invalid_on_v1(self):
        anon = self.client()
        k = make_key()
        for path in ("/api/v1/me", "/api/v1/orgs", "/api/v1/orgs/org_x/agents"):
            with self.subTest(path=path):
                r = anon.get(path, bearer=k)
                self.assertError(r, 401, "key_invalid")
                self.assertEqual(r.header("WWW-Authenticate"), WWW_AUTH)
                self.assertNotIn(k, r.body)

    def test_key_revoked_message_says_when(self):
        a = self.new_account()
        key, secret = create_key(a)
        revoked = a.post(f"/api/keys/{key['id']}/revoke").json()["key"]
        r = self.client().get("/api/v1/me", bearer=secret)
        self.assertError(r, 401, "key_revoked")
        msg = r.json()["error"]["message"]
        # The message says when: the date of revoked_at appears in it.
        self.assertIn(revoked["revoked_at"][:10], msg)
        # ... and which: revoked, or replaced by a rotation.
        key2, old = create_key(a)
        self.assertEqual(a.post(f"/api/keys/{key2['id']}/rotate", {}).status, 200)
        r = self.client().get("/api/v1/me", bearer=old)
        self.assertError(r, 401, "key_revoked")
        rotated_msg = r.json()["error"]["message"]
        self.assertNotEqual(rotated_msg, msg, "the message says which: revoked or rotated")
        self.assertIn(revoked["revoked_at"][:10], rotated_msg)

    def test_401_on_console_paths_has_json_body(self):
        anon = self.client()
        for method, path in (("GET", "/api/keys"), ("POST", "/api/keys"),
                             ("GET", "/api/orgs"), ("GET", "/api/audit"),
                             ("POST", "/api/logout"), ("GET", "/api/session")):
            with self.subTest(method=method, path=path):
                r = anon.request(method, path, body={} if method == "POST" else None)
                self.assertError(r, 401, "unauthenticated")
                self.assertTrue(r.header("Content-Type").startswith("application/json"))

    def test_bearer_on_console_paths_is_session_required_even_without_cookie(self):
        anon = self.client()
        for k in (make_key(), "not-even-a-key"):
            for method, path in (("GET", "/api/keys"), ("POST", "/api/keys"),
                                 ("GET", "/api/orgs"), ("POST", "/api/orgs")):
                with self.subTest(key=k[:8], method=method, path=path):
                    r = anon.request(method, path, body={"name": "x"} if method == "POST"
                                     else None, bearer=k)
                    self.assertError(r, 403, "session_required")

    def test_errors_do_not_echo_passwords(self):
        a = self.new_account()
        r = self.client().login(a.email, a.password + "-wrong")
        self.assertError(r, 401, "invalid_credentials")
        self.assertNotIn(a.password, r.body)
        r = self.client().post("/api/signup", {"email": a.email, "password": "a-new-password"})
        self.assertError(r, 409, "email_taken")
        self.assertNotIn("a-new-password", r.body)

    def test_raw_http_error_body_is_exact(self):
        """One request by hand: the body is exactly {"error": {"code", "message"}}."""
        conn = http.client.HTTPConnection(self.server.host, self.server.port, timeout=10)
        conn.request("GET", "/api/keys")
        r = conn.getresponse()
        body = json.loads(r.read())
        conn.close()
        self.assertEqual(r.status, 401)
        self.assertEqual(set(body), {"error"})
        self.assertEqual(set(body["error"]), {"code", "message"})
        self.assertEqual(body["error"]["code"], "unauthenticated")
        self.assertEqual(r.getheader("Content-Type").lower().replace(" ", ""),
                         "application/json;charset=utf-8")

    def test_success_content_type(self):
        a = self.new_account()
        for r in (a.get("/api/keys"), a.get("/api/session"), self.client().get("/healthz")):
            self.assertEqual(r.header("Content-Type").lower().replace(" ", ""),
                             "application/json;charset=utf-8")


if __name__ == "__main__":
    unittest.main()
