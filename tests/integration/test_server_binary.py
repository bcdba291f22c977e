"""The `2501-accounts` binary itself (issue 16, point 7): --version, usage errors (exit 2, one
line), `migrate` naming its database, a `serve` that fails to start leaving no new file, and the
names of a running server's threads (docs/DESIGN.md, "Threads")."""

import os
import shutil
import socket
import subprocess
import tempfile
import unittest

from harness import SERVER_BIN, Server, require_binary, wait_until


class ServerBinaryTest(unittest.TestCase):
    def setUp(self):
        require_binary(SERVER_BIN)
        self.dir = tempfile.mkdtemp(prefix="tfzo-bin-")

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def run_server(self, *args, timeout=30):
        return subprocess.run([SERVER_BIN] + list(args), capture_output=True, text=True,
                              cwd=self.dir, timeout=timeout)

    def test_version(self):
        p = self.run_server("--version")
        self.assertEqual(p.returncode, 0, p)
        self.assertRegex(p.stdout, r"^2501-accounts \d+\.\d+\.\d+\n$")

    def test_usage_errors_exit_2_with_one_line(self):
        for args in ((), ("serve", "--no-such-flag"), ("serve", "--threads", "many"),
                     ("serve", "--threads", "0"), ("frobnicate",), ("migrate", "extra")):
            p = self.run_server(*args)
            self.assertEqual(p.returncode, 2, (args, p))
            self.assertEqual(p.stdout, "", args)
            self.assertEqual(p.stderr.count("\n"), 1, (args, p.stderr))
            self.assertTrue(p.stderr.startswith("2501-accounts: "), p.stderr)
        self.assertEqual(os.listdir(self.dir), [])
        p = self.run_server("--help")
        self.assertEqual(p.returncode, 0)
        self.assertIn("serve", p.stdout)

    def test_migrate_names_the_database(self):
        p = self.run_server("migrate", "--db", "sqlite:./sub/accounts.db")
        self.assertEqual(p.returncode, 0, p)
        path = os.path.join(os.path.realpath(self.dir), "sub", "accounts.db")
        self.assertIn(f"sqlite:{path}", p.stdout.replace(self.dir, os.path.realpath(self.dir)))
        self.assertTrue(os.path.exists(os.path.join(self.dir, "sub", "accounts.db")))

    def test_a_failed_serve_leaves_no_new_file(self):
        busy = socket.socket()
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        try:
            for args in (("--listen", f"127.0.0.1:{port}"),
                         ("--listen", "127.0.0.1:0", "--public-url", "ftp://nope"),
                         ("--listen", "127.0.0.1:0", "--mail-from", "not a mailbox <")):
                p = self.run_server("serve", "--db", "sqlite:./data/new/accounts.db", *args)
                self.assertNotEqual(p.returncode, 0, (args, p))
                self.assertEqual(os.listdir(self.dir), [], args)
        finally:
            busy.close()
        # What existed before stays.
        os.makedirs(os.path.join(self.dir, "data"))
        p = self.run_server("serve", "--db", "sqlite:./data/accounts.db", "--listen",
                            f"127.0.0.1:{port}", "--public-url", "ftp://nope")
        self.assertNotEqual(p.returncode, 0)
        self.assertEqual(os.listdir(self.dir), ["data"])
        self.assertEqual(os.listdir(os.path.join(self.dir, "data")), [])

    def test_threads_are_named(self):
        # What `top -H`, perf and /proc/PID/task/*/comm show: each thread says what it does. The
        # main thread keeps the program's name (it is I/O thread 0; ps and pkill find it by it).
        expected = {"2501-accounts": 1, "io-1": 1, "worker": 4, "usage-flush": 1,
                    "sqlite-ckpt": 1, "hash": 1, "access-log": 1, "mail": 1, "session_purge": 1,
                    "expiry_notices": 1, "unused_key_revo": 1}
        server = Server("--threads", "2", "--hash-threads", "1", workdir=self.dir).start()
        names = []

        def named():
            # Some threads start just after the server says it listens.
            task = f"/proc/{server.proc.pid}/task"
            names[:] = []
            for tid in os.listdir(task):
                with open(os.path.join(task, tid, "comm")) as f:
                    names.append(f.read().strip())
            return all(names.count(n) >= k for n, k in expected.items())

        try:
            self.assertTrue(wait_until(named, timeout=5, interval=0.05), names)
        finally:
            server.stop()
        for name, count in expected.items():
            self.assertEqual(names.count(name), count, names)


if __name__ == "__main__":
    unittest.main()
