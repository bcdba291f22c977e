"""Brute-force limits: failed logins per email (docs/spec/API.md) and unknown keys per address."""

import re
import secrets

from harness import ServerTestCase, create_key, make_key


class LoginThrottlingTest(ServerTestCase):
    def test_five_failures_block_the_email_even_with_the_right_password(self):
        c = self.new_account()
        email, password = c.email, c.password
        other = self.new_account()
        for i in range(5):
            r = self.client().login(email, "wrong-" + secrets.token_hex(4))
            self.assertError(r, 401, "invalid_credentials")
        r = self.client().login(email, password)
        self.assertError(r, 429, "rate_limited")
        retry_after = int(r.header("Retry-After"))
        self.assertGreater(retry_after, 0)
        self.assertLessEqual(retry_after, 15 * 60)
        # Upper-case email is the same email.
        self.assertError(self.client().login(email.upper(), password), 429, "rate_limited")
        # Another account is not affected.
        self.assertEqual(self.client().login(other.email, other.password).status, 200)
        metrics = self.client().get("/metrics").body
        self.assertRegex(metrics, r'tfzo_rate_limited_total\{kind="login"\} [1-9]')

    def test_unknown_emails_are_throttled_the_same_way(self):
        email = f"nobody-{secrets.token_hex(4)}@example.com"
        for _ in range(5):
            self.assertError(self.client().login(email, "whatever-password"), 401,
                             "invalid_credentials")
        self.assertError(self.client().login(email, "whatever-password"), 429, "rate_limited")

    def test_a_success_before_the_limit_clears_the_count(self):
        c = self.new_account()
        for _ in range(4):
            self.assertError(self.client().login(c.email, "nope-nope-nope"), 401,
                             "invalid_credentials")
        self.assertEqual(self.client().login(c.email, c.password).status, 200)
        for _ in range(4):
            self.assertError(self.client().login(c.email, "nope-nope-nope"), 401,
                             "invalid_credentials")
        self.assertEqual(self.client().login(c.email, c.password).status, 200)


class KeyGuessingTest(ServerTestCase):
    server_args = ("--key-failure-limit", "5")

    def test_many_unknown_keys_from_one_address_get_429_but_valid_keys_still_work(self):
        owner = self.new_account()
        _, secret = create_key(owner)
        client = self.client()
        codes = []
        # --key-failure-limit 5: five unknown keys get their own answer, the sixth a 429.
        for i in range(5):
            key = make_key() if i % 2 else "tfzo_" + secrets.token_hex(10)
            codes.append(client.get("/api/v1/me", bearer=key).json()["error"]["code"])
        self.assertEqual(codes, ["key_malformed", "key_invalid"] * 2 + ["key_malformed"])
        r = client.get("/api/v1/me", bearer=make_key())
        self.assertError(r, 429, "rate_limited")
        self.assertGreater(int(r.header("Retry-After")), 0)
        self.assertEqual(client.get("/api/v1/me", bearer=secret).status, 200)
        metrics = client.get("/metrics").body
        m = re.search(r'tfzo_rate_limited_total\{kind="key"\} (\d+)', metrics)
        self.assertIsNotNone(m, metrics)
        self.assertGreaterEqual(int(m.group(1)), 1)
