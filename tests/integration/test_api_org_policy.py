"""Organization key policy (issue 15): each rule at creation, rotation, edit and every check,
on a real server; run on SQLite and, as integration.pg.*, on PostgreSQL. Keys are aged by
writing their times in the store, then a policy change makes the server read them again.
"""

import time
import unittest

from harness import (Client, ServerTestCase, create_key, create_org, join, rfc3339, run_sql)

DAY = 86400
READ_ONLY = ["orgs:read", "agents:read", "hosts:read"]
NO_RULES = {"max_lifetime_days": None, "require_expiration": False, "rotate_every_days": None,
            "revoke_unused_after_days": None, "allowed_permissions": None}


class OrgPolicyTest(ServerTestCase):

    def setUp(self):
        self.owner = self.new_account()
        self.org = create_org(self.owner)
        self.path = f"/api/orgs/{self.org['id']}/policy"

    def set_policy(self, **rules):
        r = self.owner.request("PUT", self.path, body=rules)
        self.assertEqual(r.status, 200, r)
        return r.json()["policy"]

    def scoped_key(self, **fields):
        return create_key(self.owner, org_id=self.org["id"], **fields)

    def me(self, secret):
        return Client(self.server).get("/api/v1/me", bearer=secret)

    def age(self, key, days):
        """Moves the key's creation (and rotation) `days` into the past."""
        run_sql(self.server, f"UPDATE api_keys SET created_at = created_at - {days * DAY}, "
                             f"rotated_at = rotated_at - {days * DAY} WHERE id = '{key['id']}'")

    def test_no_policy_until_an_owner_sets_one_and_put_replaces_it_whole(self):
        policy = self.owner.get(self.path).json()["policy"]
        self.assertEqual(policy, dict(NO_RULES, updated_at=None))
        policy = self.set_policy(max_lifetime_days=90, require_expiration=True,
                                 rotate_every_days=30, revoke_unused_after_days=60,
                                 allowed_permissions=["agents:write"])
        self.assertEqual(policy["allowed_permissions"], ["agents:read", "agents:write"])
        self.assertIsNotNone(policy["updated_at"])
        self.assertEqual(self.owner.get(self.path).json()["policy"], policy)
        policy = self.set_policy(rotate_every_days=10)
        self.assertEqual(policy, dict(NO_RULES, rotate_every_days=10,
                                      updated_at=policy["updated_at"]))
        events = self.owner.get("/api/audit").json()["events"]
        self.assertIn("org.policy_updated", [e["action"] for e in events])

    def test_only_owners_see_or_set_it_and_bad_rules_are_named(self):
        member = self.new_account()
        join(self.owner, self.org["id"], member)
        self.assertError(member.get(self.path), 403, "forbidden")
        self.assertError(member.request("PUT", self.path, body={}), 403, "forbidden")
        stranger = self.new_account()
        self.assertError(stranger.get(self.path), 403, "forbidden")
        for field, bad in (("max_lifetime_days", 0), ("rotate_every_days", 3651),
                           ("revoke_unused_after_days", "30"), ("require_expiration", 1),
                           ("allowed_permissions", ["admin"]), ("colour", "red")):
            r = self.owner.request("PUT", self.path, body={field: bad})
            self.assertError(r, 400, "invalid_request")
            self.assertIn(field, r.json()["error"]["message"])
        self.assertEqual(self.owner.get(self.path).json()["policy"]["updated_at"], None)

    def test_creation_must_follow_each_rule(self):
        self.set_policy(require_expiration=True)
        r = self.owner.post("/api/keys", {"name": "k", "org_id": self.org["id"]})
        self.assertError(r, 400, "policy_violation")
        self.assertIn("require_expiration", r.json()["error"]["message"])
        # Unscoped keys are their owner's, not the organization's.
        create_key(self.owner)

        self.set_policy(max_lifetime_days=30)
        r = self.owner.post("/api/keys", {"name": "k", "org_id": self.org["id"],
                                          "expires_at": rfc3339(time.time() + 31 * DAY)})
        self.assertError(r, 400, "policy_violation")
        self.assertIn("max_lifetime_days", r.json()["error"]["message"])
        self.scoped_key(expires_at=rfc3339(time.time() + 29 * DAY))

        self.set_policy(allowed_permissions=READ_ONLY)
        r = self.owner.post("/api/keys", {"name": "k", "org_id": self.org["id"],
                                          "permissions": ["agents:write"]})
        self.assertError(r, 400, "policy_violation")
        self.assertIn("allowed_permissions", r.json()["error"]["message"])
        key, _ = self.scoped_key()
        self.assertEqual(key["permissions"], READ_ONLY)  # the allowed set by default

    def test_edits_and_rotations_must_follow_it_too(self):
        key, _ = self.scoped_key()
        self.set_policy(max_lifetime_days=30, allowed_permissions=READ_ONLY)
        r = self.owner.patch(f"/api/keys/{key['id']}", {"permissions": ["hosts:write"]})
        self.assertError(r, 400, "policy_violation")
        r = self.owner.patch(f"/api/keys/{key['id']}",
                             {"expires_at": rfc3339(time.time() + 10 * DAY),
                              "permissions": READ_ONLY})
        self.assertEqual(r.status, 200, r)
        # A rename alone is not held to the rules.
        self.assertEqual(self.owner.patch(f"/api/keys/{key['id']}", {"name": "n"}).status, 200)
        r = self.owner.post(f"/api/keys/{key['id']}/rotate",
                            {"expires_at": rfc3339(time.time() + 60 * DAY)})
        self.assertError(r, 400, "policy_violation")
        # Without an expiration, a rotation is capped to the maximum from now.
        r = self.owner.post(f"/api/keys/{key['id']}/rotate")
        self.assertEqual(r.status, 200, r)

    def test_an_overdue_rotation_refuses_the_key_until_it_is_rotated(self):
        key, secret = self.scoped_key()
        self.assertEqual(self.me(secret).status, 200)  # cached now
        self.age(key, 31)
        self.set_policy(rotate_every_days=30)
        r = self.me(secret)
        self.assertError(r, 401, "rotation_overdue")
        self.assertIn("rotate_every_days", r.json()["error"]["message"])
        verdict = Client(self.server).post("/api/v1/keys/verify", {"key": secret}).json()
        self.assertEqual((verdict["valid"], verdict["code"]), (False, "rotation_overdue"))
        r = self.owner.post(f"/api/keys/{key['id']}/rotate")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(self.me(r.json()["secret"]).status, 200)
        # Lifting the rule lets an old key work again.
        other, other_secret = self.scoped_key()
        self.age(other, 31)
        self.set_policy()
        self.assertEqual(self.me(other_secret).status, 200)

    def test_a_key_past_the_maximum_lifetime_is_expired(self):
        key, secret = self.scoped_key(expires_at=rfc3339(time.time() + 300 * DAY))
        self.age(key, 40)
        self.set_policy(max_lifetime_days=30)
        r = self.me(secret)
        self.assertError(r, 401, "key_expired")
        self.assertIn("max_lifetime_days", r.json()["error"]["message"])

    def test_a_key_that_never_expires_must_be_rotated_under_require_expiration(self):
        key, secret = self.scoped_key()
        unscoped_key, unscoped = create_key(self.owner)
        self.set_policy(require_expiration=True)
        self.assertError(self.me(secret), 401, "rotation_overdue")
        self.assertEqual(self.me(unscoped).status, 200)
        r = self.owner.post(f"/api/keys/{key['id']}/rotate",
                            {"expires_at": rfc3339(time.time() + 10 * DAY)})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(self.me(r.json()["secret"]).status, 200)

    def test_permissions_outside_the_policy_are_not_granted(self):
        _, secret = self.scoped_key()
        agents = f"/api/v1/orgs/{self.org['id']}/agents"
        self.assertEqual(Client(self.server).post(agents, {"name": "a"}, bearer=secret).status,
                         201)
        self.set_policy(allowed_permissions=READ_ONLY)
        r = Client(self.server).post(agents, {"name": "b"}, bearer=secret)
        self.assertError(r, 403, "permission_denied")
        self.assertIn("allowed_permissions", r.json()["error"]["message"])
        self.assertEqual(Client(self.server).get(agents, bearer=secret).status, 200)
        verdict = Client(self.server).post("/api/v1/keys/verify", {"key": secret}).json()
        self.assertEqual(verdict["permissions"], READ_ONLY)
        verdict = Client(self.server).post(
            "/api/v1/keys/verify", {"key": secret, "permissions": ["agents:write"]}).json()
        self.assertEqual((verdict["valid"], verdict["code"]), (False, "permission_denied"))

    def test_service_account_keys_follow_their_organizations_policy(self):
        r = self.owner.post(f"/api/orgs/{self.org['id']}/service-accounts", {"name": "ci"})
        self.assertEqual(r.status, 201, r)
        sa = r.json()["service_account"]
        keys = f"/api/orgs/{self.org['id']}/service-accounts/{sa['id']}/keys"
        self.set_policy(require_expiration=True)
        self.assertError(self.owner.post(keys, {"name": "deploy"}), 400, "policy_violation")
        r = self.owner.post(keys, {"name": "deploy",
                                   "expires_at": rfc3339(time.time() + 5 * DAY)})
        self.assertEqual(r.status, 201, r)


if __name__ == "__main__":
    unittest.main()
