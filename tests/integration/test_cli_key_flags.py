"""`2501 auth status` and a key's flags (docs/spec/CLI.md): each flag on its own line with what
to do, none for a key that needs nothing. The real binary, with a temporary XDG_CONFIG_HOME,
against a real server; the key is made old by moving its times back in the store."""

import json
import time
import unittest

from harness import ServerTestCase, create_key, create_org, join, rfc3339
from test_api_key_flags import age_key, DAY
from test_cli import Cli


class CliKeyFlagsTest(ServerTestCase):

    def setUp(self):
        self.cli = Cli()
        self.addCleanup(self.cli.cleanup)
        self.assertEqual(self.cli.run("set", "api_host", self.server.url).returncode, 0)

    def status(self, secret):
        self.assertEqual(self.cli.set_key(secret).returncode, 0)
        p = self.cli.run("auth", "status")
        self.assertEqual(p.returncode, 0, p.stderr)
        for output in self.cli.outputs:
            self.assertNotIn(secret, output)
        return p.stdout

    def test_a_key_that_needs_nothing_prints_no_attention_line(self):
        _, secret = create_key(self.new_account())
        self.assertNotIn("attention:", self.status(secret))

    def test_rotation_due_and_owner_left_org_each_say_what_to_do(self):
        owner, member = self.new_account(), self.new_account()
        org = create_org(owner)
        join(owner, org["id"], member)
        key, secret = create_key(member, name="old", org_id=org["id"])
        age_key(self.server, key, 120)  # before its first use: not yet cached by the server
        r = owner.delete(f"/api/orgs/{org['id']}/members/{member.account['id']}")
        self.assertEqual(r.status, 204, r)
        out = self.status(secret)
        self.assertIn("  attention:      rotation_due: created or last rotated 90 days ago or "
                      "more; rotate it in the Accounts console", out)
        self.assertIn("\n                  owner_left_org: its owner is no longer a member of "
                      "its organization", out)
        self.assertLess(out.index("rotation_due"), out.index("owner_left_org"))
        self.assertNotIn("unused_90_days", out)  # auth status itself uses the key
        j = json.loads(self.cli.run("whoami", "--json").stdout)
        self.assertEqual(j["key"]["flags"], ["rotation_due", "owner_left_org"])

    def test_expiring_soon(self):
        _, secret = create_key(self.new_account(), expires_at=rfc3339(time.time() + 2 * DAY))
        self.assertIn("  attention:      expiring_soon: expires within 7 days; extend it",
                      self.status(secret))


if __name__ == "__main__":
    unittest.main()
