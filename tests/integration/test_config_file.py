"""`2501-accounts serve --config FILE` (docs/configuration.md), the real server: the file's
values take effect, the command line overrides them, the database URL comes from TFZO_DB or
`{ env = "NAME" }`, and an unknown key or a bad value stops the start with exit 2, naming the
file, the line and the key, before anything is created."""

import os
import re
import shutil
import subprocess
import tempfile
import threading
import unittest
import urllib.request

from harness import SERVER_BIN, require_binary


class ConfigFileServer:
    """2501-accounts serve --config FILE, with only the arguments a test gives."""

    def __init__(self, workdir, *args, env=None):
        full_env = {k: v for k, v in os.environ.items() if k != "TFZO_DB"}
        full_env.update(env or {})
        self.proc = subprocess.Popen([SERVER_BIN, "serve", *args], cwd=workdir, env=full_env,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.lines = []
        self.port = None
        ready = threading.Event()

        def read():
            for line in self.proc.stdout:
                self.lines.append(line)
                m = re.match(r"listening on http://127\.0\.0\.1:(\d+)", line)
                if m and not ready.is_set():
                    self.port = int(m.group(1))
                    ready.set()
            ready.set()

        self.reader = threading.Thread(target=read, daemon=True)
        self.reader.start()
        ready.wait(30)
        if self.port is None:
            self.stop()
            raise AssertionError("server did not start:\n" + self.log())

    def get(self, path):
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}{path}", timeout=10) as r:
            return r.status

    def log(self):
        return "".join(self.lines)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
        code = self.proc.wait(20)
        self.reader.join(5)
        self.proc.stdout.close()
        return code


class ConfigFileTest(unittest.TestCase):
    def setUp(self):
        require_binary(SERVER_BIN)
        self.dir = tempfile.mkdtemp(prefix="tfzo-config-")
        self.config = os.path.join(self.dir, "config.toml")

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def write(self, text, mode=0o600):
        with open(self.config, "w") as f:
            f.write(text)
        os.chmod(self.config, mode)

    def serve(self, *args, env=None):
        server = ConfigFileServer(self.dir, "--config", self.config, *args, env=env)
        self.addCleanup(server.stop)
        return server

    def refused(self, *args, config=None):
        """Runs a start that must fail; returns its stderr."""
        env = {k: v for k, v in os.environ.items() if k != "TFZO_DB"}
        p = subprocess.run([SERVER_BIN, "serve", "--config", config or self.config, *args],
                           cwd=self.dir, capture_output=True, text=True, timeout=30, env=env)
        self.assertEqual(p.returncode, 2, p)
        self.assertEqual(p.stdout, "")
        self.assertEqual(p.stderr.count("\n"), 1, p.stderr)
        self.assertEqual(sorted(os.listdir(self.dir)), ["config.toml"])  # nothing created
        return p.stderr

    def test_values_from_the_file_take_effect(self):
        self.write('listen = "127.0.0.1:0"\n'
                   'db = "sqlite:./from-file/accounts.db"\n'
                   'access-log = false\n'
                   'trusted-proxies = ["127.0.0.1", "10.0.0.0/8"]\n'
                   'outbox = "./mail-out"\n')
        server = self.serve()
        self.assertEqual(server.get("/healthz"), 200)
        self.assertTrue(os.path.exists(os.path.join(self.dir, "from-file", "accounts.db")))
        self.assertTrue(os.path.isdir(os.path.join(self.dir, "mail-out")))
        self.assertEqual(server.stop(), 0)
        # access-log = false: no line for the request above.
        self.assertNotIn("/healthz", server.log())

    def test_the_command_line_overrides_the_file(self):
        self.write('listen = "127.0.0.1:1"\n'          # a port no test can bind
                   'db = "sqlite:./from-file.db"\n'
                   'access-log = false\n')
        server = self.serve("--listen", "127.0.0.1:0", "--db", "sqlite:./from-flag.db",
                            "--access-log")
        self.assertEqual(server.get("/healthz"), 200)
        self.assertTrue(os.path.exists(os.path.join(self.dir, "from-flag.db")))
        self.assertFalse(os.path.exists(os.path.join(self.dir, "from-file.db")))
        self.assertEqual(server.stop(), 0)
        self.assertIn("/healthz", server.log())

    def test_the_database_url_from_the_environment(self):
        # The file omits db: TFZO_DB gives it; TFZO_DB also wins over a db in the file.
        self.write('listen = "127.0.0.1:0"\n')
        server = self.serve(env={"TFZO_DB": "sqlite:./from-env.db"})
        self.assertEqual(server.get("/healthz"), 200)
        self.assertTrue(os.path.exists(os.path.join(self.dir, "from-env.db")))
        server.stop()
        self.write('listen = "127.0.0.1:0"\ndb = "sqlite:./from-file.db"\n')
        server = self.serve(env={"TFZO_DB": "sqlite:./from-env-2.db"})
        self.assertTrue(os.path.exists(os.path.join(self.dir, "from-env-2.db")))
        self.assertFalse(os.path.exists(os.path.join(self.dir, "from-file.db")))
        server.stop()
        # { env = "NAME" }: a variable the file names.
        self.write('listen = "127.0.0.1:0"\ndb = { env = "ACCOUNTS_DB_URL" }\n')
        server = self.serve(env={"ACCOUNTS_DB_URL": "sqlite:./named-env.db"})
        self.assertTrue(os.path.exists(os.path.join(self.dir, "named-env.db")))
        server.stop()

    def test_unknown_key_and_bad_values_are_refused(self):
        cases = [
            ('listen = "127.0.0.1:0"\n\nlistn = "x"\n', 'config.toml:3: unknown key "listn"'),
            ('listen = "127.0.0.1:0"\nmax-connections = "many"\n',
             'config.toml:2: "max-connections": expected an integer from 0'),
            ('access-log = "no"\n', 'config.toml:1: "access-log": expected true or false'),
            ('\nthreads = 0\n', 'config.toml:2: "threads": Value 0 not in range 1 to 256'),
            ('trusted-proxies = ["10.0.0.1", "proxy.internal"]\n',
             'config.toml:1: "trusted-proxies": "proxy.internal" is not an IPv4 or IPv6'),
            ('db = { env = "NO_SUCH_VARIABLE_2501" }\n',
             'config.toml:1: "db": the environment variable NO_SUCH_VARIABLE_2501 is not set'),
            ('listen = "127.0.0.1:0"\nlisten = "x"\n', 'config.toml:2: not valid TOML'),
        ]
        for text, error in cases:
            with self.subTest(error=error):
                self.write(text)
                stderr = self.refused("--db", "sqlite:./never.db")
                self.assertTrue(stderr.startswith(f"2501-accounts: {self.config}:"), stderr)
                self.assertIn(error.replace("config.toml", self.config), stderr)

    def test_a_missing_file_is_refused(self):
        self.write('listen = "127.0.0.1:0"\n')
        stderr = self.refused(config=os.path.join(self.dir, "nope.toml"))
        self.assertIn("nope.toml: cannot read", stderr)

    def test_a_password_others_may_read_is_warned_about_never_shown(self):
        password = "Sup3rSecretPw"
        self.write(f'listen = "127.0.0.1:0"\ndb-timeout = 0.5\n'
                   f'db = "postgresql://accounts:{password}@127.0.0.1:1/accounts"\n', 0o644)
        p = subprocess.run([SERVER_BIN, "serve", "--config", self.config], cwd=self.dir,
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(p.returncode, 1, p)  # nothing listens on port 1
        self.assertIn('holds a password ("db")', p.stderr)
        self.assertIn("chmod 600", p.stderr)
        self.assertNotIn(password, p.stderr + p.stdout)


if __name__ == "__main__":
    unittest.main()
