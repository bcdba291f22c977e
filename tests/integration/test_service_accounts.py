"""Service accounts of docs/spec/API.md (issue 14): owners create them in an organization, make,
rotate and revoke their keys; the keys reach that organization only, survive their creator
leaving it, and die at once when the service account is deleted."""

import time
import unittest

from harness import (Client, ServerTestCase, TwoNodesTestCase, create_key, create_org, join,
                     outbox_dir, refused_after)

SA_FIELDS = {"id", "org_id", "name", "description", "created_by", "created_at"}
LIMIT = 1.0  # seconds: docs/spec/API.md's bound for a revocation on every node


class ServiceAccountsTest(ServerTestCase):

    def v1(self, method, path, secret, body=None):
        return self.client().request(method, "/api/v1" + path, body=body, bearer=secret)

    def create_sa(self, owner, org, name="CI", **fields):
        body = {"name": name}
        body.update(fields)
        r = owner.post(f"/api/orgs/{org['id']}/service-accounts", body)
        self.assertEqual(r.status, 201, r)
        self.assertEqual(set(r.json()), {"service_account"})
        sa = r.json()["service_account"]
        self.assertEqual(set(sa), SA_FIELDS)
        return sa

    def create_sa_key(self, owner, org, sa, name="deploy", **fields):
        body = {"name": name}
        body.update(fields)
        r = owner.post(f"/api/orgs/{org['id']}/service-accounts/{sa['id']}/keys", body)
        self.assertEqual(r.status, 201, r)
        return r.json()["key"], r.json()["secret"]

    def test_a_key_works_on_its_org_and_survives_its_creator_leaving(self):
        a = self.new_account()
        b = self.new_account()
        org = create_org(a)
        other = create_org(a)
        join(a, org["id"], b, role="owner")
        sa = self.create_sa(b, org, "CI", description="deploys")
        self.assertEqual((sa["org_id"], sa["name"], sa["description"], sa["created_by"]),
                         (org["id"], "CI", "deploys", b.account["id"]))
        r = b.get(f"/api/orgs/{org['id']}/service-accounts")
        self.assertEqual(r.json(), {"service_accounts": [sa]})

        key, secret = self.create_sa_key(b, org, sa)
        self.assertEqual(key["org_id"], org["id"])
        self.assertEqual(key["service_account"], {"id": sa["id"], "name": "CI"})
        _, own = create_key(b)
        self.assertIsNone(b.get("/api/keys").json()["keys"][0]["service_account"])
        self.assertNotIn(key["id"], [k["id"] for k in b.get("/api/keys").json()["keys"]])

        self.assertEqual(self.v1("GET", f"/orgs/{org['id']}/agents", secret).status, 200)
        r = self.v1("POST", f"/orgs/{org['id']}/agents", secret, {"name": "builder"})
        self.assertEqual(r.status, 201, r)
        self.assertError(self.v1("GET", f"/orgs/{other['id']}/agents", secret), 403,
                         "forbidden")
        me = self.v1("GET", "/me", secret).json()
        self.assertIsNone(me["account"])
        self.assertEqual(me["service_account"],
                         {"id": sa["id"], "name": "CI", "org_id": org["id"]})
        self.assertEqual(me["key"]["service_account"], {"id": sa["id"], "name": "CI"})
        self.assertEqual([o["id"] for o in me["orgs"]], [org["id"]])
        self.assertIsNone(self.v1("GET", "/me", own).json()["service_account"])

        # Its creator leaves the organization: the key keeps working.
        r = b.delete(f"/api/orgs/{org['id']}/members/{b.account['id']}")
        self.assertEqual(r.status, 204, r)
        self.assertEqual(self.v1("GET", f"/orgs/{org['id']}/agents", secret).status, 200)
        # The remaining owner sees it among the org's keys and manages it.
        listed = a.get(f"/api/orgs/{org['id']}/service-accounts/{sa['id']}/keys").json()["keys"]
        self.assertEqual([k["id"] for k in listed], [key["id"]])
        org_keys = a.get(f"/api/orgs/{org['id']}/keys").json()["keys"]
        self.assertIn(key["id"], [k["id"] for k in org_keys])

        base = f"/api/orgs/{org['id']}/service-accounts/{sa['id']}/keys/{key['id']}"
        r = a.post(base + "/rotate")
        self.assertEqual(r.status, 200, r)
        rotated = r.json()["secret"]
        self.assertNotEqual(rotated, secret)
        self.assertError(self.v1("GET", "/me", secret), 401, "key_revoked")
        self.assertEqual(self.v1("GET", "/me", rotated).status, 200)
        r = a.post(base + "/revoke")
        self.assertEqual(r.json()["key"]["status"], "revoked", r)
        self.assertError(self.v1("GET", "/me", rotated), 401, "key_revoked")

    def test_deleting_it_revokes_its_keys_at_once(self):
        a = self.new_account()
        org = create_org(a)
        sa = self.create_sa(a, org)
        _, one = self.create_sa_key(a, org, sa, "one")
        _, two = self.create_sa_key(a, org, sa, "two")
        for secret in (one, two):
            self.assertEqual(self.v1("GET", "/me", secret).status, 200)  # cached now
        r = a.delete(f"/api/orgs/{org['id']}/service-accounts/{sa['id']}")
        self.assertEqual(r.status, 204, r)
        for secret in (one, two):
            self.assertError(self.v1("GET", f"/orgs/{org['id']}/agents", secret), 401,
                             "key_revoked")
        self.assertEqual(a.get(f"/api/orgs/{org['id']}/service-accounts").json(),
                         {"service_accounts": []})
        self.assertError(a.delete(f"/api/orgs/{org['id']}/service-accounts/{sa['id']}"), 404,
                         "not_found")
        self.assertError(a.post(f"/api/orgs/{org['id']}/service-accounts/{sa['id']}/keys",
                                {"name": "late"}), 404, "not_found")

    def test_its_keys_take_the_key_fields_permissions_addresses_and_overlap(self):
        a = self.new_account()
        org = create_org(a)
        sa = self.create_sa(a, org)
        key, secret = self.create_sa_key(a, org, sa, "reader",
                                         permissions=["orgs:read", "agents:read"],
                                         allowed_ips=["127.0.0.1"])
        self.assertEqual((key["permissions"], key["allowed_ips"]),
                         (["orgs:read", "agents:read"], ["127.0.0.1/32"]))
        agents = f"/orgs/{org['id']}/agents"
        self.assertEqual(self.v1("GET", agents, secret).status, 200)
        r = self.v1("POST", agents, secret, {"name": "x"})
        self.assertError(r, 403, "permission_denied")
        self.assertIn("agents:write", r.json()["error"]["message"])
        _, fenced = self.create_sa_key(a, org, sa, "elsewhere", allowed_ips=["203.0.113.0/24"])
        self.assertError(self.v1("GET", agents, fenced), 403, "ip_not_allowed")
        # Rotated with an overlap: both values work until it ends.
        r = a.post(f"/api/orgs/{org['id']}/service-accounts/{sa['id']}/keys/{key['id']}/rotate",
                   {"overlap_seconds": 3600})
        self.assertEqual(r.status, 200, r)
        self.assertIsNotNone(r.json()["key"]["previous_valid_until"])
        for value in (secret, r.json()["secret"]):
            self.assertEqual(self.v1("GET", agents, value).status, 200)

    def test_only_owners_and_audit_names(self):
        a = self.new_account()
        m = self.new_account()
        stranger = self.new_account()
        org = create_org(a)
        join(a, org["id"], m)
        sa = self.create_sa(a, org)
        key, _ = self.create_sa_key(a, org, sa)
        base = f"/api/orgs/{org['id']}/service-accounts"
        for who in (m, stranger):
            self.assertError(who.post(base, {"name": "x"}), 403, "forbidden")
            self.assertError(who.get(base), 403, "forbidden")
            self.assertError(who.delete(f"{base}/{sa['id']}"), 403, "forbidden")
            self.assertError(who.get(f"{base}/{sa['id']}/keys"), 403, "forbidden")
            self.assertError(who.post(f"{base}/{sa['id']}/keys", {"name": "x"}), 403,
                             "forbidden")
            self.assertError(who.post(f"{base}/{sa['id']}/keys/{key['id']}/revoke"), 403,
                             "forbidden")
        # Another organization's owner: not found there.
        theirs = create_org(stranger)
        self.assertError(stranger.delete(f"/api/orgs/{theirs['id']}/service-accounts/{sa['id']}"),
                         404, "not_found")
        # Bad input names the field; org_id is not a field here.
        for body, field in (({}, "name"), ({"name": 1}, "name"), ({"name": ""}, "name"),
                            ({"name": "x", "description": 2}, "description"),
                            ({"name": "x", "extra": 1}, "extra")):
            with self.subTest(body=body):
                r = a.post(base, body)
                self.assertError(r, 400, "invalid_request")
                self.assertIn(field, r.json()["error"]["message"])
        r = a.post(f"{base}/{sa['id']}/keys", {"name": "x", "org_id": org["id"]})
        self.assertError(r, 400, "invalid_request")
        self.assertIn("org_id", r.json()["error"]["message"])

        self.assertEqual(a.delete(f"{base}/{sa['id']}").status, 204)
        events = a.get("/api/audit").json()["events"]
        by_action = {(e["action"], e["target_id"]): e for e in events}
        for action in ("service_account.created", "service_account.deleted"):
            e = by_action[(action, sa["id"])]
            self.assertEqual((e["actor_id"], e["org_id"]), (a.account["id"], org["id"]))
        e = by_action[("key.created", key["id"])]
        self.assertEqual((e["actor_id"], e["org_id"]), (a.account["id"], org["id"]))

    def test_cli_auth_status_names_the_service_account(self):
        from test_cli import Cli
        a = self.new_account()
        org = create_org(a)
        sa = self.create_sa(a, org, "Nightly build")
        _, secret = self.create_sa_key(a, org, sa)
        cli = Cli()
        try:
            env = {"TFZO_API_HOST": self.server.url, "TFZO_API_KEY": secret}
            p = cli.run("auth", "status", env=env)
            self.assertEqual(p.returncode, 0, p)
            self.assertRegex(p.stdout, rf"service account: Nightly build \({sa['id']}, of "
                                       rf"organization {org['id']}\)")
            self.assertNotIn("account:        ", p.stdout)
            self.assertNotIn(secret, p.stdout + p.stderr)
        finally:
            cli.cleanup()


class ServiceAccountsAcrossNodesTest(TwoNodesTestCase):
    """Two nodes on one PostgreSQL (as test_multinode): a service account's key made on A works
    on B, survives its creator leaving, and is refused on B within a second of the service
    account's deletion on A."""

    def test_deleting_on_a_refuses_its_keys_on_b(self):
        owner, creator = Client(self.a), Client(self.a)
        owner.signup()
        creator.signup()
        org = create_org(owner, "Shared")
        join(owner, org["id"], creator, role="owner",
             directories=[outbox_dir(n) for n in self.nodes])
        r = creator.post(f"/api/orgs/{org['id']}/service-accounts", {"name": "CI"})
        self.assertEqual(r.status, 201, r)
        sa = r.json()["service_account"]
        r = creator.post(f"/api/orgs/{org['id']}/service-accounts/{sa['id']}/keys",
                         {"name": "deploy"})
        self.assertEqual(r.status, 201, r)
        secret = r.json()["secret"]
        via_b = Client(self.b)
        agents = f"/api/v1/orgs/{org['id']}/agents"
        for _ in range(3):  # cached on B
            self.assertEqual(via_b.get(agents, bearer=secret).status, 200)
        r = creator.delete(f"/api/orgs/{org['id']}/members/{creator.account['id']}")
        self.assertEqual(r.status, 204, r)
        time.sleep(0.2)
        self.assertEqual(via_b.get(agents, bearer=secret).status, 200)

        start = time.monotonic()
        r = owner.delete(f"/api/orgs/{org['id']}/service-accounts/{sa['id']}")
        self.assertEqual(r.status, 204, r)
        delay = refused_after(via_b, secret, start)
        self.assertIsNotNone(delay, "the key still works on B after 5 s")
        self.assertLess(delay, LIMIT)
        r = via_b.get(agents, bearer=secret)
        self.assertEqual((r.status, r.json()["error"]["code"]), (401, "key_revoked"), r)


if __name__ == "__main__":
    unittest.main()
