"""Operations of docs/spec/API.md: /healthz, /metrics, SIGTERM/SIGINT, migrate, and that no key,
password or session token ever reaches the log, the responses or the database."""

import glob
import hashlib
import os
import re
import signal
import sqlite3
import shutil
import subprocess
import tempfile
import threading
import time
import unittest

from harness import (SERVER_BIN, Client, Server, ServerTestCase, TIME_RE, create_key,
                     create_org, make_key, wait_until)

SAMPLE_RE = re.compile(r'^[a-zA-Z_:][a-zA-Z0-9_:]*(\{.*\})? [-+0-9.eEInfNa]+( -?[0-9]+)?$')


class OpsTest(ServerTestCase):

    def test_healthz(self):
        r = self.client().get("/healthz")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json(), {"status": "ok"})
        self.assertTrue(r.header("Content-Type").startswith("application/json"))
        self.assertTrue(r.header("X-Request-Id"))

    def test_metrics_is_prometheus_text(self):
        anon = self.client()
        a = self.new_account()
        _, secret = create_key(a)
        anon.get("/api/v1/me", bearer=secret)
        anon.get("/api/v1/me", bearer=make_key())
        anon.get("/api/keys")
        r = anon.get("/metrics")
        self.assertEqual(r.status, 200, r)
        self.assertTrue(r.header("Content-Type").startswith("text/plain"), r.headers)
        self.assertTrue(r.header("X-Request-Id"))
        lines = [ln for ln in r.body.splitlines() if ln.strip()]
        samples = [ln for ln in lines if not ln.startswith("#")]
        self.assertTrue(any(ln.startswith("# TYPE ") for ln in lines), r.body[:500])
        self.assertGreater(len(samples), 3, r.body[:500])
        for ln in samples:
            self.assertRegex(ln, SAMPLE_RE)
        # Latency histograms, key checks by result code.
        self.assertTrue(any("_bucket{" in ln and 'le="+Inf"' in ln for ln in samples),
                        r.body[:1000])
        self.assertIn("key_invalid", r.body)
        self.assertNotIn(secret, r.body)

    def test_metrics_count_the_usage_flushes(self):
        def usage(body):
            return {m.group(1): float(m.group(2)) for m in re.finditer(
                r"^tfzo_usage_(\w+) ([-+0-9.eE]+)$", body, re.M)}

        anon = self.client()
        before = usage(anon.get("/metrics").body)
        self.assertEqual(set(before), {"flushes_total", "flush_failures_total",
                                       "uses_written_total", "flush_seconds_total",
                                       "flush_last_seconds",
                                       "flush_last_success_timestamp_seconds"}, before)
        _, secret = create_key(self.new_account())
        used = time.time()
        self.assertEqual(anon.get("/api/v1/me", bearer=secret).status, 200)
        # docs/spec/API.md: last_used_at lags a use by at most 5 seconds.
        self.assertTrue(wait_until(lambda: usage(anon.get("/metrics").body)["uses_written_total"]
                                   > before["uses_written_total"], timeout=5, interval=0.1),
                        "no flush wrote the use within 5 s")
        after = usage(anon.get("/metrics").body)
        self.assertGreater(after["flushes_total"], before["flushes_total"])
        self.assertEqual(after["flush_failures_total"], before["flush_failures_total"])
        self.assertGreaterEqual(after["flush_seconds_total"], after["flush_last_seconds"])
        self.assertGreater(after["flush_last_seconds"], 0)
        self.assertLess(after["flush_last_seconds"], 5)
        self.assertGreaterEqual(after["flush_last_success_timestamp_seconds"], used - 1)
        self.assertLessEqual(after["flush_last_success_timestamp_seconds"], time.time() + 1)

    def test_times_and_ids_are_well_formed_everywhere(self):
        a = self.new_account()
        org = create_org(a)
        key, secret = create_key(a, org_id=org["id"])
        anon = self.client()
        agent = anon.post(f"/api/v1/orgs/{org['id']}/agents", {"name": "a"},
                          bearer=secret).json()["agent"]
        host = anon.post(f"/api/v1/orgs/{org['id']}/hosts", {"name": "h", "address": "x"},
                         bearer=secret).json()["host"]
        for t in (key["created_at"], agent["created_at"], host["created_at"]):
            self.assertRegex(t, TIME_RE)
        for e in a.get("/api/audit").json()["events"]:
            self.assertRegex(e["at"], TIME_RE)
        self.assertTrue(a.account["id"].startswith("acc_"))
        self.assertTrue(org["id"].startswith("org_"))
        self.assertTrue(key["id"].startswith("key_"))
        ids = [a.account["id"], org["id"], key["id"], agent["id"], host["id"]]
        self.assertEqual(len(set(ids)), len(ids))


class ConcurrencyTest(ServerTestCase):
    """Several clients at once, on the default number of I/O threads: every answer is right
    and the server is still running afterwards."""

    def test_concurrent_mixed_requests(self):
        a = self.new_account()
        org = create_org(a)
        keys = [create_key(a, org_id=org["id"] if i % 2 else None)[1] for i in range(4)]
        failures = []

        def worker(n):
            c = Client(self.server)
            c.cookies, c.csrf = dict(a.cookies), a.csrf
            for i in range(60):
                secret = keys[(n + i) % len(keys)]
                try:
                    checks = [
                        (c.get("/api/keys"), 200),
                        (Client(self.server).get("/api/v1/me", bearer=secret), 200),
                        (Client(self.server).post("/api/v1/keys/verify", {"key": secret}), 200),
                        (Client(self.server).get(f"/api/v1/orgs/{org['id']}/agents",
                                                 bearer=secret), 200),
                        (c.post(f"/api/keys/key_nope{n}/revoke"), 404),
                        (Client(self.server).get("/api/v1/me", bearer=make_key()), 401),
                    ]
                    if i % 10 == 0:
                        checks.append((c.post("/api/orgs", {"name": f"t{n}-{i}"}), 201))
                    for r, status in checks:
                        if r.status != status:
                            failures.append((status, r))
                except Exception as e:  # connection refused or reset: the server died
                    failures.append(("exception", repr(e)))
                    return

        threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        self.assertIsNone(self.server.proc.poll(),
                          "the server died:\n" + "".join(self.server.log_lines[-5:]))
        self.assertEqual(failures[:5], [])


class LifecycleTest(unittest.TestCase):
    """Tests that stop their own servers."""

    def setUp(self):
        self.servers = []

    def tearDown(self):
        for s in self.servers:
            s.cleanup()

    def start(self, *args, **kw):
        s = Server(*args, **kw).start()
        self.servers.append(s)
        return s

    def test_sigterm_and_sigint_exit_0(self):
        for sig in (signal.SIGTERM, signal.SIGINT):
            with self.subTest(sig=sig):
                s = self.start()
                c = Client(s)
                self.assertEqual(c.get("/healthz").status, 200)
                self.assertEqual(s.stop(sig), 0, s.log())

    def test_last_used_at_is_flushed_on_sigterm(self):
        workdir = tempfile.mkdtemp(prefix="tfzo-it-")
        s = Server(workdir=workdir).start()
        try:
            c = Client(s)
            c.signup()
            key, secret = create_key(c)
            self.assertEqual(Client(s).get("/api/v1/me", bearer=secret).status, 200)
            self.assertEqual(s.stop(signal.SIGTERM), 0, s.log())
            s2 = Server(workdir=workdir).start()
            try:
                c2 = Client(s2)
                self.assertEqual(c2.login(c.email, c.password).status, 200)
                listed = c2.get("/api/keys").json()["keys"]
                self.assertEqual(listed[0]["id"], key["id"])
                self.assertIsNotNone(listed[0]["last_used_at"],
                                     "SIGTERM must flush last_used_at")
                self.assertRegex(listed[0]["last_used_at"], TIME_RE)
                # The key and the session survive a restart.
                self.assertEqual(Client(s2).get("/api/v1/me", bearer=secret).status, 200)
                self.assertEqual(s2.stop(), 0)
            finally:
                s2.stop()
        finally:
            s.stop()
            shutil.rmtree(workdir, ignore_errors=True)

    def test_every_request_is_in_the_access_log_once_the_server_stopped(self):
        """The access log is written off the request threads, in batches: SIGTERM writes what
        is still waiting, in order, each line whole; --no-access-log writes none."""
        for args, logged in (((), True), (("--no-access-log",), False)):
            with self.subTest(args=args):
                s = self.start(*args)
                c = Client(s)
                ids = [c.get(f"/healthz?n={i}").header("X-Request-Id") for i in range(300)]
                ids.append(c.get("/no/such/path").header("X-Request-Id"))
                self.assertEqual(s.stop(signal.SIGTERM), 0, s.log()[-2000:])
                lines = {m.group(2): m.group(1) for m in re.finditer(
                    r"^\S+Z info (GET \S+ \d{3}) (\S+)$", s.log(), re.MULTILINE)}
                if not logged:
                    self.assertEqual(lines, {})
                    continue
                self.assertEqual([i for i in ids if i not in lines], [], "requests not logged")
                self.assertEqual(lines[ids[0]], "GET /healthz 200", "the query is never logged")
                self.assertEqual(lines[ids[-1]], "GET /no/such/path 404")
                order = [m.group(1) for m in re.finditer(r" (\S+)$", s.log(), re.MULTILINE)]
                self.assertEqual([i for i in order if i in ids], ids, "in the order answered")

    def test_migrate_subcommand(self):
        workdir = tempfile.mkdtemp(prefix="tfzo-it-")
        try:
            db = "sqlite:" + os.path.join(workdir, "m.db")
            for _ in range(2):  # idempotent
                p = subprocess.run([SERVER_BIN, "migrate", "--db", db], capture_output=True,
                                   text=True, timeout=30, cwd=workdir)
                self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
            self.assertTrue(os.path.exists(os.path.join(workdir, "m.db")))
            s = self.start(db=db)
            Client(s).signup()
            self.assertEqual(s.stop(), 0)
        finally:
            shutil.rmtree(workdir, ignore_errors=True)

    def test_no_secret_in_logs_responses_or_database(self):
        s = self.start()
        secrets_seen = []  # every key value, password and session token of this run
        a = Client(s)
        a.signup()
        secrets_seen += [a.password, a.cookies["tfzo_session"]]
        b = Client(s)
        b.signup()
        secrets_seen += [b.password, b.cookies["tfzo_session"]]
        second = Client(s)
        self.assertEqual(second.login(a.email, a.password).status, 200)
        secrets_seen.append(second.cookies["tfzo_session"])
        wrong = a.password + "-wrong"
        self.assertEqual(Client(s).login(a.email, wrong).status, 401)
        self.assertEqual(Client(s).login("nobody@example.com", wrong).status, 401)
        secrets_seen.append(wrong)
        self.assertEqual(Client(s).post("/api/signup", {"email": "weak@example.com",
                                                        "password": "short7!"}).status, 400)
        secrets_seen.append("short7!")
        org = create_org(a)
        k1, s1 = create_key(a, "unscoped")
        k2, s2 = create_key(a, "scoped", org_id=org["id"])
        k3, s3 = create_key(b, "b's")
        anon = Client(s)
        for sec in (s1, s2, s3):
            self.assertEqual(anon.get("/api/v1/me", bearer=sec).status, 200)
            self.assertEqual(anon.post("/api/v1/keys/verify", {"key": sec}).json()["valid"], True)
        anon.get(f"/api/v1/orgs/{org['id']}/agents", bearer=s2)
        anon.get("/api/keys", bearer=s1)           # session_required
        anon.get("/api/v1/me", bearer=s1[:-1])     # key_malformed
        unknown = make_key()
        anon.get("/api/v1/me", bearer=unknown)     # key_invalid
        r = a.post(f"/api/keys/{k1['id']}/rotate", {})
        self.assertEqual(r.status, 200, r)
        s1b = r.json()["secret"]
        self.assertEqual(anon.get("/api/v1/me", bearer=s1).status, 401)  # key_revoked
        anon.post("/api/v1/keys/verify", {"key": s1})
        self.assertEqual(a.post(f"/api/keys/{k2['id']}/revoke").status, 200)
        anon.get("/api/v1/me", bearer=s2)
        keys = [s1, s1b, s2, s3]
        secrets_seen += keys
        # Let the batched last_used_at writes happen while the server runs.
        wait_until(lambda: a.get("/api/keys").json()["keys"][-1]["last_used_at"], timeout=7)

        # Not in lists or audit events.
        for client in (a, b):
            for path in ("/api/keys", "/api/audit", f"/api/orgs/{org['id']}/keys",
                         "/api/session", "/api/orgs"):
                body = client.get(path).body
                for sec in secrets_seen:
                    self.assertNotIn(sec, body, f"{path} leaks a secret")
                for key in keys:
                    self.assertNotIn(key[5:35], body, f"{path} leaks a key body")

        workdir = s.workdir
        self.assertEqual(s.stop(signal.SIGTERM), 0, s.log())
        log = s.log()
        for sec in secrets_seen + [unknown, s1[:-1]]:
            self.assertNotIn(sec, log, "a secret reached the server's log")
        for key in keys + [unknown]:
            self.assertNotIn(key[5:35], log, "a key body reached the server's log")
            self.assertNotIn(key[5:25], log, "part of a key reached the server's log")

        # The database: no key, password or session token; key digests only.
        if s.db.startswith("sqlite:"):  # the files themselves, WAL included
            files = [f for f in glob.glob(os.path.join(workdir, "accounts.db*"))
                     if os.path.isfile(f)]
            self.assertTrue(files)
            raw = b"".join(open(f, "rb").read() for f in files)
            conn = sqlite3.connect(os.path.join(workdir, "accounts.db"))
            try:
                dump = "\n".join(conn.iterdump())
            finally:
                conn.close()
        else:  # PostgreSQL: every row, as pg_dump sees it
            dump = subprocess.run(["pg_dump", "--data-only", "-d", s.db], capture_output=True,
                                  text=True, check=True, timeout=60).stdout
            raw = dump.encode()
        for sec in secrets_seen:
            self.assertNotIn(sec.encode(), raw, "a secret is stored in the database")
        for key in keys:
            self.assertNotIn(key[5:35].encode(), raw, "a key body is stored in the database")
        for sec in secrets_seen:
            self.assertNotIn(sec, dump)
        for key in keys:
            digest = hashlib.sha256(key.encode()).digest()
            # Stored as 64-character lower-case hex TEXT in both stores (see the migrations).
            self.assertIn(digest.hex(), dump, "each key's SHA-256 digest (of the 41 bytes) is stored")
        # A digest of each password is not what's stored either (argon2id only).
        for pw in (a.password, b.password):
            self.assertNotIn(hashlib.sha256(pw.encode()).hexdigest(), dump)


if __name__ == "__main__":
    unittest.main()
