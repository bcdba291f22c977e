"""Console account and session endpoints of docs/spec/API.md: signup, login, session, logout."""

import re
import secrets
import time
import unittest

from harness import ServerTestCase

ACCOUNT_FIELDS = {"id", "email", "name", "email_verified", "two_factor"}


def session_cookie_header(response):
    """The Set-Cookie header that sets tfzo_session, or None."""
    for v in response.headers.get("set-cookie", []):
        if v.startswith("tfzo_session="):
            return v
    return None


def cookie_attrs(header):
    parts = [p.strip() for p in header.split(";")]
    attrs = {}
    for p in parts[1:]:
        k, _, v = p.partition("=")
        attrs[k.lower()] = v
    return attrs


def fresh_email():
    return f"acc-{secrets.token_hex(5)}@example.com"


class SignupTest(ServerTestCase):

    def test_signup_answers_201_with_account_csrf_and_cookie(self):
        c = self.client()
        email = fresh_email()
        r = c.post("/api/signup", {"email": email, "password": "correct horse", "name": "Ada"})
        self.assertEqual(r.status, 201, r)
        self.assertTrue(r.header("Content-Type").startswith("application/json"), r.headers)
        self.assertTrue(r.header("X-Request-Id"))
        body = r.json()
        self.assertEqual(set(body), {"account", "csrf_token"})
        self.assertEqual(set(body["account"]), ACCOUNT_FIELDS)
        self.assertIsInstance(body["account"]["id"], str)
        self.assertTrue(body["account"]["id"].startswith("acc_"), body)
        self.assertEqual(body["account"]["email"], email)
        self.assertEqual(body["account"]["name"], "Ada")
        self.assertIsInstance(body["csrf_token"], str)
        self.assertGreaterEqual(len(body["csrf_token"]), 16)

    def test_session_cookie_attributes(self):
        c = self.client()
        r = c.post("/api/signup", {"email": fresh_email(), "password": "correct horse"})
        self.assertEqual(r.status, 201, r)
        header = session_cookie_header(r)
        self.assertIsNotNone(header, r.headers)
        value = re.match(r"tfzo_session=([^;]*)", header).group(1)
        # A random 256-bit value: at least 32 bytes of entropy in some text encoding.
        self.assertGreaterEqual(len(value), 40, header)
        attrs = cookie_attrs(header)
        self.assertIn("httponly", attrs, header)
        self.assertEqual(attrs.get("samesite", "").lower(), "strict", header)
        self.assertEqual(attrs.get("path"), "/", header)
        self.assertNotIn("secure", attrs, "no Secure over plain HTTP: " + header)

    def test_signup_without_name(self):
        c = self.client()
        r = c.post("/api/signup", {"email": fresh_email(), "password": "correct horse"})
        self.assertEqual(r.status, 201, r)
        self.assertEqual(set(r.json()["account"]), ACCOUNT_FIELDS)

    def test_signup_cookie_is_a_working_session(self):
        c = self.new_account()
        r = c.get("/api/session")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["account"], c.account)
        self.assertEqual(r.json()["csrf_token"], c.csrf)

    def test_email_taken_case_insensitive(self):
        email = fresh_email()
        c = self.client()
        c.signup(email=email)
        for variant in (email, email.upper(), email[0].upper() + email[1:]):
            with self.subTest(variant=variant):
                r = self.client().post("/api/signup",
                                       {"email": variant, "password": "another password"})
                self.assertError(r, 409, "email_taken")

    def test_weak_password(self):
        for pw in ("1234567", "x" * 1025, ""):
            with self.subTest(length=len(pw)):
                r = self.client().post("/api/signup", {"email": fresh_email(), "password": pw})
                self.assertError(r, 400, "weak_password")

    def test_password_length_bounds_accepted(self):
        for pw in ("12345678", "y" * 1024):
            with self.subTest(length=len(pw)):
                email = fresh_email()
                r = self.client().post("/api/signup", {"email": email, "password": pw})
                self.assertEqual(r.status, 201, r)
                r = self.client().login(email, pw)
                self.assertEqual(r.status, 200, r)

    def test_signup_invalid_request_names_the_field(self):
        cases = [
            ({"password": "correct horse"}, "email"),
            ({"email": fresh_email()}, "password"),
            ({"email": 42, "password": "correct horse"}, "email"),
            ({"email": fresh_email(), "password": 12345678}, "password"),
            ({"email": fresh_email(), "password": "correct horse", "name": 7}, "name"),
        ]
        for body, field in cases:
            with self.subTest(body=body):
                r = self.client().post("/api/signup", body)
                self.assertError(r, 400, "invalid_request")
                self.assertIn(field, r.json()["error"]["message"])

    def test_signup_not_json(self):
        for raw in ("not json", "{\"email\": ", "", "[1,2]", "\"a string\""):
            with self.subTest(raw=raw):
                r = self.client().post("/api/signup", raw=raw)
                self.assertError(r, 400, "invalid_request")

    def test_signup_sets_no_cookie_on_failure(self):
        r = self.client().post("/api/signup", {"email": fresh_email(), "password": "short"})
        self.assertEqual(r.status, 400)
        self.assertIsNone(session_cookie_header(r))


class LoginTest(ServerTestCase):

    def test_login_answers_200_with_account_and_new_cookie(self):
        a = self.new_account(name="Grace")
        signup_cookie = a.cookies["tfzo_session"]
        c = self.client()
        r = c.login(a.email, a.password)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(set(r.json()), {"account", "csrf_token"})
        self.assertEqual(r.json()["account"], a.account)
        header = session_cookie_header(r)
        self.assertIsNotNone(header)
        attrs = cookie_attrs(header)
        self.assertIn("httponly", attrs)
        self.assertEqual(attrs.get("samesite", "").lower(), "strict")
        self.assertEqual(attrs.get("path"), "/")
        self.assertNotEqual(c.cookies["tfzo_session"], signup_cookie)
        # A second login gives yet another session; all stay valid.
        d = self.client()
        self.assertEqual(d.login(a.email, a.password).status, 200)
        self.assertNotEqual(d.cookies["tfzo_session"], c.cookies["tfzo_session"])
        for client in (a, c, d):
            self.assertEqual(client.get("/api/session").status, 200)

    def test_login_replaces_cookie_of_the_same_browser(self):
        a = self.new_account()
        old = a.cookies["tfzo_session"]
        r = a.login(a.email, a.password)
        self.assertEqual(r.status, 200, r)
        self.assertNotEqual(a.cookies["tfzo_session"], old)
        self.assertEqual(a.get("/api/session").json()["csrf_token"], a.csrf)

    def test_login_email_is_case_insensitive(self):
        a = self.new_account()
        r = self.client().login(a.email.upper(), a.password)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["account"]["id"], a.account["id"])

    def test_wrong_password_and_unknown_email_answer_the_same(self):
        a = self.new_account()
        r1 = self.client().login(a.email, a.password + "x")
        r2 = self.client().login(fresh_email(), a.password)
        self.assertError(r1, 401, "invalid_credentials")
        self.assertError(r2, 401, "invalid_credentials")
        self.assertEqual(r1.json(), r2.json())
        self.assertIsNone(session_cookie_header(r1))
        self.assertIsNone(session_cookie_header(r2))
        self.assertNotIn(a.password, r1.body)

    def test_unknown_email_is_not_measurably_faster(self):
        a = self.new_account()
        a.login(a.email, a.password)  # warm up

        def timed(email):
            start = time.monotonic()
            r = self.client().login(email, "wrong-password-123")
            self.assertError(r, 401, "invalid_credentials")
            return time.monotonic() - start
        # Interleaved, and the fastest of each: a loaded machine (the sanitizer build, tests
        # in parallel) only ever adds time, so the minimum is what the server itself costs.
        known, unknown = [], []
        for _ in range(5):
            known.append(timed(a.email))
            unknown.append(timed(fresh_email()))
        known, unknown = min(known), min(unknown)
        self.assertGreater(unknown, known * 0.5,
                           f"unknown email {unknown:.3f}s vs wrong password {known:.3f}s")

    def test_login_invalid_request(self):
        cases = [
            ({"password": "whatever1"}, "email"),
            ({"email": fresh_email()}, "password"),
            ({"email": fresh_email(), "password": 5}, "password"),
        ]
        for body, field in cases:
            with self.subTest(body=body):
                r = self.client().post("/api/login", body)
                self.assertError(r, 400, "invalid_request")
                self.assertIn(field, r.json()["error"]["message"])
        r = self.client().post("/api/login", raw="email=a&password=b")
        self.assertError(r, 400, "invalid_request")


class SessionTest(ServerTestCase):

    def test_session_shape(self):
        a = self.new_account()
        r = a.get("/api/session")
        self.assertEqual(r.status, 200, r)
        body = r.json()
        self.assertEqual(set(body), {"account", "csrf_token", "max_key_lifetime_days",
                                     "exposed_keys"})
        self.assertEqual(body["account"], a.account)
        self.assertEqual(body["csrf_token"], a.csrf)
        self.assertIsNone(body["max_key_lifetime_days"])
        self.assertEqual(body["exposed_keys"], [])

    def test_session_without_cookie_is_401(self):
        self.assertError(self.client().get("/api/session"), 401, "unauthenticated")

    def test_session_with_unknown_cookie_is_401(self):
        c = self.client()
        c.cookies["tfzo_session"] = secrets.token_urlsafe(32)
        self.assertError(c.get("/api/session"), 401, "unauthenticated")
        self.assertError(c.get("/api/keys"), 401, "unauthenticated")

    def test_logout_ends_the_session_server_side(self):
        a = self.new_account()
        other = self.client()
        self.assertEqual(other.login(a.email, a.password).status, 200)
        cookie = a.cookies["tfzo_session"]
        r = a.post("/api/logout")
        self.assertEqual(r.status, 204, r)
        self.assertEqual(r.body, "")
        # Replay the old cookie even if the server asked the browser to drop it.
        replay = self.client()
        replay.cookies["tfzo_session"] = cookie
        self.assertError(replay.get("/api/session"), 401, "unauthenticated")
        self.assertError(replay.get("/api/keys"), 401, "unauthenticated")
        self.assertError(replay.get("/api/orgs"), 401, "unauthenticated")
        replay.csrf = a.csrf
        self.assertError(replay.post("/api/orgs", {"name": "x"}), 401, "unauthenticated")
        # Another session of the same account is untouched.
        self.assertEqual(other.get("/api/session").status, 200)

    def test_logout_needs_csrf(self):
        a = self.new_account()
        csrf, a.csrf = a.csrf, None
        self.assertError(a.post("/api/logout"), 403, "csrf_failed")
        self.assertError(a.post("/api/logout", headers={"X-CSRF-Token": "nope"}), 403,
                         "csrf_failed")
        a.csrf = csrf
        self.assertEqual(a.get("/api/session").status, 200)

    def test_logout_without_session_is_401(self):
        self.assertError(self.client().post("/api/logout"), 401, "unauthenticated")

    def test_csrf_token_of_another_session_is_refused(self):
        a = self.new_account()
        b = self.new_account()
        r = a.post("/api/orgs", {"name": "x"}, headers={"X-CSRF-Token": b.csrf})
        self.assertError(r, 403, "csrf_failed")


if __name__ == "__main__":
    unittest.main()
