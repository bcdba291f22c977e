"""Regression tests over real HTTP for issue 17's finding that sign-in and sign-up had no
per-address limit beside the per-email one: one address could try a password against any
number of emails (password spraying) and create any number of accounts, each costing an
argon2id hash. Now failed sign-ins (50 per 15 minutes by default) and sign-ups (30 per hour
by default, --signup-address-limit) are limited per client address: 429 `rate_limited` with
Retry-After, while other addresses are not affected. A second client address is another
loopback address (127.0.0.2: Linux routes all of 127/8 to lo)."""

import re
import secrets
import sys
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "integration"))

from harness import Client, ServerTestCase  # noqa: E402

SIGNIN_ADDRESS_LIMIT = 50  # the default: docs/spec/API.md
SIGNUP_ADDRESS_LIMIT = 3   # --signup-address-limit for the sign-up test's server


class SigninAddressLimitTest(ServerTestCase):

    def test_failed_signins_for_many_emails_from_one_address_get_429(self):
        owner = self.new_account()
        sprayer = self.client()
        for i in range(SIGNIN_ADDRESS_LIMIT):
            # A different email each time: the per-email limit (5) never trips.
            r = sprayer.login(f"spray-{i}-{secrets.token_hex(3)}@example.com", "Winter2026!")
            self.assertError(r, 401, "invalid_credentials")
        r = sprayer.login(f"spray-more-{secrets.token_hex(3)}@example.com", "Winter2026!")
        self.assertError(r, 429, "rate_limited")
        retry_after = int(r.header("Retry-After"))
        self.assertGreater(retry_after, 0)
        self.assertLessEqual(retry_after, 15 * 60)
        # Even the right password, from this address, waits.
        self.assertError(self.client().login(owner.email, owner.password), 429, "rate_limited")
        # Another address is not affected.
        other = Client(self.server, source_address="127.0.0.2")
        self.assertEqual(other.login(owner.email, owner.password).status, 200)
        metrics = self.client().get("/metrics").body
        self.assertRegex(metrics, r'tfzo_rate_limited_total\{kind="login"\} [1-9]')


class SignupAddressLimitTest(ServerTestCase):
    server_args = ("--signup-address-limit", str(SIGNUP_ADDRESS_LIMIT))

    def test_signups_from_one_address_get_429_past_the_limit(self):
        for _ in range(SIGNUP_ADDRESS_LIMIT):
            self.new_account()
        r = self.client().post("/api/signup", {"email": f"more-{secrets.token_hex(4)}@example.com",
                                               "password": secrets.token_urlsafe(12)})
        self.assertError(r, 429, "rate_limited")
        retry_after = int(r.header("Retry-After"))
        self.assertGreater(retry_after, 0)
        self.assertLessEqual(retry_after, 60 * 60)
        self.assertNotIn("set-cookie", r.headers)
        # Another address signs up; signing in from the limited one still works.
        other = Client(self.server, source_address="127.0.0.2")
        other.signup()
        self.assertEqual(self.client().login(other.email, other.password).status, 200)
        metrics = self.client().get("/metrics").body
        m = re.search(r'tfzo_rate_limited_total\{kind="signup"\} (\d+)', metrics)
        self.assertIsNotNone(m, metrics)
        self.assertGreaterEqual(int(m.group(1)), 1)


if __name__ == "__main__":
    unittest.main()
