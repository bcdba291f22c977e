"""Least privilege for keys (issue 14): permissions, allowed addresses, rotation with an
overlap, and changing an active key's expiration. Each refusal code on a real server; run on
SQLite and, as integration.pg.*, on PostgreSQL.
"""

import time
import unittest

from harness import (Client, Server, ServerTestCase, create_key, create_org, parse_rfc3339,
                     rfc3339)

ALL = ["orgs:read", "agents:read", "agents:write", "hosts:read", "hosts:write"]
READ_ONLY = ["orgs:read", "agents:read", "hosts:read"]
DAY = 86400


class PermissionsTest(ServerTestCase):

    def setUp(self):
        self.owner = self.new_account()
        self.org = create_org(self.owner)

    def agents(self, secret, method="GET", body=None):
        path = f"/api/v1/orgs/{self.org['id']}/agents"
        return Client(self.server).request(method, path, body=body, bearer=secret)

    def test_keys_have_every_permission_unless_told_otherwise(self):
        key, secret = create_key(self.owner)
        self.assertEqual(key["permissions"], ALL)
        me = Client(self.server).get("/api/v1/me", bearer=secret).json()
        self.assertEqual(me["key"]["permissions"], ALL)
        self.assertEqual(self.agents(secret, "POST", {"name": "a1"}).status, 201)

    def test_a_read_only_key_reads_and_is_refused_writes_naming_the_permission(self):
        key, secret = create_key(self.owner, permissions=READ_ONLY)
        self.assertEqual(key["permissions"], READ_ONLY)
        self.assertEqual(self.agents(secret).status, 200)
        self.assertEqual(Client(self.server).get("/api/v1/orgs", bearer=secret).status, 200)
        r = self.agents(secret, "POST", {"name": "a1"})
        self.assertError(r, 403, "permission_denied")
        self.assertIn("agents:write", r.json()["error"]["message"])
        r = Client(self.server).post(f"/api/v1/orgs/{self.org['id']}/hosts",
                                     {"name": "h", "address": "10.0.0.1"}, bearer=secret)
        self.assertError(r, 403, "permission_denied")
        self.assertIn("hosts:write", r.json()["error"]["message"])
        # Nothing was made by the refused requests.
        self.assertEqual(self.agents(secret).json()["agents"], [])

    def test_write_implies_read_and_names_are_canonical(self):
        key, secret = create_key(self.owner, permissions=["hosts:write", "agents:write"])
        self.assertEqual(key["permissions"],
                         ["agents:read", "agents:write", "hosts:read", "hosts:write"])
        self.assertEqual(self.agents(secret).status, 200)
        r = Client(self.server).get("/api/v1/orgs", bearer=secret)
        self.assertError(r, 403, "permission_denied")
        self.assertIn("orgs:read", r.json()["error"]["message"])

    def test_a_key_without_permissions_can_only_identify_itself(self):
        _, secret = create_key(self.owner, permissions=[])
        me = Client(self.server).get("/api/v1/me", bearer=secret)
        self.assertEqual(me.status, 200, me)
        self.assertEqual(me.json()["key"]["permissions"], [])
        self.assertError(self.agents(secret), 403, "permission_denied")

    def test_narrowing_a_keys_permissions_takes_effect_on_the_next_request(self):
        key, secret = create_key(self.owner)
        for _ in range(3):  # cached
            self.assertEqual(self.agents(secret, "POST", {"name": "x"}).status, 201)
        r = self.owner.patch(f"/api/keys/{key['id']}", {"permissions": ["agents:read"]})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["key"]["permissions"], ["agents:read"])
        self.assertError(self.agents(secret, "POST", {"name": "y"}), 403, "permission_denied")
        self.assertEqual(self.agents(secret).status, 200)
        # Widening again works at once too.
        self.owner.patch(f"/api/keys/{key['id']}", {"permissions": ALL})
        self.assertEqual(self.agents(secret, "POST", {"name": "z"}).status, 201)

    def test_bad_permissions_are_a_clear_400(self):
        for bad in (["admin"], "orgs:read", [1], {"orgs:read": True}):
            r = self.owner.post("/api/keys", {"name": "k", "permissions": bad})
            self.assertError(r, 400, "invalid_request")
            self.assertTrue(r.json()["error"]["message"].startswith("permissions:"), r)
        self.assertEqual(self.owner.get("/api/keys").json()["keys"], [])

    def test_verify_checks_the_permissions_asked_for(self):
        _, secret = create_key(self.owner, permissions=READ_ONLY)
        c = Client(self.server)
        r = c.post("/api/v1/keys/verify", {"key": secret, "permissions": ["hosts:read"]})
        self.assertEqual(r.json()["valid"], True, r)
        self.assertEqual(r.json()["permissions"], READ_ONLY)
        r = c.post("/api/v1/keys/verify",
                   {"key": secret, "permissions": ["hosts:read", "hosts:write"]})
        self.assertEqual(r.json(), {"valid": False, "code": "permission_denied"})
        r = c.post("/api/v1/keys/verify", {"key": secret, "permissions": ["root"]})
        self.assertError(r, 400, "invalid_request")


class AllowedAddressesTest(ServerTestCase):

    def setUp(self):
        self.owner = self.new_account()

    def test_a_request_from_elsewhere_is_refused_naming_the_address_seen(self):
        key, secret = create_key(self.owner, allowed_ips=["127.0.0.2", "10.0.0.0/8"])
        self.assertEqual(key["allowed_ips"], ["127.0.0.2/32", "10.0.0.0/8"])
        r = Client(self.server, source_address="127.0.0.2").get("/api/v1/me", bearer=secret)
        self.assertEqual(r.status, 200, r)
        r = Client(self.server).get("/api/v1/me", bearer=secret)
        self.assertError(r, 403, "ip_not_allowed")
        self.assertIn("127.0.0.1", r.json()["error"]["message"])

    def test_changing_the_list_takes_effect_on_the_next_request(self):
        key, secret = create_key(self.owner)
        c = Client(self.server)
        self.assertEqual(c.get("/api/v1/me", bearer=secret).status, 200)
        r = self.owner.patch(f"/api/keys/{key['id']}", {"allowed_ips": ["192.0.2.0/24"]})
        self.assertEqual(r.json()["key"]["allowed_ips"], ["192.0.2.0/24"], r)
        self.assertError(c.get("/api/v1/me", bearer=secret), 403, "ip_not_allowed")
        self.owner.patch(f"/api/keys/{key['id']}", {"allowed_ips": []})
        self.assertEqual(c.get("/api/v1/me", bearer=secret).status, 200)

    def test_verify_checks_the_address_a_service_saw(self):
        _, secret = create_key(self.owner, allowed_ips=["2001:db8::/32"])
        c = Client(self.server)
        r = c.post("/api/v1/keys/verify", {"key": secret, "ip": "2001:db8::7"})
        self.assertEqual(r.json()["valid"], True, r)
        r = c.post("/api/v1/keys/verify", {"key": secret, "ip": "198.51.100.1"})
        self.assertEqual(r.json(), {"valid": False, "code": "ip_not_allowed"})
        self.assertError(c.post("/api/v1/keys/verify", {"key": secret, "ip": "nope"}), 400,
                         "invalid_request")

    def test_bad_lists_are_a_clear_400_and_make_nothing(self):
        for bad in (["10.0.0.0/33"], ["example.com"], "10.0.0.1",
                    [f"10.0.{i // 256}.{i % 256}" for i in range(101)]):
            r = self.owner.post("/api/keys", {"name": "k", "allowed_ips": bad})
            self.assertError(r, 400, "invalid_request")
            self.assertTrue(r.json()["error"]["message"].startswith("allowed_ips:"), r)
        self.assertEqual(self.owner.get("/api/keys").json()["keys"], [])


class RotationOverlapTest(ServerTestCase):

    def setUp(self):
        self.owner = self.new_account()

    def me(self, secret):
        return Client(self.server).get("/api/v1/me", bearer=secret)

    def test_both_values_work_during_the_overlap_and_the_old_one_dies_after(self):
        key, old = create_key(self.owner)
        self.assertEqual(self.me(old).status, 200)
        before = time.time()
        r = self.owner.post(f"/api/keys/{key['id']}/rotate", {"overlap_seconds": 2})
        self.assertEqual(r.status, 200, r)
        new = r.json()["secret"]
        until = parse_rfc3339(r.json()["key"]["previous_valid_until"])
        self.assertLessEqual(abs(until - before - 2), 1.5)
        self.assertEqual(self.me(old).status, 200)
        self.assertEqual(self.me(new).status, 200)
        time.sleep(max(0.0, until - time.time()) + 1.1)
        self.assertError(self.me(old), 401, "key_revoked")
        self.assertEqual(self.me(new).status, 200)
        listed = self.owner.get("/api/keys").json()["keys"][0]
        self.assertIsNone(listed["previous_valid_until"])

    def test_without_an_overlap_the_old_value_dies_at_once(self):
        key, old = create_key(self.owner)
        self.assertEqual(self.me(old).status, 200)
        r = self.owner.post(f"/api/keys/{key['id']}/rotate", {})
        self.assertIsNone(r.json()["key"]["previous_valid_until"])
        self.assertError(self.me(old), 401, "key_revoked")

    def test_revoking_ends_both_values_at_once(self):
        key, old = create_key(self.owner)
        r = self.owner.post(f"/api/keys/{key['id']}/rotate", {"overlap_seconds": 3600})
        new = r.json()["secret"]
        self.assertEqual(self.me(old).status, 200)
        self.owner.post(f"/api/keys/{key['id']}/revoke", {})
        self.assertError(self.me(old), 401, "key_revoked")
        self.assertError(self.me(new), 401, "key_revoked")

    def test_a_second_rotation_ends_the_first_overlap(self):
        key, first = create_key(self.owner)
        second = self.owner.post(f"/api/keys/{key['id']}/rotate",
                                 {"overlap_seconds": 3600}).json()["secret"]
        third = self.owner.post(f"/api/keys/{key['id']}/rotate",
                                {"overlap_seconds": 3600}).json()["secret"]
        self.assertError(self.me(first), 401, "key_revoked")
        self.assertEqual(self.me(second).status, 200)
        self.assertEqual(self.me(third).status, 200)

    def test_overlaps_out_of_range_are_refused(self):
        key, secret = create_key(self.owner)
        for bad in (-1, 604801, 1.5, "60", True):
            r = self.owner.post(f"/api/keys/{key['id']}/rotate", {"overlap_seconds": bad})
            self.assertError(r, 400, "invalid_request")
        self.assertEqual(self.me(secret).status, 200)  # never rotated
        r = self.owner.post(f"/api/keys/{key['id']}/rotate", {"overlap_seconds": 604800})
        self.assertEqual(r.status, 200, r)


class ExpirationChangeTest(ServerTestCase):

    def test_an_active_keys_expiration_changes_and_is_enforced(self):
        owner = self.new_account()
        key, secret = create_key(owner)
        later = rfc3339(time.time() + 3 * DAY)
        r = owner.patch(f"/api/keys/{key['id']}", {"expires_at": later})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["key"]["expires_at"], later)
        me = Client(self.server).get("/api/v1/me", bearer=secret).json()
        self.assertEqual(me["key"]["expires_at"], later)
        r = owner.patch(f"/api/keys/{key['id']}", {"expires_at": None})
        self.assertIsNone(r.json()["key"]["expires_at"])
        past = rfc3339(time.time() - DAY)
        self.assertError(owner.patch(f"/api/keys/{key['id']}", {"expires_at": past}), 400,
                         "invalid_request")

    def test_a_revoked_keys_expiration_cannot_change(self):
        owner = self.new_account()
        key, _ = create_key(owner)
        owner.post(f"/api/keys/{key['id']}/revoke", {})
        later = rfc3339(time.time() + 3 * DAY)
        self.assertError(owner.patch(f"/api/keys/{key['id']}", {"expires_at": later}), 409,
                         "conflict")


class MaximumLifetimeTest(unittest.TestCase):
    """--max-key-lifetime caps expiration changes, and rotations of keys made before it."""

    def test_rotation_and_changes_obey_the_maximum(self):
        first = Server().start()
        capped = None
        try:
            owner = Client(first)
            owner.signup()
            forever, _ = create_key(owner)
            self.assertIsNone(forever["expires_at"])
            first.stop()
            capped = Server("--max-key-lifetime", "30", db=first.db, workdir=first.workdir)
            capped.start()
            again = Client(capped)
            self.assertEqual(again.login(owner.email, owner.password).status, 200)
            path = f"/api/keys/{forever['id']}"
            self.assertError(again.patch(path, {"expires_at": None}), 400)
            too_late = rfc3339(time.time() + 31 * DAY)
            self.assertError(again.patch(path, {"expires_at": too_late}), 400)
            r = again.post(path + "/rotate", {})
            self.assertEqual(r.status, 200, r)
            expires = parse_rfc3339(r.json()["key"]["expires_at"])
            self.assertAlmostEqual((expires - time.time()) / DAY, 30, delta=0.01)
        finally:
            if capped:
                capped.stop()
            first.cleanup()

    def assertError(self, response, status):
        self.assertEqual(response.status, status, response)
        self.assertEqual(response.json()["error"]["code"], "invalid_request", response)


if __name__ == "__main__":
    unittest.main()
