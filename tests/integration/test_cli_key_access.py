"""The `2501` CLI and a key's permissions, allowed addresses and rotation overlap (docs/spec/CLI.md):
`auth status` lists them, and the server's permission_denied and ip_not_allowed answers exit 4
saying which permission is missing (or which address the server saw) and what to do.

Keys are made through the console API with limited permissions; the real binary runs with a
temporary XDG_CONFIG_HOME against a real server, the key handed over on stdin.
"""

import unittest

from harness import ServerTestCase, create_key, create_org, run_sql
from test_cli import Cli

READ_ONLY = ["orgs:read", "agents:read", "hosts:read"]


class CliKeyAccessTest(ServerTestCase):

    def setUp(self):
        self.owner = self.new_account()
        self.org = create_org(self.owner)
        self.cli = Cli()
        self.addCleanup(self.cli.cleanup)
        self.assertEqual(self.cli.run("set", "api_host", self.server.url).returncode, 0)

    def use(self, secret):
        self.assertEqual(self.cli.set_key(secret).returncode, 0)

    def assertNoSecret(self, secret):
        for output in self.cli.outputs:
            self.assertNotIn(secret, output)

    def test_auth_status_lists_permissions_and_addresses(self):
        _, secret = create_key(self.owner, permissions=READ_ONLY,
                               allowed_ips=["127.0.0.1", "10.0.0.0/8"])
        self.use(secret)
        p = self.cli.run("auth", "status")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("  permissions:    orgs:read, agents:read, hosts:read (read only)\n", p.stdout)
        self.assertIn("  allowed from:   127.0.0.1/32, 10.0.0.0/8\n", p.stdout)
        self.assertNotIn("previous value", p.stdout)

        _, full = create_key(self.owner)
        self.use(full)
        p = self.cli.run("whoami")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("  permissions:    orgs:read, agents:read, agents:write, hosts:read, "
                      "hosts:write (full access)\n", p.stdout)
        self.assertIn("  allowed from:   anywhere\n", p.stdout)
        self.assertNoSecret(secret)
        self.assertNoSecret(full)

    def test_an_overdue_rotation_exits_3_saying_to_rotate(self):
        key, secret = create_key(self.owner, org_id=self.org["id"])
        self.use(secret)
        run_sql(self.server, f"UPDATE api_keys SET created_at = created_at - {31 * 86400} "
                             f"WHERE id = '{key['id']}'")
        r = self.owner.request("PUT", f"/api/orgs/{self.org['id']}/policy",
                               body={"rotate_every_days": 30})
        self.assertEqual(r.status, 200, r)
        p = self.cli.run("auth", "status")
        self.assertEqual(p.returncode, 3, p.stderr)
        self.assertIn("(rotation_overdue)", p.stderr)
        self.assertIn("Rotate it", p.stderr)
        self.assertNoSecret(secret)

    def test_auth_status_shows_the_overlap_after_a_rotation(self):
        key, old = create_key(self.owner)
        r = self.owner.post(f"/api/keys/{key['id']}/rotate", {"overlap_seconds": 3600})
        self.assertEqual(r.status, 200, r)
        new = r.json()["secret"]
        until = r.json()["key"]["previous_valid_until"]
        self.assertTrue(until)
        for secret in (new, old):  # both values work during the overlap, and both say so
            self.use(secret)
            p = self.cli.run("auth", "status")
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertIn(f"  previous value: valid until {until} (in ", p.stdout)
        self.assertNoSecret(old)
        self.assertNoSecret(new)

    def test_a_missing_permission_exits_4_naming_it(self):
        _, secret = create_key(self.owner, permissions=READ_ONLY)
        self.use(secret)
        # Reading works with read-only...
        p = self.cli.run("agents", "list", "--org", self.org["id"])
        self.assertEqual(p.returncode, 0, p.stderr)
        # ...creating needs agents:write.
        p = self.cli.run("agents", "create", "builder", "--org", self.org["id"])
        self.assertEqual(p.returncode, 4, p.stderr)
        self.assertIn("does not have the permission agents:write", p.stderr)
        self.assertIn("it has: orgs:read, agents:read, hosts:read (read only)", p.stderr)
        self.assertIn("(permission_denied)", p.stderr)
        self.assertIn("Use a key that has agents:write: create one in the Accounts console",
                      p.stderr)
        self.assertIn("ask an owner", p.stderr)

        _, none = create_key(self.owner, permissions=[])
        self.use(none)
        p = self.cli.run("hosts", "list", "--org", self.org["id"])
        self.assertEqual(p.returncode, 4, p.stderr)
        self.assertIn("does not have the permission hosts:read", p.stderr)
        p = self.cli.run("orgs")
        self.assertEqual(p.returncode, 4, p.stderr)
        self.assertIn("does not have the permission orgs:read", p.stderr)
        # --json: the server's error object on stdout, same exit code.
        p = self.cli.run("orgs", "--json")
        self.assertEqual(p.returncode, 4, p.stderr)
        self.assertIn('"permission_denied"', p.stdout)
        self.assertNoSecret(secret)
        self.assertNoSecret(none)

    def test_an_address_not_allowed_exits_4_naming_it(self):
        _, secret = create_key(self.owner, allowed_ips=["203.0.113.0/24"])
        self.use(secret)
        p = self.cli.run("auth", "status")
        self.assertEqual(p.returncode, 4, p.stderr)
        self.assertIn("may not be used from 127.0.0.1, the address the server saw", p.stderr)
        self.assertIn("(ip_not_allowed)", p.stderr)
        self.assertIn("allowed addresses can be changed in the Accounts console", p.stderr)
        self.assertNoSecret(secret)


if __name__ == "__main__":
    unittest.main()
