"""Regression tests over real HTTP for the hardening finding "a foreign org answers 403 but a
non-existent one 404": on every route that names an organization, one that does not exist gets
the very answer a foreign one gets (status, code and message), so ids cannot be probed."""

import sys
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "integration"))

from harness import ServerTestCase, create_key, create_org  # noqa: E402

MISSING = "org_doesnotexist"


class OrgProbeTest(ServerTestCase):

    def setUp(self):
        self.a = self.new_account()
        self.b = self.new_account()
        self.foreign = create_org(self.b)["id"]
        self.b_key, _ = create_key(self.b, org_id=self.foreign)

    def assertSameAnswer(self, send):
        foreign, missing = send(self.foreign), send(MISSING)
        self.assertEqual(foreign.status, 403, foreign)
        self.assertEqual((missing.status, missing.json()), (foreign.status, foreign.json()))

    def test_console_org_routes(self):
        a, b_id = self.a, self.b.account["id"]
        routes = {
            "GET members": lambda org: a.get(f"/api/orgs/{org}/members"),
            "POST invitations": lambda org: a.post(f"/api/orgs/{org}/invitations",
                                                   {"email": self.b.email, "role": "member"}),
            "GET invitations": lambda org: a.get(f"/api/orgs/{org}/invitations"),
            "DELETE invitation": lambda org: a.delete(f"/api/orgs/{org}/invitations/inv_x"),
            "DELETE member": lambda org: a.delete(f"/api/orgs/{org}/members/{b_id}"),
            "leave": lambda org: a.delete(f"/api/orgs/{org}/members/{a.account['id']}"),
            "GET keys": lambda org: a.get(f"/api/orgs/{org}/keys"),
            "POST revoke": lambda org: a.post(f"/api/orgs/{org}/keys/{self.b_key['id']}/revoke"),
        }
        for name, send in routes.items():
            with self.subTest(name):
                self.assertSameAnswer(send)

    def test_key_creation_with_org_id(self):
        self.assertSameAnswer(lambda org: self.a.post("/api/keys", {"name": "k", "org_id": org}))

    def test_cli_org_routes(self):
        _, secret = create_key(self.a)
        for method, tail, body in [("GET", "agents", None), ("POST", "agents", {"name": "x"}),
                                   ("GET", "agents/agt_x", None), ("DELETE", "agents/agt_x", None),
                                   ("GET", "hosts", None),
                                   ("POST", "hosts", {"name": "x", "address": "h"}),
                                   ("GET", "hosts/hst_x", None), ("DELETE", "hosts/hst_x", None)]:
            with self.subTest(method=method, tail=tail):
                self.assertSameAnswer(lambda org: self.a.request(
                    method, f"/api/v1/orgs/{org}/{tail}", body=body, bearer=secret))

    def test_verify_with_org_id(self):
        _, secret = create_key(self.a)
        verdicts = [self.client().post("/api/v1/keys/verify", {"key": secret, "org_id": org})
                    for org in (self.foreign, MISSING)]
        self.assertEqual([(r.status, r.json()) for r in verdicts],
                         [(200, {"valid": False, "code": "forbidden"})] * 2)


if __name__ == "__main__":
    unittest.main()
