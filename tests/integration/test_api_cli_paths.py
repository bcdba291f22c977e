"""The CLI API of docs/spec/API.md (/api/v1 with Authorization: Bearer): me, orgs, agents, hosts,
and the scope rules."""

import base64
import unittest

from harness import ServerTestCase, TIME_RE, create_key, create_org, join, make_key

ORG_FIELDS = {"id", "name", "handle", "role", "require_two_factor"}
AGENT_FIELDS = {"id", "org_id", "name", "host_id", "created_at"}
HOST_FIELDS = {"id", "org_id", "name", "address", "created_at"}
KEY_FIELDS = {"id", "name", "description", "hint", "org_id", "org_name", "created_at", "flags",
              "expires_at", "last_used_at", "rotated_at", "revoked_at", "status",
              "permissions", "allowed_ips", "previous_valid_until", "service_account",
              "exposed_at"}
WWW_AUTH = 'Bearer error="invalid_token"'


class CliApiTest(ServerTestCase):

    def setUp(self):
        self.anon = self.client()

    def v1(self, method, path, secret, body=None, **kw):
        return self.anon.request(method, "/api/v1" + path, body=body, bearer=secret, **kw)

    def account_with_two_orgs(self):
        a = self.new_account()
        o1 = create_org(a, "One")
        o2 = create_org(a, "Two")
        return a, o1, o2

    # --- me and orgs --------------------------------------------------------------------

    def test_me_with_unscoped_key_reaches_every_org(self):
        a, o1, o2 = self.account_with_two_orgs()
        b = self.new_account()
        other = create_org(b, "Not mine")
        join(b, other["id"], a)
        key, secret = create_key(a, "cli", description="desk")
        r = self.v1("GET", "/me", secret)
        self.assertEqual(r.status, 200, r)
        self.assertTrue(r.header("Content-Type").startswith("application/json"))
        body = r.json()
        self.assertEqual(set(body), {"account", "service_account", "key", "orgs", "account_orgs"})
        self.assertEqual(body["account"], a.account)
        self.assertEqual(set(body["key"]), KEY_FIELDS | {"previous_used_at"})
        self.assertEqual(body["key"]["id"], key["id"])
        self.assertEqual(body["key"]["name"], "cli")
        self.assertEqual(body["key"]["hint"], key["hint"])
        self.assertIsNone(body["key"]["org_id"])
        self.assertNotIn(secret, r.body)
        for o in body["orgs"]:
            self.assertEqual(set(o), ORG_FIELDS)
        self.assertEqual(sorted((o["id"], o["name"], o["role"]) for o in body["orgs"]),
                         sorted([(o1["id"], "One", "owner"), (o2["id"], "Two", "owner"),
                                 (other["id"], "Not mine", "member")]))
        r = self.v1("GET", "/orgs", secret)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(set(r.json()), {"orgs"})
        self.assertEqual(sorted(o["id"] for o in r.json()["orgs"]),
                         sorted([o1["id"], o2["id"], other["id"]]))
        # Unscoped: decided at each request, so an org created later is reachable at once.
        o3 = create_org(a, "Three")
        self.assertIn(o3["id"], [o["id"] for o in self.v1("GET", "/orgs", secret).json()["orgs"]])
        self.assertEqual(self.v1("GET", f"/orgs/{o3['id']}/agents", secret).status, 200)

    def test_scoped_key_reaches_only_its_org(self):
        a, o1, o2 = self.account_with_two_orgs()
        key, secret = create_key(a, org_id=o1["id"])
        body = self.v1("GET", "/me", secret).json()
        self.assertEqual(body["key"]["org_id"], o1["id"])
        self.assertEqual(body["key"]["org_name"], "One")
        one = {"id": o1["id"], "name": "One", "handle": o1["handle"], "role": "owner",
               "require_two_factor": False}
        self.assertEqual(body["orgs"], [one])
        r = self.v1("GET", "/orgs", secret)
        self.assertEqual(r.json(), {"orgs": [one]})
        self.assertEqual(self.v1("GET", f"/orgs/{o1['id']}/agents", secret).status, 200)
        for path, body in ((f"/orgs/{o2['id']}/agents", None),
                           (f"/orgs/{o2['id']}/hosts", None)):
            with self.subTest(path=path):
                r = self.v1("GET", path, secret)
                self.assertError(r, 403, "org_out_of_scope")
                msg = r.json()["error"]["message"]
                self.assertIn(f'"One" ({o1["id"]})', msg)
        r = self.v1("POST", f"/orgs/{o2['id']}/agents", secret, {"name": "x"})
        self.assertError(r, 403, "org_out_of_scope")
        # Nothing was created in org 2.
        _, unscoped = create_key(a)
        self.assertEqual(self.v1("GET", f"/orgs/{o2['id']}/agents", unscoped).json(),
                         {"agents": []})

    def test_forbidden_on_an_org_the_account_is_not_in(self):
        a = self.new_account()
        b = self.new_account()
        foreign = create_org(b)
        _, secret = create_key(a)
        for method, path, body in (("GET", f"/orgs/{foreign['id']}/agents", None),
                                   ("POST", f"/orgs/{foreign['id']}/agents", {"name": "x"}),
                                   ("GET", f"/orgs/{foreign['id']}/hosts", None),
                                   ("POST", f"/orgs/{foreign['id']}/hosts",
                                    {"name": "h", "address": "a"})):
            with self.subTest(method=method, path=path):
                self.assertError(self.v1(method, path, secret, body), 403, "forbidden")

    def test_cookie_is_not_a_credential_on_v1(self):
        a = self.new_account()
        r = a.get("/api/v1/me")
        self.assertError(r, 401, "unauthenticated")
        self.assertEqual(r.header("WWW-Authenticate"), WWW_AUTH)

    def test_missing_or_non_bearer_authorization(self):
        a = self.new_account()
        org = create_org(a)
        basic = "Basic " + base64.b64encode(f"{a.email}:{a.password}".encode()).decode()
        for path in ("/me", "/orgs", f"/orgs/{org['id']}/agents", f"/orgs/{org['id']}/hosts"):
            for headers in ({}, {"Authorization": basic}, {"Authorization": "Token abc"},
                            {"Authorization": ""}):
                with self.subTest(path=path, headers=headers):
                    r = self.anon.get("/api/v1" + path, headers=headers)
                    self.assertError(r, 401, "unauthenticated")
                    self.assertEqual(r.header("WWW-Authenticate"), WWW_AUTH, r.headers)
                    self.assertNotIn(a.password, r.body)

    def test_key_errors_on_v1_carry_www_authenticate(self):
        a = self.new_account()
        key, secret = create_key(a)
        self.assertEqual(a.post(f"/api/keys/{key['id']}/revoke").status, 200)
        for s, code in ((secret[:-1], "key_malformed"), (make_key(), "key_invalid"),
                        (secret, "key_revoked")):
            with self.subTest(code=code):
                r = self.v1("GET", "/me", s)
                self.assertError(r, 401, code)
                self.assertEqual(r.header("WWW-Authenticate"), WWW_AUTH)

    # --- agents and hosts ---------------------------------------------------------------

    def test_hosts_crud(self):
        a = self.new_account()
        org = create_org(a)
        _, secret = create_key(a, org_id=org["id"])
        base = f"/orgs/{org['id']}/hosts"
        self.assertEqual(self.v1("GET", base, secret).json(), {"hosts": []})
        r = self.v1("POST", base, secret, {"name": "web-1", "address": "10.0.0.5"})
        self.assertEqual(r.status, 201, r)
        self.assertEqual(set(r.json()), {"host"})
        host = r.json()["host"]
        self.assertEqual(set(host), HOST_FIELDS)
        self.assertIsInstance(host["id"], str)
        self.assertTrue(host["id"])
        self.assertEqual(host["org_id"], org["id"])
        self.assertEqual((host["name"], host["address"]), ("web-1", "10.0.0.5"))
        self.assertTrue(TIME_RE.match(host["created_at"]))
        r2 = self.v1("POST", base, secret, {"name": "web-2", "address": "web2.example.com"})
        self.assertEqual(r2.status, 201, r2)
        host2 = r2.json()["host"]
        self.assertNotEqual(host["id"], host2["id"])
        r = self.v1("GET", base, secret)
        self.assertEqual(r.status, 200)
        self.assertEqual(set(r.json()), {"hosts"})
        self.assertEqual(sorted(h["id"] for h in r.json()["hosts"]),
                         sorted([host["id"], host2["id"]]))
        for h in r.json()["hosts"]:
            self.assertEqual(set(h), HOST_FIELDS)
        r = self.v1("GET", f"{base}/{host['id']}", secret)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json(), {"host": host})
        r = self.v1("DELETE", f"{base}/{host['id']}", secret)
        self.assertEqual(r.status, 204, r)
        self.assertEqual(r.body, "")
        self.assertError(self.v1("GET", f"{base}/{host['id']}", secret), 404, "not_found")
        self.assertError(self.v1("DELETE", f"{base}/{host['id']}", secret), 404, "not_found")
        self.assertEqual([h["id"] for h in self.v1("GET", base, secret).json()["hosts"]],
                         [host2["id"]])

    def test_agents_crud_with_host(self):
        a = self.new_account()
        org = create_org(a)
        _, secret = create_key(a)
        base = f"/orgs/{org['id']}"
        host = self.v1("POST", f"{base}/hosts", secret,
                       {"name": "h", "address": "192.0.2.1"}).json()["host"]
        self.assertEqual(self.v1("GET", f"{base}/agents", secret).json(), {"agents": []})
        r = self.v1("POST", f"{base}/agents", secret, {"name": "agent-a"})
        self.assertEqual(r.status, 201, r)
        self.assertEqual(set(r.json()), {"agent"})
        plain = r.json()["agent"]
        self.assertEqual(set(plain), AGENT_FIELDS)
        self.assertEqual(plain["org_id"], org["id"])
        self.assertEqual(plain["name"], "agent-a")
        self.assertIsNone(plain["host_id"])
        self.assertTrue(TIME_RE.match(plain["created_at"]))
        r = self.v1("POST", f"{base}/agents", secret, {"name": "agent-b", "host_id": host["id"]})
        self.assertEqual(r.status, 201, r)
        placed = r.json()["agent"]
        self.assertEqual(placed["host_id"], host["id"])
        r = self.v1("POST", f"{base}/agents", secret, {"name": "agent-c", "host_id": None})
        self.assertEqual(r.status, 201, r)
        self.assertIsNone(r.json()["agent"]["host_id"])
        listed = self.v1("GET", f"{base}/agents", secret).json()["agents"]
        self.assertEqual(len(listed), 3)
        for ag in listed:
            self.assertEqual(set(ag), AGENT_FIELDS)
        self.assertEqual({ag["id"]: ag["host_id"] for ag in listed}[placed["id"]], host["id"])
        r = self.v1("GET", f"{base}/agents/{placed['id']}", secret)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json(), {"agent": placed})
        r = self.v1("DELETE", f"{base}/agents/{plain['id']}", secret)
        self.assertEqual(r.status, 204, r)
        self.assertEqual(r.body, "")
        self.assertError(self.v1("GET", f"{base}/agents/{plain['id']}", secret), 404,
                         "not_found")
        self.assertEqual(len(self.v1("GET", f"{base}/agents", secret).json()["agents"]), 2)

    def test_agent_and_host_validation(self):
        a = self.new_account()
        org = create_org(a)
        _, secret = create_key(a)
        base = f"/orgs/{org['id']}"
        cases = [("agents", {}, "name"),
                 ("agents", {"name": 4}, "name"), ("agents", {"name": "x", "host_id": 4},
                                                   "host_id"),
                 ("hosts", {"address": "a"}, "name"), ("hosts", {"name": "h"}, "address"),
                 ("hosts", {"name": "h", "address": 1}, "address")]
        for kind, body, field in cases:
            with self.subTest(kind=kind, body=body):
                r = self.v1("POST", f"{base}/{kind}", secret, body)
                self.assertError(r, 400, "invalid_request")
                self.assertTrue(r.json()["error"]["message"].startswith(field), r)
        for kind in ("agents", "hosts"):
            r = self.v1("POST", f"{base}/{kind}", secret, raw="nope")
            self.assertError(r, 400, "invalid_request")
            self.assertEqual(self.v1("GET", f"{base}/{kind}", secret).json(), {kind: []})

    def test_objects_of_another_org_are_404(self):
        a, o1, o2 = self.account_with_two_orgs()
        _, secret = create_key(a)
        agent = self.v1("POST", f"/orgs/{o2['id']}/agents", secret,
                        {"name": "in two"}).json()["agent"]
        host = self.v1("POST", f"/orgs/{o2['id']}/hosts", secret,
                       {"name": "in two", "address": "x"}).json()["host"]
        self.assertError(self.v1("GET", f"/orgs/{o1['id']}/agents/{agent['id']}", secret),
                         404, "not_found")
        self.assertError(self.v1("DELETE", f"/orgs/{o1['id']}/agents/{agent['id']}", secret),
                         404, "not_found")
        self.assertError(self.v1("GET", f"/orgs/{o1['id']}/hosts/{host['id']}", secret),
                         404, "not_found")
        self.assertError(self.v1("DELETE", f"/orgs/{o1['id']}/hosts/{host['id']}", secret),
                         404, "not_found")
        self.assertEqual(self.v1("GET", f"/orgs/{o2['id']}/agents/{agent['id']}",
                                 secret).status, 200)
        self.assertError(self.v1("GET", f"/orgs/{o1['id']}/agents/agent_nope", secret), 404,
                         "not_found")

    def test_members_share_org_objects(self):
        a = self.new_account()
        b = self.new_account()
        org = create_org(a)
        join(a, org["id"], b)
        _, sa = create_key(a)
        _, sb = create_key(b, org_id=org["id"])
        agent = self.v1("POST", f"/orgs/{org['id']}/agents", sa, {"name": "shared"}).json()
        r = self.v1("GET", f"/orgs/{org['id']}/agents", sb)
        self.assertEqual(r.status, 200, r)
        self.assertEqual([ag["id"] for ag in r.json()["agents"]], [agent["agent"]["id"]])

    def test_method_not_allowed_on_v1(self):
        a = self.new_account()
        org = create_org(a)
        _, secret = create_key(a)
        cases = [("DELETE", "/me", {"GET"}), ("POST", "/orgs", {"GET"}),
                 ("PUT", f"/orgs/{org['id']}/agents", {"GET", "POST"}),
                 ("DELETE", f"/orgs/{org['id']}/hosts", {"GET", "POST"}),
                 ("PATCH", f"/orgs/{org['id']}/agents/agent_x", {"GET", "DELETE"}),
                 ("GET", "/keys/verify", {"POST"})]
        for method, path, allowed in cases:
            with self.subTest(method=method, path=path):
                r = self.v1(method, path, secret, {} if method in ("POST", "PUT", "PATCH")
                            else None)
                self.assertError(r, 405, "method_not_allowed")
                allow = {m.strip() for m in (r.header("Allow") or "").split(",") if m.strip()}
                self.assertTrue(allowed <= allow, (allowed, allow))
                self.assertNotIn(method, allow)

    def test_unknown_v1_path_is_404(self):
        a = self.new_account()
        _, secret = create_key(a)
        for path in ("/nope", "/orgs/x/y/z/w", "/mee"):
            with self.subTest(path=path):
                self.assertError(self.v1("GET", path, secret), 404, "not_found")


if __name__ == "__main__":
    unittest.main()
