"""`2501 login` and `2501 logout` against the real server (docs/spec/CLI.md, API.md "Device
authorization").

`2501 login --host URL` runs as a separate process with a temporary XDG_CONFIG_HOME; the test
reads the code from what it prints, approves or denies it through the console API as a
signed-in user (harness.Client), and checks the exit code and what the profile then holds. No
output of the CLI ever contains a key.
"""

import os
import re
import signal
import stat
import subprocess
import threading
import time
import tomllib
import unittest

from harness import (CLI_BIN, Client, ServerTestCase, create_key, create_org, require_binary,
                     run_sql)
from test_cli import CliCase

USER_CODE = re.compile(r"^  ([BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4})$", re.M)
ANY_KEY = re.compile(r"tfzo_[0-9A-Za-z]{36}")


class LoginProcess:
    """`2501 login` running in the background; its stderr is read as it comes."""

    def __init__(self, cli, *args, env=None):
        require_binary(CLI_BIN)
        self.cli = cli
        self.proc = subprocess.Popen([CLI_BIN] + list(args), stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True,
                                     env=cli.env(env), cwd=cli.home)
        self.err = ""
        self.lock = threading.Lock()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        for line in self.proc.stderr:
            with self.lock:
                self.err += line

    def stderr(self):
        with self.lock:
            return self.err

    def user_code(self, timeout=15):
        end = time.time() + timeout
        while time.time() < end:
            m = USER_CODE.search(self.stderr())
            if m:
                return m.group(1)
            if self.proc.poll() is not None:
                break
            time.sleep(0.05)
        raise AssertionError(f"no code in the output of 2501 login: {self.stderr()!r}")

    def wait_for_output(self, text, timeout=10):
        """Whether `text` appears on stderr before the timeout (lines arrive as they come)."""
        end = time.time() + timeout
        while time.time() < end:
            if text in self.stderr():
                return True
            time.sleep(0.05)
        return False

    def wait(self, timeout=40):
        out = self.proc.stdout.read() if self.proc.stdout else ""
        code = self.proc.wait(timeout)
        self.reader.join(5)
        self.proc.stdout.close()
        self.proc.stderr.close()
        self.cli.outputs.append(out + self.stderr())
        return code, out, self.stderr()

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.reader.join(5)
        for pipe in (self.proc.stdout, self.proc.stderr):
            if not pipe.closed:
                pipe.close()


class CliLoginTest(CliCase, ServerTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.user = Client(cls.server)
        cls.user.signup(name="Ada Lovelace")
        cls.org = create_org(cls.user, "Acme")

    def setUp(self):
        super().setUp()
        self.procs = []

    def tearDown(self):
        for p in self.procs:
            p.kill()
        for out in self.cli.outputs:
            self.assertIsNone(ANY_KEY.search(out), "a key was printed")
        super().tearDown()

    def start_login(self, *args, env=None):
        p = LoginProcess(self.cli, "--host", self.server.url, "login", *args, env=env)
        self.procs.append(p)
        return p

    def stored(self, profile="default"):
        if not os.path.exists(self.cli.config_path):
            return {}
        with open(self.cli.config_path, "rb") as f:
            return tomllib.load(f).get("profiles", {}).get(profile, {})

    def assertNothingStored(self):
        self.assertFalse("api_key" in self.stored(), "a key is stored")
        if os.path.isdir(self.cli.config_dir):
            leftovers = [n for n in os.listdir(self.cli.config_dir) if n != "config.toml"]
            self.assertEqual(leftovers, [], "a temporary file was left behind")

    # --- login -------------------------------------------------------------------------------

    def test_approved_login_stores_a_working_key_and_host(self):
        login = self.start_login()
        code = login.user_code()
        # The page with the code in it, as the server describes it, is what the CLI prints.
        self.assertIn(f"/#/device?code={code}", login.stderr())
        r = self.user.get(f"/api/device/{code}")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["request"]["client_name"], "2501 CLI")
        r = self.user.post(f"/api/device/{code}/approve", {})
        self.assertEqual(r.status, 200, r)
        self.assertNotIn("secret", r.json())
        key_id = r.json()["key"]["id"]

        exit_code, out, err = login.wait()
        self.assertEqual(exit_code, 0, f"stdout={out!r} stderr={err!r}")
        stored = self.stored()
        self.assertEqual(stored.get("api_host"), self.server.url)
        self.assertTrue(ANY_KEY.fullmatch(stored.get("api_key", "")), "no key stored")
        self.assertEqual(stat.S_IMODE(os.stat(self.cli.config_path).st_mode), 0o600)
        # What `auth status` prints, for the new key.
        self.assertIn(f"Authenticated to {self.server.url}", out)
        self.assertIn(key_id, out)
        self.assertIn(self.user.email, out)

        # The stored key works for the next command, with no other setup.
        p = self.cli.run("auth", "status", "--json")
        self.assertEqual(p.returncode, 0, p)
        self.assertIn(key_id, p.stdout)
        self.assertEqual(os.listdir(self.cli.config_dir), ["config.toml"])

    def test_login_into_a_named_profile_leaves_the_others_alone(self):
        _, secret = create_key(self.user, name="ci")
        self.cli.run("--profile", "ci", "set", "api_host", self.server.url)
        self.assertEqual(self.cli.set_key(secret, "--profile", "ci").returncode, 0)
        before = self.stored("ci")
        login = self.start_login("--profile", "laptop")
        code = login.user_code()
        self.assertEqual(self.user.post(f"/api/device/{code}/approve", {}).status, 200)
        exit_code, out, err = login.wait()
        self.assertEqual(exit_code, 0, err)
        self.assertIn('profile "laptop"', out)
        self.assertTrue(ANY_KEY.fullmatch(self.stored("laptop").get("api_key", "")), "no key")
        self.assertTrue(self.stored("ci") == before, "profile ci changed")
        self.assertFalse("api_key" in self.stored("default"), "a key is stored")

    def test_denied_login_exits_3_and_stores_nothing(self):
        login = self.start_login()
        code = login.user_code()
        r = self.user.post(f"/api/device/{code}/deny")
        self.assertEqual(r.status, 204, r)
        exit_code, out, err = login.wait()
        self.assertEqual(exit_code, 3, f"stdout={out!r} stderr={err!r}")
        self.assertIn("denied", err)
        self.assertIn("access_denied", err)
        self.assertNothingStored()

    def test_expired_code_exits_3_and_stores_nothing(self):
        login = self.start_login()
        code = login.user_code()
        # The server keeps a code 15 minutes: age it behind the server's back instead.
        run_sql(self.server, "UPDATE device_codes SET expires_at = created_at "
                             "WHERE status = 'pending'")
        exit_code, out, err = login.wait()
        self.assertEqual(exit_code, 3, f"stdout={out!r} stderr={err!r}")
        self.assertIn("expired", err)
        self.assertIn("expired_token", err)
        self.assertNothingStored()
        # The person can no longer approve it.
        self.assertEqual(self.user.post(f"/api/device/{code}/approve", {}).status, 404)

    def test_ctrl_c_while_waiting_stores_nothing(self):
        login = self.start_login()
        login.user_code()
        login.proc.send_signal(signal.SIGINT)
        exit_code, _, err = login.wait()
        self.assertEqual(exit_code, 130, err)
        self.assertIn("nothing was stored", err)
        self.assertNothingStored()

    def test_org_is_passed_to_the_page_and_checked(self):
        handle = self.org.get("handle") or self.org["id"]
        login = self.start_login("--org", handle)
        code = login.user_code()
        self.assertIn(f"/#/device?code={code}&org={handle}", login.stderr())
        self.assertTrue(login.wait_for_output(f'preselects organization "{handle}"'),
                        login.stderr())
        r = self.user.post(f"/api/device/{code}/approve", {"org_id": self.org["id"]})
        self.assertEqual(r.status, 200, r)
        exit_code, out, err = login.wait()
        self.assertEqual(exit_code, 0, err)
        self.assertIn(f"scope:          organization {self.org['name']}", out)
        self.assertNotIn("does not reach", err)

    def test_web_opens_the_page_with_a_browser_or_says_none_was_found(self):
        bin_dir = os.path.join(self.cli.home, "bin")
        os.mkdir(bin_dir)
        opened = os.path.join(self.cli.home, "opened")
        with open(os.path.join(bin_dir, "xdg-open"), "w") as f:
            f.write(f'#!/bin/sh\nprintf "%s\\n" "$@" > {opened}\n')
        os.chmod(os.path.join(bin_dir, "xdg-open"), 0o755)
        login = self.start_login("--web", env={"PATH": bin_dir})
        code = login.user_code()
        self.assertTrue(wait_for_file(opened), login.stderr())
        with open(opened) as f:
            self.assertEqual(f.read().strip(), f"{self.server.url}/#/device?code={code}")
        # The note follows the opener's exit, which follows its write: wait for it.
        self.assertTrue(login.wait_for_output("opened the page with xdg-open"), login.stderr())
        login.proc.send_signal(signal.SIGINT)
        self.assertEqual(login.wait()[0], 130)

        empty = os.path.join(self.cli.home, "empty")
        os.mkdir(empty)
        login = self.start_login("--web", env={"PATH": empty})
        login.user_code()
        self.assertTrue(login.wait_for_output("no browser found"), login.stderr())
        login.proc.send_signal(signal.SIGINT)
        self.assertEqual(login.wait()[0], 130)

    def test_unreachable_server_exits_5(self):
        p = self.cli.run("--host", "http://127.0.0.1:9", "login")
        self.assertEqual(p.returncode, 5, p)
        self.assertNothingStored()

    def test_a_command_without_a_key_points_to_login(self):
        p = self.cli.run("--host", self.server.url, "auth", "status")
        self.assertEqual(p.returncode, 3, p)
        self.assertIn("Run `2501 login`", p.stderr)

    # --- logout ------------------------------------------------------------------------------

    def store_key(self, secret):
        self.assertEqual(self.cli.run("set", "api_host", self.server.url).returncode, 0)
        self.assertEqual(self.cli.set_key(secret).returncode, 0)

    def test_logout_revokes_the_key_and_removes_it(self):
        key, secret = create_key(self.user, name="laptop")
        self.store_key(secret)
        p = self.cli.run("logout")
        self.assertEqual(p.returncode, 0, p)
        self.assertIn("Revoked the key", p.stdout)
        self.assertFalse("api_key" in self.stored(), "a key is stored")
        self.assertEqual(self.stored().get("api_host"), self.server.url)
        r = self.user.get("/api/v1/me", bearer=secret)
        self.assertEqual(r.status, 401, r)
        self.assertEqual(r.json()["error"]["code"], "key_revoked")
        # Only itself: the account's other keys keep working.
        _, other = create_key(self.user, name="other")
        self.assertEqual(self.user.get("/api/v1/me", bearer=other).status, 200)
        # Again: nothing to do.
        p = self.cli.run("logout")
        self.assertEqual(p.returncode, 0, p)
        self.assertIn("nothing to do", p.stdout)

    def test_logout_keep_key_only_forgets_it_locally(self):
        _, secret = create_key(self.user, name="kept")
        self.store_key(secret)
        p = self.cli.run("logout", "--keep-key")
        self.assertEqual(p.returncode, 0, p)
        self.assertFalse("api_key" in self.stored(), "a key is stored")
        self.assertEqual(self.user.get("/api/v1/me", bearer=secret).status, 200)

    def test_logout_of_a_key_the_server_already_refuses_still_removes_it(self):
        key, secret = create_key(self.user, name="gone")
        self.store_key(secret)
        self.assertEqual(self.user.post(f"/api/keys/{key['id']}/revoke").status, 200)
        p = self.cli.run("logout")
        self.assertEqual(p.returncode, 0, p)
        self.assertIn("already refuses", p.stderr)
        self.assertIn("key_revoked", p.stderr)
        self.assertFalse("api_key" in self.stored(), "a key is stored")

    def test_logout_when_the_server_is_unreachable_keeps_the_key(self):
        _, secret = create_key(self.user, name="offline")
        self.store_key(secret)
        p = self.cli.run("--host", "http://127.0.0.1:9", "logout")
        self.assertEqual(p.returncode, 5, p)
        self.assertIn("--keep-key", p.stderr)
        self.assertTrue("api_key" in self.stored(), "the key was removed")


def wait_for_file(path, timeout=10):
    end = time.time() + timeout
    while time.time() < end:
        if os.path.exists(path) and os.path.getsize(path) > 0:
            return True
        time.sleep(0.05)
    return False


if __name__ == "__main__":
    unittest.main()
