"""Regression tests over real HTTP for issue 17's finding that throttled sign-ins were not
audited and that a failed sign-in's event named the victim as its actor. Now a failed sign-in
(`session.login_failed`) and a throttled one (`session.login_throttled`, once per block: a
flood of refused attempts writes no more) have no actor, the account the email names as their
target, and the client's address; the account's owner sees both in GET /api/audit."""

import secrets
import sys
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "integration"))

from harness import Client, ServerTestCase  # noqa: E402

EMAIL_LIMIT = 5              # failed sign-ins per email: docs/spec/API.md
ADDRESS_LIMIT = 50           # failed sign-ins per address, the default: docs/spec/API.md


class LoginAuditTest(ServerTestCase):

    def events(self, client, action):
        r = client.get("/api/audit?limit=200")
        self.assertEqual(r.status, 200, r)
        return [e for e in r.json()["events"] if e["action"] == action]

    def test_a_failed_login_targets_the_account_and_has_no_actor(self):
        victim = self.new_account()
        attacker = Client(self.server, source_address="127.0.0.3")
        self.assertError(attacker.login(victim.email, "not-the-password"), 401,
                         "invalid_credentials")
        failed = self.events(victim, "session.login_failed")
        self.assertEqual(len(failed), 1, failed)
        self.assertIsNone(failed[0]["actor_id"], failed)
        self.assertEqual(failed[0]["target_id"], victim.account["id"], failed)
        self.assertEqual(failed[0]["ip"], "127.0.0.3", failed)

    def test_a_login_throttled_per_email_is_audited_once_with_the_account_as_target(self):
        victim = self.new_account()
        attacker = Client(self.server, source_address="127.0.0.4")
        for _ in range(EMAIL_LIMIT):
            self.assertError(attacker.login(victim.email, "not-the-password"), 401,
                             "invalid_credentials")
        for _ in range(3):
            self.assertError(attacker.login(victim.email, "still-not-it"), 429, "rate_limited")
        throttled = self.events(victim, "session.login_throttled")
        self.assertEqual(len(throttled), 1, throttled)
        self.assertIsNone(throttled[0]["actor_id"], throttled)
        self.assertEqual(throttled[0]["target_id"], victim.account["id"], throttled)
        self.assertEqual(throttled[0]["ip"], "127.0.0.4", throttled)
        failed = self.events(victim, "session.login_failed")
        self.assertEqual(len(failed), EMAIL_LIMIT, failed)
        self.assertEqual({e["actor_id"] for e in failed}, {None}, failed)

    def test_a_login_throttled_per_address_is_audited_for_the_account_it_named(self):
        victim = self.new_account()
        attacker = Client(self.server, source_address="127.0.0.5")
        for i in range(ADDRESS_LIMIT):
            self.assertError(
                attacker.login(f"spray-{i}-{secrets.token_hex(3)}@example.com", "Winter2026!"),
                401, "invalid_credentials")
        self.assertError(attacker.login(victim.email, "Winter2026!"), 429, "rate_limited")
        throttled = self.events(victim, "session.login_throttled")
        self.assertEqual(len(throttled), 1, throttled)
        self.assertIsNone(throttled[0]["actor_id"], throttled)
        self.assertEqual(throttled[0]["target_id"], victim.account["id"], throttled)
        self.assertEqual(throttled[0]["ip"], "127.0.0.5", throttled)


if __name__ == "__main__":
    unittest.main()
