"""The `2501` CLI never misleads (issue 16, point 5): what the server sends cannot rewrite the
terminal, the config file is trusted only when only its owner can change it, the API host carries
no password, a 429 says how long to wait, a mistyped profile says so; and the guards the docs
promise (no redirect followed with the key, no key in git's environment, a private config
directory).

Each test runs the real binary with a temporary HOME and XDG_CONFIG_HOME against a small local
HTTP server whose answers the test chooses (a real accounts server cannot be made to send a
hostile name or a 429 on demand).
"""

import json
import os
import stat
import subprocess
import time
import unittest

from harness import RouteServer
from test_cli import CliCase, git, make_key

UNSAFE = ["\x1b", "\x07", "\x9b", "\u202e", "\u2066", "\x7f", "\r"]


def rfc3339(t):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


def me_body(account_name="Ada", org_name="Acme", key_name="laptop", expires_at=None,
            last_used_at=None):
    return json.dumps({
        "account": {"id": "acc_1", "email": "ada@example.com", "name": account_name},
        "service_account": None,
        "key": {"id": "key_1", "name": key_name, "hint": "tfzo_...abcd", "org_id": None,
                "org_name": None, "expires_at": expires_at, "last_used_at": last_used_at,
                "permissions": ["orgs:read", "agents:read", "agents:write", "hosts:read",
                                "hosts:write"], "allowed_ips": [], "flags": []},
        "orgs": [{"id": "org_1", "name": org_name, "handle": "acme", "role": "owner"}],
    })


class CliTrustTest(CliCase, unittest.TestCase):
    def setUp(self):
        super().setUp()
        self.key = make_key()
        self.secrets.append(self.key)
        self.servers = []

    def tearDown(self):
        for s in self.servers:
            s.stop()
        super().tearDown()

    def serve(self, routes):
        s = RouteServer(routes)
        self.servers.append(s)
        return s

    def use(self, server):
        self.assertExit(self.cli.run("set", "api_host", server.url), 0)
        self.assertExit(self.cli.set_key(self.key), 0)

    def assertTerminalSafe(self, text):
        for c in UNSAFE:
            self.assertNotIn(c, text, f"unescaped {c!r} in {text!r}")

    # --- what the server sends is printed with its control characters escaped ----------------

    def test_control_characters_from_the_server_are_escaped(self):
        hostile = "Eve\x1b]0;owned\x07\x1b[2J\u202eevil\u2066\x7f\x9b\r"
        s = self.serve({"/api/v1/me": (200, me_body(account_name=hostile, org_name=hostile,
                                                    key_name=hostile), {})})
        self.use(s)
        p = self.cli.run("auth", "status")
        self.assertExit(p, 0)
        self.assertTerminalSafe(p.stdout + p.stderr)
        self.assertIn("Eve\\x1b]0;owned\\x07\\x1b[2J\\u202eevil\\u2066\\x7f\\u009b\\x0d", p.stdout)
        # --json: the same JSON, with every non-ASCII character as a \u escape.
        p = self.cli.run("auth", "status", "--json")
        self.assertExit(p, 0)
        self.assertTerminalSafe(p.stdout)
        self.assertEqual(json.loads(p.stdout)["account"]["name"], hostile)

    def test_control_characters_in_an_error_are_escaped(self):
        s = self.serve({"/api/v1/me": (
            403, json.dumps({"error": {"code": "forbidden\x1b[31m",
                                       "message": "no\x1b[2K\u202e\r\nfake line"}}),
            {"X-Request-Id": "r\x1bx"})})
        self.use(s)
        for args in (("whoami",), ("whoami", "--json"), ("-v", "whoami")):
            p = self.cli.run(*args)
            self.assertExit(p, 4)
            self.assertTerminalSafe(p.stdout + p.stderr)
            self.assertNotIn("\nfake line", p.stderr)
        s.routes["/api/v1/me"] = (503, json.dumps(
            {"error": {"code": "unavailable", "message": "\x1b[2J"}}), {"X-Request-Id": "r\x9b\x1bx"})
        p = self.cli.run("whoami")
        self.assertExit(p, 1)
        self.assertTerminalSafe(p.stdout + p.stderr)
        self.assertIn("\\x1b[2J", p.stderr)

    # --- the config file: owner, directory, symlink --------------------------------------------

    def test_config_not_owned_by_the_user_is_refused(self):
        if os.geteuid() != 0:
            self.skipTest("changing a file's owner needs root")
        s = self.serve({"/api/v1/me": (200, me_body(), {})})
        self.use(s)
        os.chown(self.cli.config_path, 65534, 65534)
        p = self.cli.run("whoami")
        self.assertExit(p, 3)
        self.assertIn("owned by another user", p.stderr)
        self.assertIn(f"chown 0 {self.cli.config_path}", p.stderr)
        self.assertEqual(s.requests, [])  # refused before anything was sent
        p = self.cli.run("config")
        self.assertIn("UNSAFE", p.stdout)

    def test_config_in_a_directory_others_can_write_is_refused(self):
        s = self.serve({"/api/v1/me": (200, me_body(), {})})
        self.use(s)
        for mode in (0o770, 0o707, 0o1777):
            os.chmod(self.cli.config_dir, mode)
            p = self.cli.run("whoami")
            self.assertExit(p, 3)
            self.assertIn("can be written by group or others", p.stderr)
            self.assertIn(f"chmod go-w {self.cli.config_dir}", p.stderr)
        self.assertEqual(s.requests, [])
        os.chmod(self.cli.config_dir, 0o755)  # readable is fine, as for ssh
        self.assertExit(self.cli.run("whoami"), 0)

    def test_a_symlinked_config_is_used_with_a_warning(self):
        s = self.serve({"/api/v1/me": (200, me_body(), {})})
        self.use(s)
        real = os.path.join(self.cli.config_dir, "real.toml")
        os.rename(self.cli.config_path, real)
        os.symlink(real, self.cli.config_path)
        p = self.cli.run("whoami")
        self.assertExit(p, 0)
        self.assertIn("symbolic link", p.stderr)

    # --- api_host: no password, a warning for plain http to another machine ----------------------

    def test_api_host_with_user_or_password_is_refused(self):
        for url in ("https://ada:s3cretpw@accounts.example.com", "http://ada@127.0.0.1:8080",
                    "https://:s3cretpw@x.example/base"):
            p = self.cli.run("set", "api_host", url)
            self.assertExit(p, 2)
            self.assertIn("user name or password", p.stderr)
            self.assertNotIn("s3cretpw", p.stderr + p.stdout)
            self.assertFalse(os.path.exists(self.cli.config_path))
            p = self.cli.run("--host", url, "whoami", env={"TFZO_API_KEY": self.key})
            self.assertExit(p, 2)
            self.assertIn("user name or password", p.stderr)
            self.assertNotIn("s3cretpw", p.stderr + p.stdout)

    def test_plain_http_to_another_host_warns(self):
        p = self.cli.run("set", "api_host", "http://accounts.example.com")
        self.assertExit(p, 0)
        self.assertIn("plain http://", p.stderr)
        for url in ("https://accounts.example.com", "http://localhost:8080", "http://127.0.0.5",
                    "http://[::1]:8080"):
            p = self.cli.run("set", "api_host", url)
            self.assertExit(p, 0)
            self.assertNotIn("plain http://", p.stderr)
        # On use too: a host from the environment never went through `set`.
        s = self.serve({"/api/v1/me": (200, me_body(), {})})
        self.use(s)
        p = self.cli.run("whoami")
        self.assertNotIn("plain http://", p.stderr)
        p = self.cli.run("whoami", env={"TFZO_API_HOST": "http://10.255.255.1:9"})
        self.assertIn("plain http://", p.stderr)

    # --- 429: its own exit code, and how long to wait -------------------------------------------

    def test_rate_limited_has_its_own_exit_code_and_says_how_long_to_wait(self):
        body = json.dumps({"error": {"code": "rate_limited", "message": "too many requests"}})
        s = self.serve({"/api/v1/me": (429, body, {"Retry-After": "42"})})
        self.use(s)
        p = self.cli.run("whoami")
        self.assertExit(p, 6)
        self.assertIn("rate_limited", p.stderr)
        self.assertIn("Wait 42 seconds", p.stderr)
        p = self.cli.run("whoami", "--json")
        self.assertExit(p, 6)
        self.assertEqual(json.loads(p.stdout)["error"]["code"], "rate_limited")
        s.routes["/api/v1/me"] = (429, body, {})
        p = self.cli.run("whoami")
        self.assertExit(p, 6)
        self.assertIn("Wait a minute", p.stderr)

    # --- profiles -------------------------------------------------------------------------------

    def test_an_unknown_profile_says_so_and_lists_the_profiles(self):
        s = self.serve({"/api/v1/me": (200, me_body(), {})})
        self.use(s)
        self.assertExit(self.cli.set_key(self.key, "--profile", "ci"), 0)
        p = self.cli.run("--profile", "prod", "whoami")
        self.assertExit(p, 2)
        self.assertIn('no profile "prod"', p.stderr)
        self.assertIn("ci, default", p.stderr)
        p = self.cli.run("whoami", env={"TFZO_PROFILE": "prdo"})
        self.assertExit(p, 2)
        self.assertIn('no profile "prdo" (from TFZO_PROFILE)', p.stderr)
        self.assertEqual(s.requests, [])
        self.assertExit(self.cli.run("--profile", "ci", "--host", s.url, "whoami"), 0)

    # --- relative times -------------------------------------------------------------------------

    def test_a_time_in_the_near_future_is_never_just_now(self):
        soon = rfc3339(time.time() + 40)
        s = self.serve({"/api/v1/me": (200, me_body(expires_at=soon), {})})
        self.use(s)
        p = self.cli.run("whoami")
        self.assertExit(p, 0)
        self.assertRegex(p.stdout, r"expires:\s+\S+ \(in less than a minute\)")
        self.assertNotIn("just now", p.stdout + p.stderr)

    # --- guards the docs promise ---------------------------------------------------------------

    def test_a_redirect_is_never_followed_with_the_key(self):
        elsewhere = self.serve({"/api/v1/me": (200, me_body(), {})})
        s = self.serve({"/api/v1/me": (307, "", {"Location": elsewhere.url + "/api/v1/me"})})
        self.use(s)
        p = self.cli.run("whoami")
        self.assertNotEqual(p.returncode, 0)
        self.assertEqual(len(s.requests), 1)
        self.assertEqual(s.requests[0][2], "Bearer " + self.key)
        self.assertEqual(elsewhere.requests, [], "the redirect was followed")

    def test_scan_keeps_the_api_key_out_of_gits_environment(self):
        real_git = subprocess.run(["sh", "-c", "command -v git"], capture_output=True,
                                  text=True).stdout.strip()
        bin_dir = os.path.join(self.cli.home, "bin")
        os.makedirs(bin_dir)
        env_dump = os.path.join(self.cli.home, "git-env")
        with open(os.path.join(bin_dir, "git"), "w") as f:
            f.write(f"#!/bin/sh\nenv >> {env_dump}\nexec {real_git} \"$@\"\n")
        os.chmod(os.path.join(bin_dir, "git"), 0o755)
        repo = os.path.join(self.cli.home, "repo")
        os.makedirs(repo)
        git(repo, "init", "-q", env=self.cli.env())
        with open(os.path.join(repo, "a.txt"), "w") as f:
            f.write("nothing here\n")
        p = self.cli.run("scan", cwd=repo, env={
            "TFZO_API_KEY": self.key, "TFZO_MARKER": "seen",
            "PATH": bin_dir + os.pathsep + os.environ.get("PATH", "")})
        self.assertExit(p, 0)
        with open(env_dump) as f:
            dumped = f.read()
        self.assertIn("TFZO_MARKER=seen", dumped)  # git ran, with the environment
        self.assertNotIn("TFZO_API_KEY", dumped)
        self.assertNotIn(self.key, dumped)

    def test_set_tightens_an_existing_config_directory(self):
        os.makedirs(self.cli.config_dir, mode=0o755)
        os.chmod(self.cli.config_dir, 0o755)
        self.assertExit(self.cli.run("set", "api_host", "https://accounts.example.com"), 0)
        self.assertEqual(stat.S_IMODE(os.stat(self.cli.config_dir).st_mode), 0o700)
        os.chmod(self.cli.config_dir, 0o775)
        self.assertExit(self.cli.set_key(self.key), 0)
        self.assertEqual(stat.S_IMODE(os.stat(self.cli.config_dir).st_mode), 0o700)


if __name__ == "__main__":
    unittest.main()
