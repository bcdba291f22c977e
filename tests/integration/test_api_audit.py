"""GET /api/audit of docs/spec/API.md: events, order, paging, org owners' view, no secrets."""

import unittest

from harness import ServerTestCase, TIME_RE, create_key, create_org, join, make_key, verify_address

EVENT_FIELDS = {"id", "at", "action", "actor_id", "org_id", "target_id", "ip"}


class AuditTest(ServerTestCase):

    def events(self, client, query=""):
        r = client.get("/api/audit" + query)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(set(r.json()), {"events"})
        return r.json()["events"]

    def test_event_shape_and_signup(self):
        a = self.new_account()
        events = self.events(a)
        self.assertGreaterEqual(len(events), 1)
        for e in events:
            self.assertEqual(set(e), EVENT_FIELDS, e)
            self.assertIsInstance(e["id"], str)
            self.assertTrue(TIME_RE.match(e["at"]), e)
        signup = [e for e in events if e["action"] == "account.signup"]
        self.assertEqual(len(signup), 1, events)
        self.assertEqual(signup[0]["actor_id"], a.account["id"])
        self.assertIsNone(signup[0]["org_id"])
        self.assertEqual(signup[0]["ip"], "127.0.0.1")

    def test_actions_appear_newest_first(self):
        a = self.new_account()
        b = self.new_account()
        verify_address(a)
        verify_address(b)
        self.assertEqual(self.client().login(a.email, a.password + "nope").status, 401)
        self.assertEqual(a.login(a.email, a.password).status, 200)
        org = create_org(a)
        key, _ = create_key(a, org_id=org["id"])
        self.assertEqual(a.patch(f"/api/keys/{key['id']}", {"name": "renamed"}).status, 200)
        self.assertEqual(a.post(f"/api/keys/{key['id']}/rotate", {}).status, 200)
        self.assertEqual(a.post(f"/api/keys/{key['id']}/revoke").status, 200)
        join(a, org["id"], b)
        self.assertEqual(a.delete(f"/api/orgs/{org['id']}/members/{b.account['id']}").status,
                         204)
        expected = ["account.signup", "account.email_verified", "session.login_failed",
                    "session.login", "org.created", "key.created", "key.updated", "key.rotated",
                    "key.revoked", "org.invitation_created", "org.invitation_accepted",
                    "org.member_removed"]
        events = self.events(a)
        actions = [e["action"] for e in events]
        for action in expected:
            self.assertIn(action, actions)
        # Newest first: the expected actions appear in reverse order (other events, such as
        # a session.login at signup, may come between them).
        it = iter(actions)
        self.assertTrue(all(x in it for x in reversed(expected)),
                        f"expected {list(reversed(expected))} in this order within {actions}")
        self.assertEqual(actions[:9], list(reversed(expected))[:9])
        by_action = {e["action"]: e for e in events}
        self.assertEqual(by_action["key.created"]["target_id"], key["id"])
        self.assertEqual(by_action["key.created"]["org_id"], org["id"])
        self.assertEqual(by_action["key.revoked"]["target_id"], key["id"])
        self.assertEqual(by_action["key.rotated"]["target_id"], key["id"])
        self.assertEqual(by_action["key.updated"]["target_id"], key["id"])
        self.assertEqual(by_action["org.created"]["org_id"], org["id"])
        invited = by_action["org.invitation_created"]
        self.assertEqual(invited["org_id"], org["id"])
        self.assertEqual(invited["actor_id"], a.account["id"])
        accepted = by_action["org.invitation_accepted"]
        self.assertEqual(accepted["org_id"], org["id"])
        self.assertEqual(accepted["actor_id"], b.account["id"])
        self.assertEqual(accepted["target_id"], invited["target_id"])
        self.assertEqual(by_action["org.member_removed"]["target_id"], b.account["id"])
        for action in ("session.login", "key.created", "org.created"):
            self.assertEqual(by_action[action]["actor_id"], a.account["id"], action)
        for e in events:
            self.assertTrue(TIME_RE.match(e["at"]))
        self.assertEqual(len({e["id"] for e in events}), len(events))

    def test_login_failed_is_recorded_for_the_account(self):
        a = self.new_account()
        self.assertEqual(self.client().login(a.email, "definitely-wrong").status, 401)
        actions = [e["action"] for e in self.events(a)]
        self.assertEqual(actions[0], "session.login_failed", actions)

    def test_limit_and_before_paging(self):
        a = self.new_account()
        for i in range(6):
            create_key(a, f"k{i}")
        full = self.events(a)
        self.assertGreaterEqual(len(full), 7)
        page1 = self.events(a, "?limit=3")
        self.assertEqual(page1, full[:3])
        page2 = self.events(a, f"?limit=3&before={page1[-1]['id']}")
        self.assertEqual(page2, full[3:6])
        rest = self.events(a, f"?before={page2[-1]['id']}")
        self.assertEqual(rest, full[6:])
        self.assertEqual(self.events(a, f"?limit=1&before={full[-1]['id']}"), [])
        self.assertEqual(self.events(a, "?limit=1"), full[:1])

    def test_bad_limit_is_invalid_request(self):
        a = self.new_account()
        for q in ("?limit=abc", "?limit=-1"):
            with self.subTest(q=q):
                r = a.get("/api/audit" + q)
                self.assertError(r, 400, "invalid_request")
                self.assertIn("limit", r.json()["error"]["message"])

    def test_org_owner_sees_the_orgs_events(self):
        owner = self.new_account()
        member = self.new_account()
        outsider = self.new_account()
        org = create_org(owner)
        join(owner, org["id"], member)
        key, _ = create_key(member, "member key", org_id=org["id"])
        owner_events = self.events(owner)
        created = [e for e in owner_events
                   if e["action"] == "key.created" and e["target_id"] == key["id"]]
        self.assertEqual(len(created), 1, owner_events)
        self.assertEqual(created[0]["actor_id"], member.account["id"])
        self.assertEqual(created[0]["org_id"], org["id"])
        # The member sees their own event; the outsider sees nothing of it.
        self.assertIn(key["id"], [e["target_id"] for e in self.events(member)])
        outsider_events = self.events(outsider)
        self.assertNotIn(key["id"], [e["target_id"] for e in outsider_events])
        self.assertNotIn(org["id"], [e["org_id"] for e in outsider_events])
        # Another account's own events (signup, login) are not shown to the owner.
        self.assertNotIn(outsider.account["id"], [e["actor_id"] for e in owner_events])

    def test_audit_needs_a_session(self):
        a = self.new_account()
        _, secret = create_key(a)
        self.assertError(self.client().get("/api/audit"), 401, "unauthenticated")
        self.assertError(self.client().get("/api/audit", bearer=secret), 403,
                         "session_required")

    def test_audit_never_shows_secrets(self):
        a = self.new_account()
        key, secret = create_key(a)
        r = a.post(f"/api/keys/{key['id']}/rotate", {})
        new_secret = r.json()["secret"]
        self.client().login(a.email, a.password + "x")
        self.client().get("/api/v1/me", bearer=secret)
        self.client().get("/api/v1/me", bearer=make_key())
        body = a.get("/api/audit").body
        for s in (secret, new_secret, secret[5:35], new_secret[5:35], a.password,
                  a.cookies["tfzo_session"]):
            self.assertNotIn(s, body)


if __name__ == "__main__":
    unittest.main()
