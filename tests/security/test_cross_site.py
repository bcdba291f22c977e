"""Regression tests over real HTTP for the hardening finding "a cross-site form with
enctype=text/plain can sign a victim into the attacker's account (login CSRF): any content type
is accepted and Origin is not checked" (docs/spec/API.md, "Cross-site requests"): JSON routes
answer 415 to a body that is not application/json; sign-up, login and the console's state
changes answer 403 cross_site_request when Sec-Fetch-Site or Origin show another site."""

import json
import secrets
import sys
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "integration"))

from harness import ServerTestCase, create_key, create_org, make_key  # noqa: E402

EVIL = "https://evil.example"


class ContentTypeTest(ServerTestCase):

    def form_post(self, client, path, body, content_type):
        """What an HTML form on another site can send: a JSON-looking body, any enctype."""
        return client.request("POST", path, raw=json.dumps(body),
                              headers={"Content-Type": content_type})

    def test_login_csrf_with_a_text_plain_form_is_refused_without_a_session(self):
        attacker = self.new_account()
        creds = {"email": attacker.email, "password": attacker.password}
        for content_type in ("text/plain", "text/plain; charset=utf-8",
                             "application/x-www-form-urlencoded",
                             "multipart/form-data; boundary=x"):
            with self.subTest(content_type=content_type):
                victim = self.client()
                r = self.form_post(victim, "/api/login", creds, content_type)
                self.assertError(r, 415, "unsupported_media_type")
                self.assertIsNone(r.header("Set-Cookie"), r.headers)
                self.assertEqual(victim.cookies, {})
        # The same body as JSON signs in.
        r = self.form_post(self.client(), "/api/login", creds, "application/json; charset=utf-8")
        self.assertEqual(r.status, 200, r)
        self.assertIsNotNone(r.header("Set-Cookie"))

    def test_signup_with_a_text_plain_body_creates_nothing(self):
        address = f"form-{secrets.token_hex(4)}@example.com"
        r = self.form_post(self.client(), "/api/signup",
                           {"email": address, "password": "pw-" * 4}, "text/plain")
        self.assertError(r, 415, "unsupported_media_type")
        self.assertIsNone(r.header("Set-Cookie"))
        self.assertError(self.client().login(address, "pw-" * 4), 401, "invalid_credentials")

    def test_every_json_route_refuses_other_media_types(self):
        a = self.new_account()
        org = create_org(a)
        key, secret = create_key(a)
        headers = {"Content-Type": "text/plain", "X-CSRF-Token": a.csrf}
        cases = [
            ("POST", "/api/orgs", {"name": "x"}, {}),
            ("POST", f"/api/orgs/{org['id']}/invitations", {"email": a.email, "role": "owner"},
             {}),
            ("POST", "/api/email/verify", {"token": "A" * 43}, {}),
            ("PATCH", "/api/account", {"email": "x@example.com", "password": "x" * 8}, {}),
            ("POST", "/api/keys", {"name": "x"}, {}),
            ("PATCH", f"/api/keys/{key['id']}", {"name": "renamed"}, {}),
            ("POST", f"/api/keys/{key['id']}/rotate", {"expires_at": None}, {}),
            ("POST", f"/api/v1/orgs/{org['id']}/agents", {"name": "x"}, {"bearer": secret}),
            ("POST", f"/api/v1/orgs/{org['id']}/hosts", {"name": "x", "address": "h"},
             {"bearer": secret}),
            ("POST", "/api/v1/keys/verify", {"key": secret}, {}),
        ]
        for method, path, body, kw in cases:
            with self.subTest(method=method, path=path):
                r = a.request(method, path, raw=json.dumps(body), headers=headers, **kw)
                self.assertError(r, 415, "unsupported_media_type")
        # Nothing changed: no org, key, agent or host was made, the key kept its name and secret.
        self.assertEqual(len(a.get("/api/orgs").json()["orgs"]), 1)
        keys = a.get("/api/keys").json()["keys"]
        self.assertEqual([k["name"] for k in keys], [key["name"]])
        self.assertEqual(a.get("/api/v1/me", bearer=secret).status, 200)
        self.assertEqual(a.get(f"/api/v1/orgs/{org['id']}/agents", bearer=secret).json(),
                         {"agents": []})
        # A route whose body is optional takes no body whatever its Content-Type.
        r = a.request("POST", f"/api/keys/{key['id']}/rotate", raw=b"", headers=headers)
        self.assertEqual(r.status, 200, r)


class CrossSiteTest(ServerTestCase):

    def same_origin(self):
        return f"http://127.0.0.1:{self.server.port}"

    def test_login_from_another_origin_is_refused_without_a_session(self):
        attacker = self.new_account()
        for headers in ({"Origin": EVIL}, {"Sec-Fetch-Site": "cross-site"},
                        {"Sec-Fetch-Site": "same-site"}, {"Origin": "null"},
                        {"Origin": EVIL, "Sec-Fetch-Site": "same-origin"},
                        {"Origin": self.same_origin(), "Sec-Fetch-Site": "cross-site"}):
            with self.subTest(headers=headers):
                victim = self.client()
                r = victim.post("/api/login", {"email": attacker.email,
                                               "password": attacker.password}, headers=headers)
                self.assertError(r, 403, "cross_site_request")
                self.assertIsNone(r.header("Set-Cookie"), r.headers)

    def test_signup_from_another_origin_creates_nothing(self):
        address = f"xs-{secrets.token_hex(4)}@example.com"
        for headers in ({"Origin": EVIL}, {"Sec-Fetch-Site": "cross-site"}):
            with self.subTest(headers=headers):
                r = self.client().post("/api/signup", {"email": address, "password": "pw-" * 4},
                                       headers=headers)
                self.assertError(r, 403, "cross_site_request")
                self.assertIsNone(r.header("Set-Cookie"))
        self.assertError(self.client().login(address, "pw-" * 4), 401, "invalid_credentials")

    def test_console_state_changes_from_another_origin_change_nothing(self):
        a = self.new_account()
        org = create_org(a, "kept")
        key, secret = create_key(a, "kept")
        for headers in ({"Origin": EVIL}, {"Sec-Fetch-Site": "cross-site"}):
            with self.subTest(headers=headers):
                # Even with the session cookie and the right CSRF token.
                for method, path, body in [
                        ("POST", "/api/orgs", {"name": "evil"}),
                        ("POST", "/api/keys", {"name": "evil"}),
                        ("PATCH", f"/api/keys/{key['id']}", {"name": "evil"}),
                        ("POST", f"/api/keys/{key['id']}/revoke", None),
                        ("DELETE", f"/api/orgs/{org['id']}/members/{a.account['id']}", None),
                        ("POST", f"/api/orgs/{org['id']}/invitations",
                         {"email": "evil@example.com", "role": "owner"}),
                        ("PATCH", "/api/account", {"email": "evil@example.com",
                                                   "password": a.password}),
                        ("POST", "/api/email/verify/resend", None),
                        ("POST", "/api/invitations/inv_x/accept", None),
                        ("POST", "/api/logout", None)]:
                    r = a.request(method, path, body=body, headers=headers)
                    self.assertError(r, 403, "cross_site_request")
        self.assertEqual([o["name"] for o in a.get("/api/orgs").json()["orgs"]], ["kept"])
        keys = a.get("/api/keys").json()["keys"]
        self.assertEqual([(k["name"], k["status"]) for k in keys], [("kept", "active")])
        self.assertEqual(a.get("/api/v1/me", bearer=secret).status, 200)
        self.assertEqual(a.get("/api/session").status, 200)  # not logged out
        self.assertNotIn("pending_email", a.get("/api/session").json()["account"])
        self.assertEqual(a.get(f"/api/orgs/{org['id']}/invitations").json(), {"invitations": []})

    def test_same_origin_and_header_less_requests_pass(self):
        same = {"Origin": self.same_origin(), "Sec-Fetch-Site": "same-origin"}
        c = self.client()
        address = f"so-{secrets.token_hex(4)}@example.com"
        r = c.post("/api/signup", {"email": address, "password": "pw-" * 4}, headers=same)
        self.assertEqual(r.status, 201, r)
        c.csrf = r.json()["csrf_token"]
        r = c.post("/api/orgs", {"name": "mine"}, headers=same)
        self.assertEqual(r.status, 201, r)
        r = self.client().post("/api/login", {"email": address, "password": "pw-" * 4},
                               headers={"Origin": self.same_origin()})
        self.assertEqual(r.status, 200, r)
        r = self.client().post("/api/login", {"email": address, "password": "pw-" * 4},
                               headers={"Sec-Fetch-Site": "none"})
        self.assertEqual(r.status, 200, r)
        # The CLI and curl send neither header.
        r = self.client().post("/api/login", {"email": address, "password": "pw-" * 4})
        self.assertEqual(r.status, 200, r)
        # Reads and service routes are not the console's state changes.
        self.assertEqual(c.get("/api/orgs", headers={"Origin": EVIL}).status, 200)
        r = self.client().post("/api/v1/keys/verify", {"key": make_key()},
                               headers={"Origin": EVIL})
        self.assertEqual(r.status, 200, r)


if __name__ == "__main__":
    unittest.main()
