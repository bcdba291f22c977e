"""`2501 scan --revoke` (issue 15, docs/spec/CLI.md): after a scan, the keys found are reported to
the profile's server (or --host) as exposed, which revokes every live one. Runs the real `2501`
binary with its own XDG_CONFIG_HOME against a real server; no key is configured, none is needed."""

import json
import os
import unittest

from harness import Client, ServerTestCase, create_key
from test_cli import Cli, closed_port, hint


class ScanRevokeTest(ServerTestCase):

    def setUp(self):
        self.cli = Cli()
        self.dir = os.path.join(self.cli.home, "project")
        os.makedirs(self.dir)
        self.owner = self.new_account()
        self.key, self.secret = create_key(self.owner, name="leaked")
        with open(os.path.join(self.dir, "settings.py"), "w") as f:
            f.write("A = 1\nTOKEN = '" + self.secret + "'\nB = '" + self.secret + "'\n")

    def tearDown(self):
        for out in self.cli.outputs:
            self.assertNotIn(self.secret, out)
        self.cli.cleanup()

    def me(self):
        return Client(self.server).get("/api/v1/me", bearer=self.secret)

    def test_revoke_yes_revokes_a_live_key_found_in_a_directory(self):
        self.assertEqual(self.cli.run("set", "api_host", self.server.url).returncode, 0)
        self.assertEqual(self.me().status, 200)
        p = self.cli.run("scan", self.dir, "--revoke", "--yes")
        self.assertEqual(p.returncode, 1, p)  # keys were found: still a failed scan
        self.assertIn(f"settings.py:2: {hint(self.secret)}", p.stdout)
        self.assertIn(f"sent 1 key to {self.server.url}", p.stderr)
        self.assertError(self.me(), 401, "key_revoked")
        events = [e for e in self.owner.get("/api/audit").json()["events"]
                  if e["action"] == "key.exposed"]
        self.assertEqual([e["target_id"] for e in events], [self.key["id"]])

    def test_host_flag_and_json(self):
        # The profile points nowhere; --host names the server.
        self.cli.run("set", "api_host", f"http://127.0.0.1:{closed_port()}")
        p = self.cli.run("scan", self.dir, "--revoke", "--yes", "--json", "--host", self.server.url)
        self.assertEqual(p.returncode, 1, p)
        body = json.loads(p.stdout)
        self.assertEqual(body["reported"], 1)
        self.assertEqual(len(body["findings"]), 2)
        self.assertError(self.me(), 401, "key_revoked")

    def test_without_a_terminal_and_without_yes_it_is_a_usage_error(self):
        self.cli.run("set", "api_host", self.server.url)
        p = self.cli.run("scan", self.dir, "--revoke", input="y\n")
        self.assertEqual(p.returncode, 2, p)
        self.assertIn("--yes", p.stderr)
        self.assertIn("Usage: 2501 scan", p.stderr)
        self.assertEqual(p.stdout, "")
        self.assertEqual(self.me().status, 200)
        p = self.cli.run("scan", self.dir, "--yes")
        self.assertEqual(p.returncode, 2, p)
        self.assertIn("--yes goes with --revoke", p.stderr)
        p = self.cli.run("scan", "--staged", "--revoke", "--yes", cwd=self.dir)
        self.assertEqual(p.returncode, 2, p)
        self.assertEqual(self.me().status, 200)

    def test_unreachable_server_exits_5(self):
        p = self.cli.run("scan", self.dir, "--revoke", "--yes", "--host",
                         f"http://127.0.0.1:{closed_port()}")
        self.assertEqual(p.returncode, 5, p)
        self.assertIn("cannot reach", p.stderr)
        self.assertEqual(self.me().status, 200)


if __name__ == "__main__":
    unittest.main()
