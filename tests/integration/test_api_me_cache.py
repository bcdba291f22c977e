"""/api/v1/me is answered from memory on the I/O thread; it must still show every change at
once: a rename, a new organization, a removed membership, a use."""

import time

from harness import ServerTestCase, create_key, create_org, join, parse_rfc3339


class MeFreshnessTest(ServerTestCase):
    def test_me_reflects_changes_at_once(self):
        c = self.new_account()
        create_org(c)
        key, secret = create_key(c)
        first = c.get("/api/v1/me", bearer=secret).json()
        self.assertEqual(first["key"]["name"], key["name"])
        self.assertEqual(len(first["orgs"]), 1)

        self.assertEqual(c.patch(f"/api/keys/{key['id']}", {"name": "renamed"}).status, 200)
        self.assertEqual(c.get("/api/v1/me", bearer=secret).json()["key"]["name"], "renamed")

        second_org = create_org(c)
        self.assertEqual(len(c.get("/api/v1/me", bearer=secret).json()["orgs"]), 2)

        other = self.new_account()
        join(c, second_org["id"], other, role="owner")
        self.assertEqual(c.delete(f"/api/orgs/{second_org['id']}/members/{c.account['id']}").status,
                         204)
        self.assertEqual(len(c.get("/api/v1/me", bearer=secret).json()["orgs"]), 1)

        time.sleep(1.1)  # a new second: the use just made must show
        before = time.time()
        used = c.get("/api/v1/me", bearer=secret).json()["key"]["last_used_at"]
        self.assertIsNotNone(used)
        self.assertGreaterEqual(parse_rfc3339(used), int(before) - 1)

        self.assertEqual(c.post(f"/api/keys/{key['id']}/revoke").status, 200)
        self.assertError(c.get("/api/v1/me", bearer=secret), 401, "key_revoked")
