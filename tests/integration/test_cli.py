"""The `2501` CLI against the real server (docs/spec/CLI.md): every command, every exit code, the
config file's permissions and atomic writes, profiles and precedence, --json.

Each test runs the real binary with a temporary HOME and XDG_CONFIG_HOME. Keys are created by
the server through the console API (or computed here with zlib.crc32), and handed to the CLI on
stdin with `2501 set api_key -`, never on a command line. The key never appears in any output.
"""

import json
import os
import re
import resource
import secrets
import shutil
import signal
import socket
import stat
import subprocess
import tempfile
import time
import unittest
import zlib

from harness import (CLI_BIN, RouteServer, ServerTestCase, parse_rfc3339, require_binary,
                     wait_until)

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def checksum(body):
    crc = zlib.crc32(body.encode())
    out = ""
    for _ in range(6):
        out = ALPHABET[crc % 62] + out
        crc //= 62
    return out


def make_key(body=None):
    """A well-formed key (docs/spec/KEYS.md) with a random body, computed here, never committed."""
    body = body or "".join(secrets.choice(ALPHABET) for _ in range(30))
    return "tfzo_" + body + checksum(body)


def lookalike_key():
    """Matches the gitleaks regex tfzo_[0-9A-Za-z]{36} but its checksum is wrong."""
    key = make_key()
    last = key[-1]
    return key[:-1] + ("a" if last != "a" else "b")


def hint(key):
    return "tfzo_..." + key[-4:]


class Cli:
    """Runs the real `2501` binary with its own HOME and XDG_CONFIG_HOME."""

    def __init__(self):
        self.home = tempfile.mkdtemp(prefix="tfzo-cli-")
        self.xdg = os.path.join(self.home, "xdg")
        self.config_dir = os.path.join(self.xdg, "2501")
        self.config_path = os.path.join(self.config_dir, "config.toml")
        self.outputs = []  # every stdout+stderr, to check no key ever appears

    def env(self, extra=None):
        env = {k: v for k, v in os.environ.items() if not k.startswith("TFZO_") or
               k == "TFZO_BIN_DIR"}
        env.update({"HOME": self.home, "XDG_CONFIG_HOME": self.xdg, "NO_PROXY": "*",
                    "GIT_AUTHOR_NAME": "T", "GIT_AUTHOR_EMAIL": "t@example.com",
                    "GIT_COMMITTER_NAME": "T", "GIT_COMMITTER_EMAIL": "t@example.com",
                    "GIT_CONFIG_NOSYSTEM": "1"})
        for k in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
            env.pop(k, None)
        env.update(extra or {})
        return env

    def run(self, *args, input=None, env=None, cwd=None, binary=CLI_BIN, preexec_fn=None,
            timeout=60):
        require_binary(binary)
        p = subprocess.run([binary] + list(args), input=input, capture_output=True, text=True,
                           env=self.env(env), cwd=cwd or self.home, timeout=timeout,
                           preexec_fn=preexec_fn)
        self.outputs.append(p.stdout + p.stderr)
        return p

    def set_key(self, key, *extra_args, env=None):
        return self.run(*extra_args, "set", "api_key", "-", input=key + "\n", env=env)

    def config_text(self):
        with open(self.config_path) as f:
            return f.read()

    def cleanup(self):
        shutil.rmtree(self.home, ignore_errors=True)


class CliCase:
    """The setup the CLI suites share, mixed into their TestCase: each test gets a fresh
    `self.cli`; after it, none of the CLI's outputs may hold a secret in `self.secrets` (a test
    appends each key it hands over), then its HOME is removed."""

    def setUp(self):
        super().setUp()
        self.cli = Cli()
        self.secrets = []

    def tearDown(self):
        for out in self.cli.outputs:
            for s in self.secrets:
                self.assertNotIn(s, out, "a key was printed")
        self.cli.cleanup()
        super().tearDown()

    def assertExit(self, p, code):
        self.assertEqual(p.returncode, code, f"stdout={p.stdout!r} stderr={p.stderr!r}")


def git(cwd, *args, env=None, check=True):
    return subprocess.run(["git"] + list(args), cwd=cwd, env=env, capture_output=True,
                          text=True, check=check)


def rfc3339(t):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


def closed_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class CliTest(CliCase, ServerTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Account A: two organizations. Account B: one.
        cls.a = cls.new_account_cls("Ada Lovelace")
        cls.acme = cls.create_org(cls.a, "Acme")
        cls.beta = cls.create_org(cls.a, "Beta")
        cls.b = cls.new_account_cls("Bob Builder")
        cls.bravo = cls.create_org(cls.b, "Bravo")

    @classmethod
    def new_account_cls(cls, name):
        from harness import Client
        c = Client(cls.server)
        c.signup(name=name)
        return c

    @staticmethod
    def create_org(client, name):
        r = client.post("/api/orgs", {"name": name})
        assert r.status == 201, r
        return r.json()["org"]

    def new_key(self, client, name="laptop", **fields):
        body = {"name": name}
        body.update(fields)
        r = client.post("/api/keys", body)
        self.assertEqual(r.status, 201, r)
        key, secret = r.json()["key"], r.json()["secret"]
        self.secrets.append(secret)
        return key, secret

    def login(self, secret, *args):
        """`set api_host` + `set api_key -`."""
        p = self.cli.run(*args, "set", "api_host", self.server.url)
        self.assertEqual(p.returncode, 0, p)
        p = self.cli.set_key(secret, *args)
        self.assertEqual(p.returncode, 0, p)
        return p

    # --- set, config, auth status --------------------------------------------------------------

    def test_set_key_from_stdin_trims_and_writes_a_private_file(self):
        _, secret = self.new_key(self.a)
        self.cli.run("set", "api_host", self.server.url)
        p = self.cli.run("set", "api_key", "-", input="  " + secret + "  \r\n")
        self.assertExit(p, 0)
        self.assertIn("whitespace", p.stderr)
        self.assertIn(hint(secret), p.stdout)
        self.assertEqual(stat.S_IMODE(os.stat(self.cli.config_path).st_mode), 0o600)
        self.assertEqual(stat.S_IMODE(os.stat(self.cli.config_dir).st_mode), 0o700)
        text = self.cli.config_text()
        self.assertIn("[profiles.default]", text)
        self.assertIn(f'api_key = "{secret}"', text)
        self.assertIn(f'api_host = "{self.server.url}"', text)

    def test_set_key_refuses_a_malformed_key_before_writing(self):
        for bad in (lookalike_key(), make_key()[:-1], "tfzo_" + "!" * 36, "sk_live_123"):
            p = self.cli.run("set", "api_key", "-", input=bad + "\n")
            self.assertExit(p, 3)
            self.assertIn("key_malformed", p.stderr)
            self.assertIn("nothing was written", p.stderr)
            self.assertFalse(os.path.exists(self.cli.config_path))

    def test_set_key_with_nothing_on_stdin_is_a_usage_error(self):
        p = self.cli.run("set", "api_key", "-", input="")
        self.assertExit(p, 2)

    def test_set_api_host_rejects_a_non_url(self):
        p = self.cli.run("set", "api_host", "localhost:8080")
        self.assertExit(p, 2)
        self.assertIn("Usage: 2501 set api_host URL", p.stderr)

    def test_config_is_offline_and_shows_the_hint_and_sources(self):
        _, secret = self.new_key(self.a)
        self.cli.set_key(secret)
        p = self.cli.run("config", env={"TFZO_API_HOST": f"http://127.0.0.1:{closed_port()}"})
        self.assertExit(p, 0)
        self.assertIn(hint(secret), p.stdout)
        self.assertNotIn(secret, p.stdout)
        self.assertIn(self.cli.config_path, p.stdout)
        self.assertIn("safe", p.stdout)
        self.assertRegex(p.stdout, r"api_host .*\(env TFZO_API_HOST\)")
        self.assertRegex(p.stdout, r"api_key .*\(config file\)")
        self.assertRegex(p.stdout, r"profile .*default.*\(default\)")
        j = json.loads(self.cli.run("config", "--json").stdout)
        self.assertEqual(j["api_key"]["hint"], hint(secret))
        self.assertEqual(j["api_key"]["source"], "file")
        self.assertEqual(j["api_host"], {"value": "http://127.0.0.1:8080", "source": "default"})
        self.assertEqual(j["profile"], {"value": "default", "source": "default"})
        self.assertEqual(j["file"]["path"], self.cli.config_path)
        self.assertEqual(j["file"]["mode"], "0600")
        self.assertTrue(j["file"]["safe"])

    def test_auth_status_and_whoami(self):
        key, secret = self.new_key(self.a, name="ci-deploy")
        self.login(secret)
        for args in (("auth", "status"), ("whoami",)):
            p = self.cli.run(*args)
            self.assertExit(p, 0)
            self.assertIn(self.a.email, p.stdout)
            self.assertIn("Ada Lovelace", p.stdout)
            self.assertIn("ci-deploy", p.stdout)
            self.assertIn(hint(secret), p.stdout)
            self.assertIn("all organizations", p.stdout)
            self.assertRegex(p.stdout, r"expires:\s+never")
            self.assertIn("Acme", p.stdout)
            self.assertIn("Beta", p.stdout)
            self.assertNotIn("warning", p.stderr)

    def test_whoami_json_is_the_servers_me_object(self):
        key, secret = self.new_key(self.a)
        self.login(secret)
        p = self.cli.run("whoami", "--json")
        self.assertExit(p, 0)
        me = json.loads(p.stdout)
        self.assertEqual(set(me), {"account", "service_account", "key", "orgs", "account_orgs"})
        self.assertEqual(me["account"]["email"], self.a.email)
        self.assertEqual(me["key"]["id"], key["id"])
        self.assertEqual({o["name"] for o in me["orgs"]}, {"Acme", "Beta"})
        direct = self.client().get("/api/v1/me", bearer=secret).json()
        self.assertEqual(me["account"], direct["account"])
        self.assertEqual(me["orgs"], direct["orgs"])

    def test_scoped_key_status_names_its_organization(self):
        _, secret = self.new_key(self.a, org_id=self.acme["id"])
        self.login(secret)
        p = self.cli.run("auth", "status")
        self.assertExit(p, 0)
        self.assertRegex(p.stdout, r"scope:\s+organization Acme")

    def test_verbose_shows_requests_never_the_key(self):
        _, secret = self.new_key(self.a)
        self.login(secret)
        p = self.cli.run("-v", "whoami")
        self.assertExit(p, 0)
        self.assertIn(f"> GET {self.server.url}/api/v1/me", p.stderr)
        self.assertRegex(p.stderr, r"< 200 ")
        self.assertIn(hint(secret), p.stderr)

    def test_at_2501_is_the_same_program(self):
        _, secret = self.new_key(self.a)
        self.login(secret)
        at = os.path.join(os.path.dirname(CLI_BIN), "@2501")
        self.assertTrue(os.path.islink(at))
        p = self.cli.run("whoami", binary=at)
        self.assertExit(p, 0)
        self.assertIn(self.a.email, p.stdout)

    # --- exit 3: authentication ----------------------------------------------------------------

    def test_no_key_configured(self):
        p = self.cli.run("--host", self.server.url, "whoami")
        self.assertExit(p, 3)
        self.assertIn("no API key", p.stderr)
        self.assertIn("2501 set api_key -", p.stderr)
        j = json.loads(self.cli.run("--host", self.server.url, "whoami", "--json").stdout)
        self.assertEqual(j["error"]["code"], "unauthenticated")

    def test_malformed_key_is_caught_offline(self):
        # The host does not answer: a 3 (not a 5) proves no request was attempted.
        dead = f"http://127.0.0.1:{closed_port()}"
        for bad in (lookalike_key(), make_key()[:-3], " " + make_key()):
            p = self.cli.run("--host", dead, "whoami", env={"TFZO_API_KEY": bad})
            self.assertExit(p, 3)
            self.assertIn("key_malformed", p.stderr)
            self.assertIn("Copy the whole key again", p.stderr)
            j = json.loads(self.cli.run("--host", dead, "orgs", "--json",
                                        env={"TFZO_API_KEY": bad}).stdout)
            self.assertEqual(j["error"]["code"], "key_malformed")

    def test_unknown_key_is_key_invalid(self):
        unknown = make_key()
        self.secrets.append(unknown)
        self.login(unknown)
        p = self.cli.run("whoami")
        self.assertExit(p, 3)
        self.assertIn("key_invalid", p.stderr)
        self.assertIn("Accounts interface", p.stderr)
        p = self.cli.run("whoami", "--json")
        self.assertExit(p, 3)
        j = json.loads(p.stdout)
        self.assertEqual(j["error"]["code"], "key_invalid")
        self.assertTrue(j["error"]["message"])

    def test_revoked_key(self):
        key, secret = self.new_key(self.a)
        self.login(secret)
        self.assertExit(self.cli.run("whoami"), 0)
        r = self.a.post(f"/api/keys/{key['id']}/revoke")
        self.assertEqual(r.status, 200, r)
        p = self.cli.run("agents", "--org", "acme")
        self.assertExit(p, 3)
        self.assertIn("key_revoked", p.stderr)
        self.assertIn("set api_key", p.stderr)
        j = json.loads(self.cli.run("whoami", "--json").stdout)
        self.assertEqual(j["error"]["code"], "key_revoked")

    def test_expired_key_names_the_date(self):
        expires = rfc3339(time.time() + 5)  # margin: login and whoami run first
        _, secret = self.new_key(self.a, expires_at=expires)
        self.login(secret)
        p = self.cli.run("whoami")
        self.assertExit(p, 0)
        self.assertIn("warning", p.stderr)  # it expires within 7 days
        self.assertIn(expires, p.stderr)
        time.sleep(max(0.0, parse_rfc3339(expires) - time.time() + 0.5))
        self.assertTrue(wait_until(lambda: self.cli.run("whoami").returncode == 3, timeout=10))
        p = self.cli.run("whoami")
        self.assertExit(p, 3)
        self.assertIn("key_expired", p.stderr)
        self.assertIn(expires[:10], p.stderr)
        self.assertIn("rotate", p.stderr)
        j = json.loads(self.cli.run("whoami", "--json").stdout)
        self.assertEqual(j["error"]["code"], "key_expired")

    def test_warning_when_the_key_expires_within_seven_days(self):
        soon = rfc3339(time.time() + 2 * 86400)
        _, secret = self.new_key(self.a, expires_at=soon)
        self.login(secret)
        for args in (("whoami",), ("orgs",), ("agents", "--org", "acme")):
            p = self.cli.run(*args)
            self.assertExit(p, 0)
            warnings = [l for l in p.stderr.splitlines() if "warning" in l]
            self.assertEqual(len(warnings), 1, p.stderr)
            self.assertIn(soon, warnings[0])
        later = rfc3339(time.time() + 30 * 86400)
        _, secret2 = self.new_key(self.a, expires_at=later)
        self.cli.set_key(secret2)
        p = self.cli.run("whoami")
        self.assertExit(p, 0)
        self.assertNotIn("warning", p.stderr)
        self.assertIn(later, p.stdout)

    # --- exit 4: forbidden -----------------------------------------------------------------------

    def test_org_out_of_scope_names_both_organizations(self):
        _, secret = self.new_key(self.a, org_id=self.acme["id"])
        self.login(secret)
        p = self.cli.run("agents", "list", "--org", self.beta["id"])
        self.assertExit(p, 4)
        self.assertIn("org_out_of_scope", p.stderr)
        self.assertIn("Acme", p.stderr)
        self.assertIn(self.beta["id"], p.stderr)
        self.assertIn("unscoped key", p.stderr)
        p = self.cli.run("agents", "list", "--org", self.beta["id"], "--json")
        self.assertExit(p, 4)
        self.assertEqual(json.loads(p.stdout)["error"]["code"], "org_out_of_scope")
        # Without --org, a scoped key uses its own organization.
        p = self.cli.run("agents")
        self.assertExit(p, 0)

    def test_forbidden_when_not_a_member(self):
        _, secret = self.new_key(self.a)
        self.login(secret)
        p = self.cli.run("hosts", "--org", self.bravo["id"])
        self.assertExit(p, 4)
        self.assertIn("forbidden", p.stderr)
        p = self.cli.run("agents", "create", "x", "--org", self.bravo["id"], "--json")
        self.assertExit(p, 4)
        self.assertEqual(json.loads(p.stdout)["error"]["code"], "forbidden")

    # --- exit 5, 1, 2 ----------------------------------------------------------------------------

    def test_unreachable_server(self):
        _, secret = self.new_key(self.a)
        self.login(secret)
        dead = f"http://127.0.0.1:{closed_port()}"
        p = self.cli.run("--host", dead, "whoami")
        self.assertExit(p, 5)
        self.assertIn(dead, p.stderr)
        self.assertRegex(p.stderr, r"(?i)connect")
        p = self.cli.run("orgs", "--json", env={"TFZO_API_HOST": dead})
        self.assertExit(p, 5)
        self.assertEqual(json.loads(p.stdout)["error"]["code"], "unreachable")

    def test_server_error_and_bad_answer_exit_1(self):
        key = make_key()
        broken = RouteServer(default=(500, '{"error":{"code":"internal","message":"boom"}}', {}))
        garbage = RouteServer(default=(200, "<html>not json</html>", {}))
        try:
            p = self.cli.run("--host", broken.url, "whoami", env={"TFZO_API_KEY": key})
            self.assertExit(p, 1)
            self.assertIn("500", p.stderr)
            p = self.cli.run("--host", broken.url, "whoami", "--json", env={"TFZO_API_KEY": key})
            self.assertExit(p, 1)
            self.assertEqual(json.loads(p.stdout),
                             {"error": {"code": "internal", "message": "boom"}})
            p = self.cli.run("--host", garbage.url, "whoami", env={"TFZO_API_KEY": key})
            self.assertExit(p, 1)
            self.assertIn("not a JSON object", p.stderr)
        finally:
            broken.stop()
            garbage.stop()

    def test_usage_errors_exit_2_with_the_usage_line(self):
        cases = {
            ("agents", "create"): "Usage: 2501 agents create NAME [--org ORG] [--host HOST]",
            ("hosts", "create", "web"): "Usage: 2501 hosts create NAME --address ADDR",
            ("agents", "rm"): "Usage: 2501 agents rm ID",
            ("frobnicate",): "Usage: 2501",
            ("whoami", "--bogus"): "Usage: 2501 auth status",
        }
        for args, usage in cases.items():
            p = self.cli.run(*args)
            self.assertExit(p, 2)
            self.assertIn(usage, p.stderr)
            self.assertEqual(p.stdout, "")
        p = self.cli.run("agents", "create", "--json")
        self.assertExit(p, 2)
        self.assertEqual(json.loads(p.stdout)["error"]["code"], "usage")

    def test_org_required_when_the_key_reaches_several(self):
        _, secret = self.new_key(self.a)
        self.login(secret)
        p = self.cli.run("agents")
        self.assertExit(p, 2)
        self.assertIn("--org", p.stderr)
        self.assertIn("Acme", p.stderr)
        self.assertIn("Beta", p.stderr)

    def test_help_on_every_command(self):
        for args in (("--help",), ("set", "--help"), ("set", "api_key", "--help"),
                     ("set", "api_host", "--help"), ("config", "--help"),
                     ("auth", "status", "--help"), ("whoami", "--help"), ("orgs", "--help"),
                     ("agents", "--help"), ("agents", "create", "--help"),
                     ("agents", "rm", "--help"), ("hosts", "create", "--help"),
                     ("init", "--help"), ("scan", "--help")):
            p = self.cli.run(*args)
            self.assertExit(p, 0)
            self.assertIn("Usage: 2501", p.stdout)

    # --- orgs, agents, hosts, init -----------------------------------------------------------------

    def test_orgs(self):
        _, secret = self.new_key(self.a)
        self.login(secret)
        p = self.cli.run("orgs")
        self.assertExit(p, 0)
        self.assertRegex(p.stdout, r"(?m)^HANDLE\s+NAME\s+ROLE\s+ID$")
        self.assertRegex(p.stdout, r"(?m)^acme\s+Acme\s+owner\s+" + re.escape(self.acme["id"]))
        j = json.loads(self.cli.run("orgs", "--json").stdout)
        self.assertEqual(set(j), {"orgs"})
        self.assertEqual({o["id"] for o in j["orgs"]}, {self.acme["id"], self.beta["id"]})

    def test_org_is_named_by_handle_or_id_never_by_display_name(self):
        # Two organizations of one account share the display name "Acme" (the first "Acme",
        # account A's, already has the handle acme): only handles and ids tell them apart.
        c = self.new_account_cls("Cy")
        first = self.create_org(c, "Acme")
        second = self.create_org(c, "Acme")
        self.assertNotEqual(first["handle"], second["handle"])
        _, secret = self.new_key(c)
        self.login(secret)
        for org in (first, second):
            for ref in (org["handle"], org["id"]):
                p = self.cli.run("agents", "create", "by-" + ref, "--org", ref, "--json")
                self.assertExit(p, 0)
                self.assertEqual(json.loads(p.stdout)["agent"]["org_id"], org["id"])
        for args in (("agents", "create", "ambiguous", "--org", "Acme"),
                     ("hosts", "--org", "Acme"), ("init", "--org", "Acme")):
            with self.subTest(args=args):
                p = self.cli.run(*args, cwd=self.cli.home)
                self.assertExit(p, 2)
                self.assertIn("display name", p.stderr)
                self.assertIn(first["handle"], p.stderr)
                self.assertIn(second["handle"], p.stderr)
        p = self.cli.run("agents", "--org", "Acme", "--json")
        self.assertExit(p, 2)
        self.assertEqual(json.loads(p.stdout)["error"]["code"], "usage")
        for org in (first, second):  # nothing was created by the refused commands
            names = {a["name"] for a in self.client().get(
                f"/api/v1/orgs/{org['id']}/agents", bearer=secret).json()["agents"]}
            self.assertEqual(names, {"by-" + org["handle"], "by-" + org["id"]})
        # The handles are what `orgs` and `whoami` show.
        p = self.cli.run("orgs")
        self.assertRegex(p.stdout, r"(?m)^" + re.escape(second["handle"]) + r"\s+Acme\s+owner")
        self.assertIn(f"Acme ({first['handle']}, {first['id']}, owner)", self.cli.run("whoami").stdout)

    def test_agents_create_list_rm(self):
        _, secret = self.new_key(self.b)  # one organization: --org may be omitted
        self.login(secret)
        p = self.cli.run("agents", "create", "builder")
        self.assertExit(p, 0)
        self.assertIn("builder", p.stdout)
        self.assertIn("Bravo", p.stdout)
        p = self.cli.run("agents", "create", "runner", "--org", "bravo", "--json")
        self.assertExit(p, 0)
        runner = json.loads(p.stdout)["agent"]
        self.assertEqual(runner["name"], "runner")
        self.assertEqual(runner["org_id"], self.bravo["id"])
        p = self.cli.run("agents", "list", "--org", self.bravo["id"])
        self.assertExit(p, 0)
        self.assertIn("builder", p.stdout)
        self.assertIn(runner["id"], p.stdout)
        listed = json.loads(self.cli.run("agents", "--json").stdout)
        self.assertEqual(set(listed), {"agents"})
        self.assertIn(runner["id"], [a["id"] for a in listed["agents"]])
        p = self.cli.run("agents", "rm", runner["id"])
        self.assertExit(p, 0)
        listed = json.loads(self.cli.run("agents", "list", "--json").stdout)
        self.assertNotIn(runner["id"], [a["id"] for a in listed["agents"]])
        p = self.cli.run("agents", "rm", runner["id"])
        self.assertExit(p, 1)
        self.assertIn("not found", p.stderr)

    def test_hosts_and_an_agent_on_a_host(self):
        _, secret = self.new_key(self.b)
        self.login(secret)
        p = self.cli.run("hosts", "create", "web-1", "--address", "10.0.0.7", "--json")
        self.assertExit(p, 0)
        host = json.loads(p.stdout)["host"]
        self.assertEqual((host["name"], host["address"]), ("web-1", "10.0.0.7"))
        p = self.cli.run("hosts")
        self.assertExit(p, 0)
        self.assertRegex(p.stdout, re.escape(host["id"]) + r"\s+web-1\s+10\.0\.0\.7")
        self.assertEqual(json.loads(self.cli.run("hosts", "list", "--json").stdout)["hosts"][0]["id"],
                         host["id"])
        # The global --host URL goes before the command; after `agents create`, --host is the
        # agent's host (by name here).
        p = self.cli.run("--host", self.server.url, "agents", "create", "deployer", "--host",
                         "web-1", "--json")
        self.assertExit(p, 0)
        self.assertEqual(json.loads(p.stdout)["agent"]["host_id"], host["id"])
        p = self.cli.run("agents", "create", "x", "--host", "no-such-host")
        self.assertExit(p, 1)
        self.assertIn("no-such-host", p.stderr)
        p = self.cli.run("hosts", "rm", host["id"], "--json")
        self.assertExit(p, 0)
        self.assertTrue(json.loads(p.stdout)["deleted"])

    def test_init_creates_and_remembers_a_workspace_agent(self):
        _, secret = self.new_key(self.b)
        self.login(secret)
        work = os.path.join(self.cli.home, "my-service")
        os.makedirs(work)
        p = self.cli.run("init", cwd=work)
        self.assertExit(p, 0)
        self.assertIn("my-service", p.stdout)
        agents = json.loads(self.cli.run("agents", "--json").stdout)["agents"]
        mine = [a for a in agents if a["name"] == "my-service"]
        self.assertEqual(len(mine), 1)
        self.assertIn(mine[0]["id"], self.cli.config_text())
        self.assertIn(work, self.cli.config_text())
        # Again: the remembered agent is reused, not duplicated.
        p = self.cli.run("init", "--json", cwd=work)
        self.assertExit(p, 0)
        self.assertEqual(json.loads(p.stdout)["agent"]["id"], mine[0]["id"])
        agents = json.loads(self.cli.run("agents", "--json").stdout)["agents"]
        self.assertEqual(len([a for a in agents if a["name"] == "my-service"]), 1)
        j = json.loads(self.cli.run("config", "--json", cwd=work).stdout)
        self.assertEqual(j["workspace"]["agent_id"], mine[0]["id"])
        # --name, elsewhere.
        other = os.path.join(self.cli.home, "other")
        os.makedirs(other)
        p = self.cli.run("init", "--name", "named-agent", "--org", "bravo", "--json", cwd=other)
        self.assertExit(p, 0)
        self.assertEqual(json.loads(p.stdout)["agent"]["name"], "named-agent")

    # --- profiles and precedence -------------------------------------------------------------------

    def test_profiles_and_precedence(self):
        _, key_a = self.new_key(self.a, name="a-default")
        _, key_b = self.new_key(self.b, name="b-ci")
        self.login(key_a)
        self.login(key_b, "--profile", "ci")
        text = self.cli.config_text()
        self.assertIn("[profiles.default]", text)
        self.assertIn("[profiles.ci]", text)

        def email(*args, env=None):
            p = self.cli.run(*args, "whoami", "--json", env=env)
            self.assertExit(p, 0)
            return json.loads(p.stdout)["account"]["email"]

        self.assertEqual(email(), self.a.email)                                    # default
        self.assertEqual(email("--profile", "ci"), self.b.email)                   # flag
        self.assertEqual(email(env={"TFZO_PROFILE": "ci"}), self.b.email)          # env
        self.assertEqual(email("--profile", "default", env={"TFZO_PROFILE": "ci"}),
                         self.a.email)                                             # flag > env
        self.assertEqual(email(env={"TFZO_API_KEY": key_b}), self.b.email)         # env > file
        # Host: flag > env > file.
        dead = f"http://127.0.0.1:{closed_port()}"
        self.assertExit(self.cli.run("whoami", env={"TFZO_API_HOST": dead}), 5)
        self.assertEqual(email("--host", self.server.url, env={"TFZO_API_HOST": dead}),
                         self.a.email)
        self.assertExit(self.cli.run("--host", dead, "whoami"), 5)
        j = json.loads(self.cli.run("config", "--json", env={"TFZO_PROFILE": "ci"}).stdout)
        self.assertEqual(j["profile"], {"value": "ci", "source": "env"})
        self.assertEqual(j["api_key"]["hint"], hint(key_b))
        self.assertEqual(sorted(j["profiles"]), ["ci", "default"])
        j = json.loads(self.cli.run("--host", dead, "config", "--json",
                                    env={"TFZO_API_KEY": key_b}).stdout)
        self.assertEqual(j["api_host"], {"value": dead, "source": "flag"})
        self.assertEqual(j["api_key"]["source"], "env")
        # An unknown profile is named, with the ones there are (not "no key").
        self.assertExit(self.cli.run("--profile", "prod", "--host", self.server.url, "whoami"), 2)

    # --- the config file: permissions and atomic writes ---------------------------------------------

    def test_unsafe_permissions_are_refused_with_the_chmod_line(self):
        _, secret = self.new_key(self.a)
        self.login(secret)
        for mode in (0o644, 0o640, 0o604, 0o660):
            os.chmod(self.cli.config_path, mode)
            p = self.cli.run("whoami")
            self.assertExit(p, 3)
            self.assertIn(f"chmod 600 {self.cli.config_path}\n", p.stderr)
            p = self.cli.run("config")
            self.assertExit(p, 0)
            self.assertIn("UNSAFE", p.stdout)
            self.assertIn(f"chmod 600 {self.cli.config_path}", p.stderr)
        # A key from the environment does not come from the file, so it works.
        self.assertExit(self.cli.run("whoami", env={"TFZO_API_KEY": secret}), 0)
        os.chmod(self.cli.config_path, 0o600)
        self.assertExit(self.cli.run("whoami"), 0)

    def test_writes_are_atomic_and_leave_no_temp_file(self):
        _, secret = self.new_key(self.a)
        self.login(secret)
        self.login(secret, "--profile", "ci")
        self.assertEqual(os.listdir(self.cli.config_dir), ["config.toml"])
        before = self.cli.config_text()

        # A write that fails half-way: the file size limit (which binds root too) makes write()
        # fail with EFBIG; SIGXFSZ is ignored so the CLI sees the error and cleans up.
        size = os.path.getsize(self.cli.config_path)

        def limit():
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
            resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))

        p = self.cli.run("set", "api_host", "http://" + "x" * 4000 + ".example",
                         preexec_fn=limit)
        self.assertExit(p, 1)
        self.assertIn("cannot write the config file", p.stderr)
        self.assertEqual(self.cli.config_text(), before)
        self.assertEqual(os.listdir(self.cli.config_dir), ["config.toml"])
        self.assertExit(self.cli.run("whoami"), 0)

    def test_write_fails_cleanly_when_the_directory_cannot_be_made(self):
        # Root ignores mode bits, so put a file where the config directory should be.
        os.makedirs(self.cli.xdg)
        with open(self.cli.config_dir, "w") as f:
            f.write("in the way")
        p = self.cli.run("set", "api_host", "http://example.com")
        self.assertExit(p, 1)
        self.assertIn(self.cli.config_dir, p.stderr)
        with open(self.cli.config_dir) as f:
            self.assertEqual(f.read(), "in the way")

    def test_set_commands_json(self):
        _, secret = self.new_key(self.a)
        p = self.cli.run("set", "api_key", "-", "--json", input=secret + "\n")
        self.assertExit(p, 0)
        self.assertEqual(json.loads(p.stdout)["api_key"]["hint"], hint(secret))
        p = self.cli.run("set", "api_host", self.server.url, "--json")
        self.assertExit(p, 0)
        self.assertEqual(json.loads(p.stdout)["api_host"], self.server.url)


if __name__ == "__main__":
    unittest.main()
