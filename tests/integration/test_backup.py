"""`2501-accounts backup` while the server writes (issue 18, point 6).

A writer thread creates keys through the API while `backup` copies the server's SQLite file;
the copy must open, pass PRAGMA integrity_check and hold every key whose creation was
acknowledged before the backup began (by its secret's digest too). Existing files are kept
unless --force; a PostgreSQL --db is refused with a pointer to pg_dump.
"""

import hashlib
import os
import shutil
import sqlite3
import stat
import subprocess
import tempfile
import threading
import time
import unittest

from harness import SERVER_BIN, Client, Server, create_key


def backup(*args):
    return subprocess.run([SERVER_BIN, "backup", *args], capture_output=True, text=True,
                          timeout=120)


class BackupTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="tfzo-backup-")
        cls.db_path = os.path.join(cls.dir, "server", "accounts.db")
        cls.server = Server("--max-active-keys", "100000", db="sqlite:" + cls.db_path,
                            workdir=os.path.join(cls.dir, "server"))
        os.makedirs(cls.server.workdir)
        cls.server.start()
        cls.out = os.path.join(cls.dir, "backups")
        os.makedirs(cls.out)

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()
        shutil.rmtree(cls.dir, ignore_errors=True)

    def test_a_backup_during_writes_holds_every_acknowledged_write(self):
        owner = Client(self.server)
        owner.signup()
        acked = []  # (key id, secret), in the order their 201 arrived
        stop = threading.Event()
        errors = []

        def write():
            c = Client(self.server)
            c.csrf, c.cookies = owner.csrf, dict(owner.cookies)
            while not stop.is_set():
                try:
                    key, secret = create_key(c)
                    acked.append((key["id"], secret))
                except Exception as e:  # noqa: BLE001 - reported below
                    errors.append(repr(e))
                    return

        writer = threading.Thread(target=write)
        writer.start()
        try:
            deadline = time.monotonic() + 30
            while len(acked) < 40 and time.monotonic() < deadline and not errors:
                time.sleep(0.01)
            before = list(acked)  # acknowledged before the backup began
            target = os.path.join(self.out, "during.db")
            p = backup("--db", "sqlite:" + self.db_path, "--to", target)
            during = len(acked) - len(before)
            time.sleep(0.2)
        finally:
            stop.set()
            writer.join(30)
        self.assertEqual(errors, [])
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertRegex(p.stdout, r"written to .*during\.db: \d+ bytes, schema version \d+")
        print(f"\nbackup during writes: {len(before)} keys acknowledged before it began, "
              f"{during} while it ran", flush=True)
        self.assertGreaterEqual(len(before), 40)
        self.assertEqual(stat.S_IMODE(os.stat(target).st_mode), 0o600)
        self.assertEqual(sorted(os.listdir(self.out)), ["during.db"])  # no temporary left

        copy = sqlite3.connect(f"file:{target}?mode=ro", uri=True)
        try:
            self.assertEqual(copy.execute("PRAGMA integrity_check").fetchone()[0], "ok")
            ids = {row[0] for row in copy.execute("SELECT id FROM api_keys")}
            digests = {row[0] for row in copy.execute("SELECT digest FROM key_secrets")}
            version = copy.execute("SELECT max(version) FROM schema_migrations").fetchone()[0]
        finally:
            copy.close()
        self.assertIn(f"schema version {version}", p.stdout)
        for key_id, secret in before:
            self.assertIn(key_id, ids)
            self.assertIn(hashlib.sha256(secret.encode()).hexdigest(), digests)

        # Restored (a server started on the copy), the keys verify.
        restored_dir = os.path.join(self.dir, "restored")
        os.makedirs(restored_dir)
        shutil.copy(target, os.path.join(restored_dir, "accounts.db"))
        restored = Server(db="sqlite:" + os.path.join(restored_dir, "accounts.db"),
                          workdir=restored_dir).start()
        try:
            for _, secret in (before[0], before[-1]):
                self.assertEqual(Client(restored).get("/api/v1/me", bearer=secret).status, 200)
        finally:
            restored.stop()

    def test_an_existing_file_is_kept_unless_force(self):
        target = os.path.join(self.out, "kept.db")
        with open(target, "w") as f:
            f.write("not a backup")
        p = backup("--db", "sqlite:" + self.db_path, "--to", target)
        self.assertEqual(p.returncode, 1, p.stdout)
        self.assertIn("exists; --force replaces it", p.stderr)
        with open(target) as f:
            self.assertEqual(f.read(), "not a backup")
        p = backup("--db", "sqlite:" + self.db_path, "--to", target, "--force")
        self.assertEqual(p.returncode, 0, p.stderr)
        copy = sqlite3.connect(target)
        try:
            self.assertEqual(copy.execute("PRAGMA integrity_check").fetchone()[0], "ok")
        finally:
            copy.close()
        self.assertFalse([n for n in os.listdir(self.out) if ".tmp-" in n or n.endswith("-wal")])

    def test_postgresql_is_refused_with_a_pointer_to_pg_dump(self):
        target = os.path.join(self.out, "pg.db")
        p = backup("--db", "postgresql://user:hunter2@localhost/accounts", "--to", target)
        self.assertEqual(p.returncode, 1)
        self.assertIn("pg_dump", p.stderr)
        self.assertNotIn("hunter2", p.stderr + p.stdout)
        self.assertFalse(os.path.exists(target))

    def test_a_missing_database_is_refused_and_nothing_is_created(self):
        target = os.path.join(self.out, "missing.db")
        p = backup("--db", "sqlite:" + os.path.join(self.dir, "nope.db"), "--to", target)
        self.assertEqual(p.returncode, 1)
        self.assertIn("no SQLite database file", p.stderr)
        self.assertFalse(os.path.exists(target))
        self.assertFalse(os.path.exists(os.path.join(self.dir, "nope.db")))
        p = backup("--to", target)
        self.assertEqual(p.returncode, 2)


if __name__ == "__main__":
    unittest.main()
