"""Two-factor sign-in with TOTP (issue 13) through the real server: enabling it, signing in
with a code (a replayed code refused, a recovery code working once, wrong codes throttled),
turning it off, and organizations that require it: a member's key is cut off the organization
(/api/v1 and verify answer two_factor_required) until they turn it on; with two nodes sharing
PostgreSQL, on the other node within a second. TOTP codes are computed here (RFC 6238 with
hmac and hashlib), as an authenticator app computes them.
"""

import base64
import hashlib
import hmac
import shutil
import struct
import tempfile
import time
import unittest

from harness import (Client, Server, ServerTestCase, create_key, create_org, join, psql,
                     wait_until)
from harness import pg_cluster as cluster
from test_cli import Cli


def totp(secret, drift=0, at=None):
    """The 6-digit code of base32 `secret` for the 30-second step `drift` steps from `at`."""
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    step = int((time.time() if at is None else at) // 30) + drift
    mac = hmac.new(key, struct.pack(">Q", step), hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    value = struct.unpack(">I", mac[offset:offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 1000000:06d}"


def enable(client):
    """Turns two-factor on for `client` (setup, then enable with the current code); the secret
    and the recovery codes."""
    r = client.post("/api/account/totp/setup")
    assert r.status == 200, r
    secret = r.json()["secret"]
    r = client.post("/api/account/totp/enable", {"code": totp(secret)})
    assert r.status == 200, r
    return secret, r.json()["recovery_codes"]


def challenge(client):
    """Signs `client` in with its password: the challenge the answer holds instead of a session."""
    r = client.login(client.email, client.password)
    assert r.status == 200 and set(r.json()) == {"two_factor"}, r
    assert not client.cookies, "a session was set before the second factor"
    return r.json()["two_factor"]["challenge"]


class TwoFactorTest(ServerTestCase):

    def test_sign_in_needs_a_code_accepted_once_and_recovery_codes_work_once(self):
        ada = self.new_account()
        self.assertIs(ada.get("/api/session").json()["account"]["two_factor"], False)
        r = ada.post("/api/account/totp/setup")
        self.assertEqual(r.status, 200, r)
        setup = r.json()
        self.assertEqual(set(setup), {"secret", "otpauth_uri", "qr_svg"})
        secret = setup["secret"]
        email = ada.email.replace("@", "%40")
        self.assertEqual(setup["otpauth_uri"],
                         f"otpauth://totp/2501%20Accounts:{email}?secret={secret}"
                         "&issuer=2501%20Accounts&algorithm=SHA1&digits=6&period=30")
        self.assertTrue(setup["qr_svg"].startswith("<svg "))
        self.assertNotIn("style", setup["qr_svg"])
        # A wrong code does not turn it on.
        wrong = f"{(int(totp(secret)) + 1) % 1000000:06d}"
        self.assertError(ada.post("/api/account/totp/enable", {"code": wrong}), 401,
                         "invalid_credentials")
        r = ada.post("/api/account/totp/enable", {"code": totp(secret)})
        self.assertEqual(r.status, 200, r)
        recovery = r.json()["recovery_codes"]
        self.assertEqual(len(recovery), 10)
        self.assertEqual(len(set(recovery)), 10)
        self.assertIs(ada.get("/api/session").json()["account"]["two_factor"], True)

        # The password alone starts no session.
        fresh = Client(self.server)
        fresh.email, fresh.password = ada.email, ada.password
        first = challenge(fresh)
        self.assertError(fresh.get("/api/session"), 401, "unauthenticated")
        # The next step's code (one step of drift): the step enable used is spent.
        code = totp(secret, drift=1)
        r = fresh.post("/api/login/2fa", {"challenge": first, "code": code})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(set(r.json()), {"account", "csrf_token"})
        fresh.csrf = r.json()["csrf_token"]
        self.assertEqual(fresh.get("/api/session").status, 200)
        # The challenge is spent; the code, replayed with a new challenge, is refused.
        again = Client(self.server)
        again.email, again.password = ada.email, ada.password
        self.assertError(again.post("/api/login/2fa", {"challenge": first, "code": code}), 400,
                         "invalid_token")
        self.assertError(again.post("/api/login/2fa", {"challenge": challenge(again),
                                                       "code": code}), 401,
                         "invalid_credentials")
        self.assertFalse(again.cookies)
        # A recovery code works once.
        r = again.post("/api/login/2fa", {"challenge": challenge(again), "code": recovery[0]})
        self.assertEqual(r.status, 200, r)
        once = Client(self.server)
        once.email, once.password = ada.email, ada.password
        self.assertError(once.post("/api/login/2fa", {"challenge": challenge(once),
                                                      "code": recovery[0]}),
                         401, "invalid_credentials")
        actions = [e["action"] for e in ada.get("/api/audit").json()["events"]]
        for action in ("account.totp_enabled", "login.2fa_failed", "login.recovery_code_used"):
            self.assertIn(action, actions)

        # Off with the password and a code; then the password alone signs in again.
        self.assertError(ada.post("/api/account/totp/disable",
                                  {"password": "not-the-password", "code": recovery[1]}),
                         401, "invalid_credentials")
        r = ada.post("/api/account/totp/disable", {"password": ada.password, "code": recovery[1]})
        self.assertEqual(r.status, 204, r)
        r = Client(self.server).login(ada.email, ada.password)
        self.assertEqual(r.status, 200, r)
        self.assertIn("csrf_token", r.json())
        self.assertIn("account.totp_disabled",
                      [e["action"] for e in ada.get("/api/audit").json()["events"]])

    def test_deleting_the_account_needs_a_code_too(self):
        ada = self.new_account()
        _, recovery = enable(ada)
        _, secret = create_key(ada)
        delete = {"password": ada.password}
        r = ada.request("DELETE", "/api/account", body=delete)
        self.assertError(r, 400, "invalid_request")
        self.assertTrue(r.json()["error"]["message"].startswith("code"), r)
        self.assertError(ada.request("DELETE", "/api/account",
                                     body={**delete, "code": "000000-00000"}), 401,
                         "invalid_credentials")
        self.assertEqual(self.client().get("/api/v1/me", bearer=secret).status, 200)
        r = ada.request("DELETE", "/api/account", body={**delete, "code": recovery[0]})
        self.assertEqual(r.status, 204, r)
        self.assertError(self.client().get("/api/v1/me", bearer=secret), 401, "key_revoked")

    def test_wrong_codes_are_throttled(self):
        bob = self.new_account()
        secret, _ = enable(bob)
        c = Client(self.server)
        c.email, c.password = bob.email, bob.password
        token = challenge(c)
        wrong = f"{(int(totp(secret)) + 500000) % 1000000:06d}"
        for _ in range(5):
            self.assertError(c.post("/api/login/2fa", {"challenge": token, "code": wrong}), 401,
                             "invalid_credentials")
        r = c.post("/api/login/2fa", {"challenge": token, "code": totp(secret, drift=1)})
        self.assertError(r, 429, "rate_limited")
        self.assertGreater(int(r.header("retry-after")), 0)
        self.assertFalse(c.cookies)

    def test_bad_input_is_a_clear_400(self):
        carol = self.new_account()
        for path, body in (("/api/account/totp/enable", {}),
                           ("/api/account/totp/enable", {"code": 123456}),
                           ("/api/account/totp/enable", {"code": "1", "extra": 1}),
                           ("/api/account/totp/disable", {"code": "123456"}),
                           ("/api/login/2fa", {"challenge": "x"}),
                           ("/api/login/2fa", {"challenge": ["x"], "code": "123456"})):
            self.assertError(carol.post(path, body), 400, "invalid_request")
        self.assertError(carol.post("/api/login/2fa", {"challenge": "nope", "code": "123456"}),
                         400, "invalid_token")
        # Enabling before the setup, and the org rule without two-factor on: 409.
        self.assertError(carol.post("/api/account/totp/enable", {"code": "123456"}), 409,
                         "conflict")
        org = create_org(carol)
        r = carol.patch(f"/api/orgs/{org['id']}", {"require_two_factor": True})
        self.assertError(r, 409, "conflict")
        self.assertIn("two-factor", r.json()["error"]["message"])
        self.assertError(carol.patch(f"/api/orgs/{org['id']}", {"require_two_factor": "yes"}),
                         400, "invalid_request")


def org_requirement_walk(test, owner, member, member_node, check_node, while_cut=None):
    """Owner (on its node) requires two-factor on an org; `member`'s key, cached on
    `check_node`, is refused there with two_factor_required; once the member turns it on (on
    `member_node`), the key works there again. `while_cut(org, secret)` runs while the key is
    refused. The delays until `check_node` saw each."""
    org = create_org(owner)
    join(owner, org["id"], member)
    _, secret = create_key(member)
    checker = Client(check_node)
    agents = f"/api/v1/orgs/{org['id']}/agents"

    def verdict():
        return checker.post("/api/v1/keys/verify", {"key": secret, "org_id": org["id"]}).json()

    test.assertEqual(checker.get(agents, bearer=secret).status, 200)  # cached from here on
    test.assertEqual(verdict()["valid"], True)
    enable(owner)
    r = owner.patch(f"/api/orgs/{org['id']}", {"require_two_factor": True})
    test.assertEqual(r.status, 200, r)
    test.assertIs(r.json()["org"]["require_two_factor"], True)
    start = time.monotonic()
    wait_until(lambda: checker.get(agents, bearer=secret).status == 403, timeout=1.0, interval=0.01)
    cut = time.monotonic() - start
    r = checker.get(agents, bearer=secret)
    test.assertError(r, 403, "two_factor_required")
    test.assertIn("two-factor", r.json()["error"]["message"])
    test.assertEqual(verdict(), {"valid": False, "code": "two_factor_required"})
    # The console: the member cannot open the org's pages; the owner sees who has it on.
    test.assertError(member.get(f"/api/orgs/{org['id']}/members"), 403, "two_factor_required")
    members = owner.get(f"/api/orgs/{org['id']}/members").json()["members"]
    test.assertEqual({m["email"]: m["two_factor"] for m in members},
                     {owner.email: True, member.email: False})
    if while_cut:
        while_cut(org, secret)

    on_member_node = Client(member_node)
    on_member_node.cookies, on_member_node.csrf = member.cookies, member.csrf
    enable(on_member_node)
    start = time.monotonic()
    wait_until(lambda: checker.get(agents, bearer=secret).status == 200, timeout=1.0, interval=0.01)
    restored = time.monotonic() - start
    test.assertEqual(verdict()["valid"], True)
    test.assertEqual(member.get(f"/api/orgs/{org['id']}/members").status, 200)
    return cut, restored


class RequireTwoFactorTest(ServerTestCase):

    def test_require_two_factor_cuts_a_members_key_off_until_they_turn_it_on(self):
        owner, member = self.new_account(), self.new_account()

        def cli_refused(org, secret):
            # The CLI: exit 4, saying what to do.
            cli = Cli()
            try:
                self.assertEqual(cli.run("set", "api_host", self.server.url).returncode, 0)
                self.assertEqual(cli.set_key(secret).returncode, 0)
                p = cli.run("agents", "list", "--org", org["id"])
                self.assertEqual(p.returncode, 4, p.stderr)
                self.assertIn("two_factor_required", p.stderr)
                self.assertIn("Turn on two-factor", p.stderr)
                self.assertNotIn(secret, p.stdout + p.stderr)
            finally:
                cli.cleanup()

        org_requirement_walk(self, owner, member, self.server, self.server, cli_refused)


class RequireTwoFactorMultiNodeTest(unittest.TestCase):
    """The same on two nodes sharing PostgreSQL: the rule set on node A cuts the key off on
    node B, and the member turning two-factor on (on A) restores it on B."""

    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="tfzo-2fa-")
        server_url = cluster("start", cls.dir)
        psql(server_url, "CREATE DATABASE tfzo_two_factor")
        cls.db = server_url.rsplit("/", 1)[0] + "/tfzo_two_factor"
        cls.nodes = []
        try:
            for _ in range(2):
                cls.nodes.append(Server(db=cls.db).start())
        except Exception:
            cls.tearDownClass()
            raise

    @classmethod
    def tearDownClass(cls):
        for n in cls.nodes:
            n.cleanup()
        try:
            cluster("destroy", cls.dir)
        finally:
            shutil.rmtree(cls.dir, ignore_errors=True)

    def assertError(self, response, status, code):
        self.assertEqual(response.status, status, response)
        self.assertEqual(response.json()["error"]["code"], code, response)

    def test_the_rule_and_the_members_two_factor_reach_the_other_node_within_a_second(self):
        a, b = self.nodes
        owner, member = Client(a), Client(a)
        owner.signup()
        member.signup()
        cut, restored = org_requirement_walk(self, owner, member, a, b)
        print(f"\n  two_factor_required on node B after {cut * 1000:.0f} ms, "
              f"lifted after {restored * 1000:.0f} ms")


if __name__ == "__main__":
    unittest.main()
