"""Moving a SQLite store to PostgreSQL with `2501-accounts copy-store` (issue 18, point 5).

Fills a SQLite-backed server through the HTTP API (accounts, an org with a member, keys with
and without expirations, a revoked key, a rotated key still in its overlap, hosts, agents,
audit events), stops it, copies its file into an empty database of a throwaway PostgreSQL
cluster (scripts/pg-test-cluster), and starts two nodes on that database: what was true on
SQLite holds there, new rows get new ids, and a revocation on one node reaches the other.
"""

import os
import shutil
import sqlite3
import subprocess
import tempfile
import threading
import time
import unittest

from harness import (SERVER_BIN, Client, Server, create_key, create_org, join, psql,
                     refused_after, rfc3339)
from harness import pg_cluster as cluster


def copy_store(source, target):
    return subprocess.run([SERVER_BIN, "copy-store", "--from", source, "--to", target],
                          capture_output=True, text=True, timeout=300)


class CopyStoreTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="tfzo-copy-store-")
        cls.nodes = []
        cls.cluster = False
        try:
            cls.sqlite_path = os.path.join(cls.dir, "accounts.db")
            cls.fill(Server(db="sqlite:" + cls.sqlite_path, workdir=os.path.join(cls.dir, "a")))
            server_url = cluster("start", cls.dir + "/pg")
            cls.cluster = True
            psql(server_url, "CREATE DATABASE tfzo_copy")
            cls.pg = server_url.rsplit("/", 1)[0] + "/tfzo_copy"
            cls.copy = copy_store("sqlite:" + cls.sqlite_path, cls.pg)
            print("\n" + cls.copy.stdout, flush=True)  # the per-table counts and digests
            # As copied, before the nodes below (and the tests) add rows.
            cls.pg_counts = {t: int(psql(cls.pg, f'SELECT count(*) FROM "{t}"'))
                             for t in cls.sqlite_counts} if cls.copy.returncode == 0 else {}
            cls.pg_change_seq = psql(cls.pg, "SELECT seq FROM change_counter")
            if cls.copy.returncode == 0:
                for name in ("b", "c"):
                    os.makedirs(os.path.join(cls.dir, name))
                    cls.nodes.append(Server(db=cls.pg, workdir=os.path.join(cls.dir, name)))
                    cls.nodes[-1].start()
                cls.b, cls.c = cls.nodes
        except Exception:
            cls.tearDownClass()
            raise

    @classmethod
    def fill(cls, server):
        os.makedirs(server.workdir, exist_ok=True)
        server.start()
        try:
            owner, member = Client(server), Client(server)
            owner.signup()
            member.signup()
            cls.owner_login = (owner.email, owner.password)
            cls.member_login = (member.email, member.password)
            org = create_org(owner)
            join(owner, org["id"], member)
            cls.org = org
            cls.live = []  # secrets that must verify after the copy
            _, s = create_key(owner, expires_at=rfc3339(time.time() + 30 * 86400))
            cls.live.append(s)
            _, s = create_key(owner, org_id=org["id"])
            cls.live.append(s)
            _, s = create_key(member)
            cls.live.append(s)
            key, cls.revoked = create_key(owner)
            r = owner.post(f"/api/keys/{key['id']}/revoke", {})
            assert r.status == 200, r
            key, old = create_key(owner)
            r = owner.post(f"/api/keys/{key['id']}/rotate", {"overlap_seconds": 3600})
            assert r.status == 200, r
            cls.live += [old, r.json()["secret"]]  # both work during the overlap
            cls.owner_key = cls.live[0]
            path = f"/api/v1/orgs/{org['id']}"
            r = owner.post(f"{path}/hosts", {"name": "web-1", "address": "192.0.2.10"},
                           bearer=cls.owner_key)
            assert r.status == 201, r
            cls.host = r.json()["host"]
            r = owner.post(f"{path}/agents", {"name": "agent-1", "host_id": cls.host["id"]},
                           bearer=cls.owner_key)
            assert r.status == 201, r
            cls.agent = r.json()["agent"]
            r = owner.get("/api/audit?limit=100")
            assert r.status == 200, r
            cls.audit_ids = {e["id"] for e in r.json()["events"]}
            cls.secrets = cls.live + [cls.revoked, owner.password, member.password]
        finally:
            server.stop()
        db = sqlite3.connect(cls.sqlite_path)
        try:
            cls.sqlite_counts = {t: db.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0]
                                 for t in ("accounts", "api_keys", "key_uses", "key_secrets",
                                           "audit_events", "memberships", "hosts", "agents",
                                           "changes")}
            cls.sqlite_change_seq = db.execute("SELECT seq FROM change_counter").fetchone()[0]
        finally:
            db.close()

    @classmethod
    def tearDownClass(cls):
        for n in cls.nodes:
            n.cleanup()
        try:
            if cls.cluster:
                cluster("destroy", cls.dir + "/pg")
        finally:
            shutil.rmtree(cls.dir, ignore_errors=True)

    def test_copy_reports_every_table_checked_and_no_secret(self):
        self.assertEqual(self.copy.returncode, 0, self.copy.stderr)
        out = self.copy.stdout
        for table in ("accounts", "orgs", "memberships", "api_keys", "key_uses", "key_secrets",
                      "hosts", "agents", "audit_events", "change_counter", "changes", "sessions"):
            self.assertRegex(out, rf"checked\s+{table}\s+\d+ rows\s+sha256 [0-9a-f]{{16}}")
        self.assertNotIn("schema_migrations", out)
        self.assertNotIn("sqlite_sequence", out)
        for s in self.secrets:
            self.assertNotIn(s, out + self.copy.stderr)
        self.assertNotIn("password=", out)

    def test_counts_match_the_sqlite_file(self):
        for table, count in self.sqlite_counts.items():
            self.assertGreater(count, 0, table)
            self.assertEqual(self.pg_counts[table], count, table)
            self.assertRegex(self.copy.stdout, rf"checked\s+{table}\s+{count} rows")
        self.assertEqual(int(self.pg_change_seq), self.sqlite_change_seq)

    def test_keys_verify_and_the_revoked_one_stays_revoked(self):
        for node in (self.b, self.c):
            for s in self.live:
                self.assertEqual(Client(node).get("/api/v1/me", bearer=s).status, 200)
            r = Client(node).get("/api/v1/me", bearer=self.revoked)
            self.assertEqual(r.status, 401, r)
            self.assertEqual(r.json()["error"]["code"], "key_revoked")

    def test_sign_in_works_with_the_same_password_and_audit_events_are_there(self):
        c = Client(self.b)
        r = c.login(*self.owner_login)
        self.assertEqual(r.status, 200, r)
        r = c.get("/api/audit?limit=100")
        self.assertEqual(r.status, 200, r)
        self.assertLessEqual(self.audit_ids, {e["id"] for e in r.json()["events"]})
        m = Client(self.c)
        self.assertEqual(m.login(*self.member_login).status, 200)
        self.assertEqual(m.get(f"/api/orgs/{self.org['id']}/members").status, 200)

    def test_hosts_and_agents_are_there(self):
        path = f"/api/v1/orgs/{self.org['id']}"
        r = Client(self.b).get(f"{path}/agents/{self.agent['id']}", bearer=self.owner_key)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["agent"]["host_id"], self.host["id"])

    def test_new_rows_continue_after_the_copied_ids(self):
        c = Client(self.b)
        self.assertEqual(c.login(*self.owner_login).status, 200)
        before = int(psql(self.pg, "SELECT max(seq) FROM api_keys"))
        for _ in range(2):
            _, secret = create_key(c)
            self.assertEqual(Client(self.c).get("/api/v1/me", bearer=secret).status, 200)
        self.assertGreater(int(psql(self.pg, "SELECT min(seq) FROM api_keys WHERE seq > "
                                             f"{before}")), before)
        create_org(c)
        r = c.post(f"/api/v1/orgs/{self.org['id']}/hosts",
                   {"name": "web-2", "address": "192.0.2.11"}, bearer=self.owner_key)
        self.assertEqual(r.status, 201, r)

    def test_a_revocation_on_one_node_reaches_the_other(self):
        owner = Client(self.b)
        self.assertEqual(owner.login(*self.owner_login).status, 200)
        key, secret = create_key(owner)
        via_c = Client(self.c)
        for _ in range(3):  # cached on C
            self.assertEqual(via_c.get("/api/v1/me", bearer=secret).status, 200)
        change_seq = int(psql(self.pg, "SELECT seq FROM change_counter"))
        self.assertGreaterEqual(change_seq, self.sqlite_change_seq)
        start = time.monotonic()
        self.assertEqual(owner.post(f"/api/keys/{key['id']}/revoke", {}).status, 200)
        self.assertIsNotNone(refused_after(via_c, secret, start), "still accepted on C")
        # The change log numbers it after the copied changes.
        self.assertGreater(int(psql(self.pg, "SELECT max(seq) FROM changes")),
                           self.sqlite_change_seq)

    def test_a_non_empty_target_is_refused(self):
        self.assertEqual(self.copy.returncode, 0, self.copy.stderr)
        before = psql(self.pg, "SELECT count(*) FROM accounts")
        p = copy_store("sqlite:" + self.sqlite_path, self.pg)
        self.assertEqual(p.returncode, 1, p.stdout)
        self.assertIn("not empty", p.stderr)
        self.assertRegex(p.stderr, r"table \w+ holds rows")
        self.assertEqual(psql(self.pg, "SELECT count(*) FROM accounts"), before)

    def test_another_applications_database_is_refused_before_anything_is_created(self):
        base = self.pg.rsplit("/", 1)[0]
        psql(base + "/postgres", "CREATE DATABASE tfzo_copy_other")
        other = base + "/tfzo_copy_other"
        psql(other, "CREATE TABLE invoices (id int PRIMARY KEY); INSERT INTO invoices VALUES (1)")
        p = copy_store("sqlite:" + self.sqlite_path, other)
        self.assertEqual(p.returncode, 1, p.stdout)
        self.assertIn("not empty: table invoices holds rows", p.stderr)
        self.assertEqual(psql(other, "SELECT count(*) FROM information_schema.tables "
                                     "WHERE table_schema = 'public'"), "1")

    def test_a_source_of_another_schema_version_is_refused(self):
        old = os.path.join(self.dir, "old.db")
        shutil.copy(self.sqlite_path, old)
        db = sqlite3.connect(old)
        with db:
            db.execute("DELETE FROM schema_migrations WHERE version = "
                       "(SELECT max(version) FROM schema_migrations)")
        db.close()
        base = self.pg.rsplit("/", 1)[0]
        psql(base + "/postgres", "CREATE DATABASE tfzo_copy_old")
        p = copy_store("sqlite:" + old, base + "/tfzo_copy_old")
        self.assertEqual(p.returncode, 1, p.stdout)
        self.assertIn("schema version", p.stderr)

    def test_a_row_altered_on_the_way_fails_the_check_and_commits_nothing(self):
        base = self.pg.rsplit("/", 1)[0]
        psql(base + "/postgres", "CREATE DATABASE tfzo_copy_tampered")
        target = base + "/tfzo_copy_tampered"
        migrate = subprocess.run([SERVER_BIN, "migrate", "--db", target], capture_output=True,
                                 text=True, timeout=120)
        self.assertEqual(migrate.returncode, 0, migrate.stderr)
        # Something between the two sides changes a value: the digests must tell.
        psql(target, "CREATE FUNCTION tamper() RETURNS trigger LANGUAGE plpgsql AS "
                     "$$ BEGIN NEW.name := NEW.name || '!'; RETURN NEW; END $$; "
                     "CREATE TRIGGER tamper BEFORE INSERT ON hosts "
                     "FOR EACH ROW EXECUTE FUNCTION tamper()")
        p = copy_store("sqlite:" + self.sqlite_path, target)
        self.assertEqual(p.returncode, 1, p.stdout)
        self.assertRegex(p.stderr, r"check failed for table hosts: source 1 rows sha256 "
                                   r"[0-9a-f]{64}, target 1 rows sha256 [0-9a-f]{64}; "
                                   r"nothing was committed")
        self.assertNotIn("checked  hosts", p.stdout)
        for table in ("accounts", "api_keys", "hosts"):
            self.assertEqual(psql(target, f"SELECT count(*) FROM {table}"), "0")
        self.assertEqual(psql(target, "SELECT seq FROM change_counter"), "0")

    def test_a_copy_while_the_server_writes_reads_one_snapshot(self):
        workdir = os.path.join(self.dir, "live")
        os.makedirs(workdir)
        live = Server("--max-active-keys", "100000",
                      db="sqlite:" + os.path.join(workdir, "accounts.db"), workdir=workdir)
        live.start()
        self.nodes.append(live)
        owner = Client(live)
        owner.signup()
        acked, stop, errors = [], threading.Event(), []

        def write():
            try:
                while not stop.is_set():
                    acked.append(create_key(owner)[0]["id"])
            except Exception as e:  # noqa: BLE001 - reported below
                errors.append(repr(e))

        writer = threading.Thread(target=write)
        writer.start()
        try:
            while len(acked) < 10 and not errors:
                time.sleep(0.01)
            before = set(acked)
            base = self.pg.rsplit("/", 1)[0]
            psql(base + "/postgres", "CREATE DATABASE tfzo_copy_live")
            p = copy_store("sqlite:" + os.path.join(workdir, "accounts.db"),
                           base + "/tfzo_copy_live")
        finally:
            stop.set()
            writer.join(30)
        self.assertEqual(errors, [])
        self.assertEqual(p.returncode, 0, p.stderr)
        print(f"copy during writes: {len(before)} keys before it began, "
              f"{len(acked) - len(before)} while it ran", flush=True)
        copied = set(psql(base + "/tfzo_copy_live", "SELECT id FROM api_keys").split())
        self.assertLessEqual(before, copied)
        # Each copied key has its secret's digest: no key without its secret, or the reverse.
        self.assertEqual(psql(base + "/tfzo_copy_live",
                              "SELECT count(*) FROM api_keys k WHERE NOT EXISTS "
                              "(SELECT 1 FROM key_secrets s WHERE s.key_id = k.id)"), "0")

    def test_bad_arguments_are_refused(self):
        p = copy_store("postgresql://localhost/x", self.pg)
        self.assertEqual(p.returncode, 1)
        self.assertIn("--from must be sqlite:PATH", p.stderr)
        p = copy_store("sqlite:" + self.sqlite_path, "sqlite:/tmp/x.db")
        self.assertEqual(p.returncode, 1)
        self.assertIn("--to must be postgresql://", p.stderr)
        p = copy_store("sqlite:" + os.path.join(self.dir, "missing.db"), self.pg)
        self.assertEqual(p.returncode, 1)
        self.assertIn("no SQLite database file", p.stderr)


if __name__ == "__main__":
    unittest.main()
