"""GET /api/v1/keys/check of docs/spec/API.md, asked directly (the question nginx auth_request
and Envoy ext_authz ask): codes, identity headers, the challenge and X-2501-Error. Runs on
SQLite and on PostgreSQL (tests/CMakeLists.txt runs every test_api_* suite on both)."""

import re
import unittest

from harness import Client, ServerTestCase, create_key, create_org

CHECK = "/api/v1/keys/check"
NO_KEY = 'Bearer realm="2501"'
INVALID = 'Bearer realm="2501", error="invalid_token"'
SCOPE = 'Bearer realm="2501", error="insufficient_scope"'


class KeyCheckTest(ServerTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.owner = Client(cls.server)
        cls.owner.signup()
        cls.org = create_org(cls.owner)
        cls.other_org = create_org(cls.owner)

    def check(self, secret=None, query="", method="GET", path=CHECK, headers=None):
        r = Client(self.server).request(method, path + query, bearer=secret, headers=headers)
        if secret:
            self.assertNotIn(secret, r.body)
            self.assertNotIn(secret, str(r.headers))
        return r

    def assertGranted(self, r, key, org, status=204):
        self.assertEqual(r.status, status, r)
        self.assertEqual(r.body, "")
        self.assertEqual(r.header("X-2501-Account"), self.owner.account["id"])
        self.assertEqual(r.header("X-2501-Key"), key["id"])
        self.assertEqual(r.header("X-2501-Org"), org)  # present, "" when none
        self.assertIsNone(r.header("X-2501-Error"))
        self.assertIsNone(r.header("WWW-Authenticate"))
        self.assertEqual(r.header("Cache-Control"), "no-store")

    def assertRefused(self, r, status, code, challenge):
        self.assertEqual(r.status, status, r)
        self.assertEqual(r.header("X-2501-Error"), code)
        self.assertEqual(r.header("WWW-Authenticate"), challenge)
        self.assertEqual(r.json()["error"]["code"], code)
        for name in ("X-2501-Account", "X-2501-Key", "X-2501-Org"):
            self.assertIsNone(r.header(name), name)

    def test_a_valid_unscoped_key_passes_with_its_identity(self):
        key, secret = create_key(self.owner)
        self.assertGranted(self.check(secret), key, "")

    def test_a_scoped_key_names_its_org(self):
        key, secret = create_key(self.owner, org_id=self.org["id"])
        self.assertGranted(self.check(secret), key, self.org["id"])
        self.assertGranted(self.check(secret, f"?org={self.org['id']}"), key, self.org["id"])

    def test_org_asked_for(self):
        key, secret = create_key(self.owner)
        self.assertGranted(self.check(secret, f"?org={self.other_org['id']}"), key,
                           self.other_org["id"])
        self.assertRefused(self.check(secret, "?org=org_NotAMemberOfThis1"), 403, "forbidden",
                           SCOPE)
        scoped, scoped_secret = create_key(self.owner, org_id=self.org["id"])
        self.assertRefused(self.check(scoped_secret, f"?org={self.other_org['id']}"), 403,
                           "org_out_of_scope", SCOPE)

    def test_missing_malformed_unknown_and_revoked_keys_are_401(self):
        self.assertRefused(self.check(), 401, "unauthenticated", NO_KEY)
        self.assertRefused(self.check(headers={"Authorization": "Basic dXNlcjpwYXNz"}), 401,
                           "unauthenticated", NO_KEY)
        self.assertRefused(self.check("tfzo_notakey"), 401, "key_malformed", INVALID)
        key, secret = create_key(self.owner)
        self.assertGranted(self.check(secret), key, "")  # cached from here on
        self.assertEqual(self.owner.post(f"/api/keys/{key['id']}/revoke").status, 200)
        self.assertRefused(self.check(secret), 401, "key_revoked", INVALID)

    def test_permission_is_the_keys_granted_one(self):
        key, secret = create_key(self.owner, permissions=["agents:read"])
        self.assertGranted(self.check(secret, "?permission=agents:read"), key, "")
        self.assertGranted(self.check(secret, "?permission=agents%3Aread"), key, "")
        self.assertRefused(self.check(secret, "?permission=agents:write"), 403,
                           "permission_denied", SCOPE)
        both = f"?org={self.other_org['id']}&permission=hosts:read"
        self.assertRefused(self.check(secret, both), 403, "permission_denied", SCOPE)

    def test_the_org_policy_narrows_the_granted_permissions(self):
        org = create_org(self.owner)
        key, secret = create_key(self.owner, org_id=org["id"], permissions=["agents:write"])
        self.assertGranted(self.check(secret, "?permission=agents:write"), key, org["id"])
        r = self.owner.request("PUT", f"/api/orgs/{org['id']}/policy",
                               body={"allowed_permissions": ["agents:read"]})
        self.assertEqual(r.status, 200, r)
        self.assertRefused(self.check(secret, "?permission=agents:write"), 403,
                           "permission_denied", SCOPE)
        self.assertGranted(self.check(secret, "?permission=agents:read"), key, org["id"])

    def test_bad_query_is_a_400_naming_the_parameter(self):
        _, secret = create_key(self.owner)
        for query, field in (("?permission=admin", "permission"), ("?permission=", "permission"),
                             ("?org=", "org")):
            with self.subTest(query=query):
                r = self.check(secret, query)
                self.assertEqual(r.status, 400, r)
                self.assertEqual(r.header("X-2501-Error"), "invalid_request")
                self.assertTrue(r.json()["error"]["message"].startswith(field + ":"), r)
        key, secret = create_key(self.owner)
        self.assertGranted(self.check(secret, "?unrelated=1"), key, "")

    def test_other_methods_of_the_path_are_405(self):
        _, secret = create_key(self.owner)
        r = self.check(secret, method="POST")
        self.assertError(r, 405, "method_not_allowed")
        self.assertIn("GET", r.header("Allow"))

    def test_envoy_form_any_method_and_path_under_the_check_ignoring_the_query(self):
        key, secret = create_key(self.owner)
        for method in ("GET", "POST", "DELETE"):
            with self.subTest(method=method):
                # The query is the client's own: it must not make the check ask anything.
                r = self.check(secret, "?org=org_NotAMemberOfThis1&permission=admin",
                               method=method, path=CHECK + "/app/items/7")
                self.assertGranted(r, key, "", status=200)
                self.assertEqual(r.header("Content-Length"), "0")
        scoped, scoped_secret = create_key(self.owner, org_id=self.org["id"])
        self.assertGranted(self.check(scoped_secret, path=CHECK + "/x"), scoped, self.org["id"],
                           status=200)
        r = self.check(path=CHECK + "/x", method="PUT")
        self.assertRefused(r, 401, "unauthenticated", NO_KEY)

    def metric(self, name):
        text = Client(self.server).get("/metrics").body
        return float(re.search(rf"^{name} (\S+)$", text, re.M).group(1))

    def test_a_cached_key_is_checked_without_reading_the_store(self):
        key, secret = create_key(self.owner, org_id=self.org["id"])
        self.assertGranted(self.check(secret), key, self.org["id"])  # the first use reads
        misses = self.metric("tfzo_key_cache_misses_total")
        hits = self.metric("tfzo_key_cache_hits_total")
        for query in ("", f"?org={self.org['id']}", "?permission=hosts:write") * 5:
            self.assertGranted(self.check(secret, query), key, self.org["id"])
        self.assertEqual(self.metric("tfzo_key_cache_misses_total"), misses)
        self.assertGreaterEqual(self.metric("tfzo_key_cache_hits_total"), hits + 15)

    def test_counted_in_metrics_under_its_route(self):
        key, secret = create_key(self.owner)
        self.check(secret)
        self.check(secret, path=CHECK + "/some/client/path")
        self.check("tfzo_notakey")
        text = Client(self.server).get("/metrics").body
        counts = dict(re.findall(
            r'tfzo_http_requests_total\{route="/api/v1/keys/check",method="GET",'
            r'status="(\d+)"\} (\d+)', text))
        self.assertGreaterEqual(int(counts.get("204", 0)), 1, counts)
        self.assertGreaterEqual(int(counts.get("200", 0)), 1, counts)
        self.assertGreaterEqual(int(counts.get("401", 0)), 1, counts)
        self.assertNotIn("/some/client/path", text)


if __name__ == "__main__":
    unittest.main()
