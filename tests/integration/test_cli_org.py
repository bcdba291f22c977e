"""The CLI against a real server (issue 16, point 5): `--org` is an id, a handle, or a display
name resolved among all the account's organizations; a scoped key used on another of them is
told org_out_of_scope, never "not a member"; an ambiguous or unknown name is refused with the
candidates (exit 2). `auth status` shows the key's previous use, not the check it just made."""

import json
import re
import time
import unittest

from harness import Client, ServerTestCase
from test_cli import CliCase


class CliOrgTest(CliCase, ServerTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.a = Client(cls.server)
        cls.a.signup(name="Ada")
        cls.acme = cls.a.post("/api/orgs", {"name": "Acme"}).json()["org"]
        cls.beta = cls.a.post("/api/orgs", {"name": "Beta Labs"}).json()["org"]
        cls.twin1 = cls.a.post("/api/orgs", {"name": "Twin"}).json()["org"]
        cls.twin2 = cls.a.post("/api/orgs", {"name": "Twin"}).json()["org"]
        cls.b = Client(cls.server)
        cls.b.signup(name="Bob")
        cls.bravo = cls.b.post("/api/orgs", {"name": "Bravo"}).json()["org"]

    def use_key(self, **fields):
        r = self.a.post("/api/keys", dict({"name": "k"}, **fields))
        self.assertEqual(r.status, 201, r)
        secret = r.json()["secret"]
        self.secrets.append(secret)
        self.assertEqual(self.cli.run("set", "api_host", self.server.url).returncode, 0)
        self.assertEqual(self.cli.set_key(secret).returncode, 0)

    def test_a_scoped_key_on_another_org_of_the_account_is_out_of_scope(self):
        self.use_key(org_id=self.acme["id"])
        for ref in (self.beta["handle"], self.beta["id"], "Beta Labs"):
            p = self.cli.run("agents", "--org", ref)
            self.assertExit(p, 4)
            self.assertIn("org_out_of_scope", p.stderr)
            self.assertNotIn("not a member", p.stderr)
        # Its own organization, by any of its names.
        for ref in (self.acme["handle"], self.acme["id"], "Acme"):
            self.assertExit(self.cli.run("agents", "--org", ref), 0)

    def test_a_unique_name_resolves_and_an_ambiguous_or_unknown_one_is_refused(self):
        self.use_key()
        p = self.cli.run("agents", "create", "bot", "--org", "Beta Labs", "--json")
        self.assertExit(p, 0)
        self.assertEqual(json.loads(p.stdout)["agent"]["org_id"], self.beta["id"])
        p = self.cli.run("agents", "create", "bot", "--org", "Twin")
        self.assertExit(p, 2)
        self.assertIn("display name of 2", p.stderr)
        self.assertIn(self.twin1["handle"], p.stderr)
        self.assertIn(self.twin2["handle"], p.stderr)
        for ref in ("Bravo", self.bravo["handle"], "nope"):
            p = self.cli.run("hosts", "--org", ref)
            self.assertExit(p, 2)
            self.assertIn("not the id, handle or name of any of your organizations", p.stderr)
            self.assertIn(self.acme["handle"], p.stderr)
            self.assertNotIn("Bravo (", p.stderr)
        # An id of someone else's organization: the server answers.
        p = self.cli.run("hosts", "--org", self.bravo["id"])
        self.assertExit(p, 4)
        self.assertIn("forbidden", p.stderr)

    def test_auth_status_shows_the_use_before_this_check(self):
        self.use_key()
        p = self.cli.run("auth", "status")
        self.assertExit(p, 0)
        self.assertRegex(p.stdout, r"last used:\s+never \(before this check\)")
        first = self.client().get("/api/v1/me", bearer=self.secrets[0]).json()["key"]
        time.sleep(1.2)  # uses are counted by the second
        p = self.cli.run("auth", "status")
        self.assertExit(p, 0)
        shown = re.search(r"last used:\s+(\S+)", p.stdout).group(1)
        self.assertEqual(shown, first["last_used_at"])
        time.sleep(1.2)
        me = json.loads(self.cli.run("auth", "status", "--json").stdout)["key"]
        self.assertLess(me["previous_used_at"], me["last_used_at"])


if __name__ == "__main__":
    unittest.main()
