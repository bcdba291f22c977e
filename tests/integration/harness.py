"""Test harness: starts the real 2501-accounts binary on port 0 and talks HTTP to it.

Each test class gets its own server and its own SQLite file in a temporary directory. The
server's stdout/stderr are captured so tests can assert that no secret ever reaches the log.

With TFZO_TEST_DB_URL (a postgresql:// URL) or TFZO_TEST_DB_URL_FILE (a file holding one, as
scripts/pg-test-cluster writes), servers use PostgreSQL instead: each working directory gets
its own fresh database on that server.
"""

import calendar
import email
import email.policy
import hashlib
import http.client
import http.server
import json
import os
import re
import secrets
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import unittest

import openapi_check

BIN_DIR = os.environ.get(
    "TFZO_BIN_DIR",
    os.path.join(os.path.dirname(__file__), "..", "..", "build", "bin"))
SERVER_BIN = os.path.join(BIN_DIR, "2501-accounts")
CLI_BIN = os.path.join(BIN_DIR, "2501")


def require_binary(path):
    """Fails (never skips) when a binary under test is missing: a suite must not pass by not
    running."""
    if not os.access(path, os.X_OK):
        raise AssertionError(f"{path} is missing or not executable: build it first (make build)")


def pg_server_url():
    """The PostgreSQL server the tests should use instead of SQLite, or None."""
    url = os.environ.get("TFZO_TEST_DB_URL")
    path = os.environ.get("TFZO_TEST_DB_URL_FILE")
    if not url and path:
        with open(path) as f:  # missing: the pg fixture did not start, and the test fails
            url = f.read().strip()
    return url or None


def psql(url, sql):
    """Runs one statement with psql; returns its unaligned output."""
    p = subprocess.run(["psql", "-X", "-q", "-t", "-A", "-v", "ON_ERROR_STOP=1", "-d", url,
                        "-c", sql], capture_output=True, text=True, timeout=60)
    if p.returncode != 0:
        raise RuntimeError(f"psql failed: {p.stderr.strip()}")
    return p.stdout.strip()


PG_TEST_CLUSTER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts",
                               "pg-test-cluster")


def pg_cluster(cmd, directory):
    """scripts/pg-test-cluster `cmd` (start, stop, restart, destroy) on a throwaway cluster in
    `directory`, for the tests that stop or freeze their own database; returns its output (the
    server URL for start)."""
    p = subprocess.run([PG_TEST_CLUSTER, cmd, directory], capture_output=True, text=True,
                       timeout=120)
    if p.returncode != 0:
        raise RuntimeError(f"pg-test-cluster {cmd} failed:\n{p.stdout}{p.stderr}")
    return p.stdout.strip()


def pg_database_url(server_url, name):
    """server_url with its database replaced by `name`, created if missing."""
    if not psql(server_url, f"SELECT 1 FROM pg_database WHERE datname = '{name}'"):
        psql(server_url, f"CREATE DATABASE {name}")
    base, _, rest = server_url.partition("://")
    hostpart, _, dbq = rest.partition("/")
    query = dbq.partition("?")[2]
    return f"{base}://{hostpart}/{name}" + (f"?{query}" if query else "")


def default_db(workdir):
    pg = pg_server_url()
    if pg:  # one database per working directory, so a restarted server finds its data
        return pg_database_url(pg, "tfzo_it_" + hashlib.sha1(workdir.encode()).hexdigest()[:16])
    return "sqlite:" + os.path.join(workdir, "accounts.db")


def run_sql(server, statement):
    """Runs one SQL statement on `server`'s store, SQLite or PostgreSQL, behind its back: the
    server's caches do not hear of it (tests use it to age rows, then make the server read
    them again)."""
    if server.db.startswith("sqlite:"):
        db = sqlite3.connect(server.db[len("sqlite:"):], timeout=10)
        try:
            with db:
                db.execute(statement)
        finally:
            db.close()
    else:
        psql(server.db, statement)


class Server:
    """One running 2501-accounts process."""

    def __init__(self, *extra_args, db=None, workdir=None, env=None, preexec_fn=None):
        self.workdir = workdir or tempfile.mkdtemp(prefix="tfzo-it-")
        self.db = db or default_db(self.workdir)
        self.extra_args = list(extra_args)
        self.env = env
        self.preexec_fn = preexec_fn  # run in the child before exec (e.g. to set an rlimit)
        self.proc = None
        self.log_lines = []
        self._reader = None
        self.host = None
        self.port = None
        self.scheme = "http"
        self.ssl_context = None  # for https: an ssl.SSLContext trusting the server's certificate

    def start(self, timeout=20):
        require_binary(SERVER_BIN)
        args = [SERVER_BIN, "serve", "--listen", "127.0.0.1:0", "--db", self.db] + self.extra_args
        if "--key-failure-limit" not in self.extra_args:
            # Every test client is 127.0.0.1: only test_throttling exercises the per-address
            # limit on unknown keys; elsewhere it would turn expected 401s into 429s.
            args += ["--key-failure-limit", "1000000"]
        if "--signup-address-limit" not in self.extra_args:
            # The same for sign-ups: a test class may sign up more accounts from 127.0.0.1
            # than the default allows per hour (tests/security/test_signin_limits.py lowers it).
            args += ["--signup-address-limit", "1000000"]
        env = dict(os.environ)
        env.update(self.env or {})
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     cwd=self.workdir, env=env, text=True,
                                     preexec_fn=self.preexec_fn)
        ready = threading.Event()

        def read():
            for line in self.proc.stdout:
                self.log_lines.append(line)
                m = re.match(r"listening on (https?)://([0-9.]+):(\d+)", line)
                if m and not ready.is_set():
                    self.scheme, self.host, self.port = m.group(1), m.group(2), int(m.group(3))
                    ready.set()

        self._reader = threading.Thread(target=read, daemon=True)
        self._reader.start()
        if not ready.wait(timeout):
            self.stop()
            raise RuntimeError("server did not start:\n" + "".join(self.log_lines))
        return self

    @property
    def url(self):
        return f"{self.scheme}://{self.host}:{self.port}"

    def log(self):
        return "".join(self.log_lines)

    def stop(self, sig=signal.SIGTERM, timeout=20):
        """Stops the server; returns its exit code."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            code = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            code = self.proc.wait()
        if self._reader:
            self._reader.join(5)
        self.proc = None
        return code

    def cleanup(self):
        self.stop()
        shutil.rmtree(self.workdir, ignore_errors=True)


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body

    def json(self):
        return json.loads(self.body) if self.body else None

    def header(self, name):
        return self.headers.get(name.lower())

    def __repr__(self):
        return f"<Response {self.status} {self.body[:300]!r}>"


class Client:
    """A tiny HTTP client: JSON bodies, a cookie jar for the console session, CSRF header.

    Every answer is checked against docs/openapi.yaml (see openapi_check): one the description
    does not allow fails the test that received it. A test talking to something other than
    2501-accounts sets `check_openapi = False`."""

    check_openapi = True

    def __init__(self, server, source_address=None, timeout=30):
        """`server` is anything with scheme, host, port (and ssl_context for https). `timeout`
        bounds each socket operation (a request to a hung server raises TimeoutError)."""
        self.server = server
        self.timeout = timeout
        self.cookies = {}
        self.csrf = None
        # Another loopback address to connect from ("127.0.0.2": Linux routes all of 127/8 to
        # lo), so a test can be a second client address.
        self.source = (source_address, 0) if source_address else None

    def request(self, method, path, body=None, headers=None, raw=None, bearer=None):
        if self.server.scheme == "https":
            conn = http.client.HTTPSConnection(self.server.host, self.server.port,
                                               timeout=self.timeout,
                                               context=self.server.ssl_context,
                                               source_address=self.source)
        else:
            conn = http.client.HTTPConnection(self.server.host, self.server.port,
                                              timeout=self.timeout, source_address=self.source)
        hdrs = {}
        data = None
        if raw is not None:
            data = raw if isinstance(raw, bytes) else raw.encode()
            hdrs["Content-Type"] = "application/json"
        elif body is not None:
            data = json.dumps(body).encode()
            hdrs["Content-Type"] = "application/json"
        if self.cookies:
            hdrs["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if self.csrf and method in ("POST", "PATCH", "DELETE", "PUT"):
            hdrs["X-CSRF-Token"] = self.csrf
        if bearer is not None:
            hdrs["Authorization"] = f"Bearer {bearer}"
        hdrs.update(headers or {})
        conn.request(method, path, body=data, headers=hdrs)
        r = conn.getresponse()
        body_bytes = r.read()
        headers_out = {}
        for k, v in r.getheaders():
            if k.lower() == "set-cookie":
                m = re.match(r"([^=]+)=([^;]*)", v)
                if m:
                    if m.group(2) == "" or "Max-Age=0" in v:
                        self.cookies.pop(m.group(1), None)
                    else:
                        self.cookies[m.group(1)] = m.group(2)
                headers_out.setdefault("set-cookie", []).append(v)
            else:
                headers_out[k.lower()] = v
        conn.close()
        text = body_bytes.decode("utf-8", "replace")
        if self.check_openapi:
            openapi_check.check_answer(method, path, r.status, headers_out, text)
        return Response(r.status, headers_out, text)

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, body=None, **kw):
        return self.request("POST", path, body=body, **kw)

    def patch(self, path, body=None, **kw):
        return self.request("PATCH", path, body=body, **kw)

    def delete(self, path, **kw):
        return self.request("DELETE", path, **kw)

    def signup(self, email=None, password=None, name="Test Person"):
        email = email or f"user-{secrets.token_hex(4)}@example.com"
        password = password or secrets.token_urlsafe(12)
        r = self.post("/api/signup", {"email": email, "password": password, "name": name})
        if r.status != 201:
            raise AssertionError(f"signup failed: {r}")
        self.csrf = r.json()["csrf_token"]
        self.email, self.password = email, password
        self.account = r.json()["account"]
        return r

    def login(self, email, password):
        r = self.post("/api/login", {"email": email, "password": password})
        if r.status == 200 and "csrf_token" in r.json():  # else a two-factor challenge
            self.csrf = r.json()["csrf_token"]
        return r


class ServerTestCase(unittest.TestCase):
    """A test class with one server for all its tests (started in setUpClass)."""

    server_args = ()

    @classmethod
    def setUpClass(cls):
        cls.server = Server(*cls.server_args).start()

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    def client(self):
        return Client(self.server)

    def new_account(self, name="Test Person"):
        c = self.client()
        c.signup(name=name)
        return c

    def assertError(self, response, status, code):
        self.assertEqual(response.status, status, response)
        body = response.json()
        self.assertIsInstance(body, dict, response)
        self.assertEqual(set(body.keys()), {"error"}, response)
        self.assertEqual(body["error"]["code"], code, response)
        self.assertIsInstance(body["error"]["message"], str)
        self.assertTrue(body["error"]["message"])


class TwoNodesTestCase(unittest.TestCase):
    """A test class with two server nodes, `a` and `b`, on one database of a throwaway
    PostgreSQL cluster of its own (scripts/pg-test-cluster), started in setUpClass, each with
    `node_args`."""

    node_args = ()

    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="tfzo-two-nodes-")
        server_url = pg_cluster("start", cls.dir)
        psql(server_url, "CREATE DATABASE tfzo_two_nodes")
        db = server_url.rsplit("/", 1)[0] + "/tfzo_two_nodes"
        cls.nodes = []
        try:
            for _ in range(2):
                cls.nodes.append(Server(*cls.node_args, db=db).start())
        except Exception:
            cls.tearDownClass()
            raise
        cls.a, cls.b = cls.nodes

    @classmethod
    def tearDownClass(cls):
        for n in cls.nodes:
            n.cleanup()
        try:
            pg_cluster("destroy", cls.dir)
        finally:
            shutil.rmtree(cls.dir, ignore_errors=True)


class RouteServer:
    """A stand-in HTTP server for the CLI's tests, for answers a real accounts server cannot be
    made to give on demand: each path gets a chosen (status, body, headers), any other `default`
    (a 404 unless given). Records every request's method, path and Authorization header."""

    NOT_FOUND = (404, '{"error":{"code":"not_found","message":"no such path"}}', {})

    def __init__(self, routes=None, default=NOT_FOUND):
        self.routes = dict(routes or {})
        self.requests = []
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def answer(self):
                server.requests.append((self.command, self.path,
                                        self.headers.get("Authorization")))
                status, body, headers = server.routes.get(self.path.split("?")[0], default)
                data = body.encode() if isinstance(body, str) else body
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for k, v in headers.items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_DELETE = answer

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def raw_request(server, data, timeout=5):
    """Sends raw bytes; returns what the server answers until it closes (or resets)."""
    with socket.create_connection((server.host, server.port), timeout=timeout) as s:
        s.sendall(data)
        chunks = []
        try:
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                chunks.append(chunk)
        except (socket.timeout, ConnectionResetError):
            pass
        return b"".join(chunks)


def health(server, timeout=30):
    """GET /healthz: (HTTP status, the body's "status": "ok", "degraded" or "unavailable")."""
    r = Client(server, timeout=timeout).get("/healthz")
    body = r.json() if r.body.startswith("{") else None
    return r.status, (body or {}).get("status")


def refused_after(client, secret, start, limit=5.0, poll=0.01):
    """Polls GET /api/v1/me every `poll` seconds until `secret` is refused (401); returns the
    delay since `start` (a time.monotonic() value), or None if still accepted after `limit`."""
    while time.monotonic() - start < limit:
        if client.get("/api/v1/me", bearer=secret).status == 401:
            return time.monotonic() - start
        time.sleep(poll)
    return None


def wait_until(predicate, timeout=10.0, interval=0.1):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    return predicate()


# --- API key and time helpers (docs/spec/KEYS.md), used by the test_api_* suites. -------------
BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
KEY_RE = re.compile(r"^tfzo_[0-9A-Za-z]{36}$")
TIME_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")


def base62(n, width=6):
    """n in base62 (docs/spec/KEYS.md alphabet), most significant digit first, left-padded with 0."""
    digits = ""
    while n:
        n, r = divmod(n, 62)
        digits = BASE62[r] + digits
    return digits.rjust(width, "0")


def key_from_body(body):
    """The key for a 30-character base62 body: prefix + body + base62(crc32(body))."""
    import zlib
    return "tfzo_" + body + base62(zlib.crc32(body.encode("ascii")))


def make_key():
    """A fresh, well-formed key (valid checksum) that no server knows."""
    return key_from_body("".join(secrets.choice(BASE62) for _ in range(30)))


def key_is_well_formed(key):
    return bool(KEY_RE.match(key)) and key_from_body(key[5:35]) == key


def rfc3339(t):
    """Unix time -> "2026-11-27T06:48:27Z" (whole seconds, UTC)."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(int(t)))


def parse_rfc3339(text):
    """"2026-11-27T06:48:27Z" -> Unix time. UTC throughout: no local time, so no daylight saving."""
    return calendar.timegm(time.strptime(text, "%Y-%m-%dT%H:%M:%SZ"))


def create_org(client, name=None):
    """POST /api/orgs as `client`; returns the org object."""
    r = client.post("/api/orgs", {"name": name or f"org-{secrets.token_hex(3)}"})
    if r.status != 201:
        raise AssertionError(f"create org failed: {r}")
    return r.json()["org"]


def create_key(client, name=None, **fields):
    """POST /api/keys as `client`; returns (key object, secret)."""
    body = {"name": name or f"key-{secrets.token_hex(3)}"}
    body.update(fields)
    r = client.post("/api/keys", body)
    if r.status != 201:
        raise AssertionError(f"create key failed: {r}")
    return r.json()["key"], r.json()["secret"]


# Debian's interpreter, which has python3-aiosmtpd, even when another python3 runs the tests.
SYSTEM_PYTHON = "/usr/bin/python3" if os.access("/usr/bin/python3", os.X_OK) else sys.executable


class SmtpSink:
    """A real SMTP server (smtp_sink.py, on aiosmtpd) in its own process. Stopping and starting
    it again keeps its port and what it received."""

    def __init__(self, directory=None):
        self.directory = directory or tempfile.mkdtemp(prefix="tfzo-smtp-")
        self.port = 0
        self.proc = None

    def start(self):
        script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "smtp_sink.py")
        self.proc = subprocess.Popen(
            [SYSTEM_PYTHON, script, "--dir", self.directory, "--port", str(self.port)],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        line = self.proc.stdout.readline()
        if not line.strip().isdigit():
            self.proc.kill()
            raise AssertionError("the SMTP server did not start (is python3-aiosmtpd installed?)")
        self.port = int(line)
        return self

    def stop(self):
        if self.proc:
            self.proc.terminate()
            self.proc.wait(timeout=10)
            self.proc = None

    def cleanup(self):
        self.stop()
        shutil.rmtree(self.directory, ignore_errors=True)

    @property
    def url(self):
        return f"smtp://127.0.0.1:{self.port}"

    def messages(self, to=None):
        """Every message received so far, oldest first, as email.message.EmailMessage (the
        envelope's recipients in its X-Sink-Rcpt headers); with `to`, only those sent to it."""
        out = []
        for name in sorted(n for n in os.listdir(self.directory) if n.endswith(".eml")):
            with open(os.path.join(self.directory, name), "rb") as f:
                message = email.message_from_binary_file(f, policy=email.policy.default)
            if to is None or to in message.get_all("X-Sink-Rcpt", []):
                out.append(message)
        return out

    def wait_for(self, to, count=1, timeout=15.0):
        """The messages sent to `to` once there are at least `count` of them."""
        found = []

        def arrived():
            found[:] = self.messages(to)
            return len(found) >= count

        if not wait_until(arrived, timeout=timeout, interval=0.05):
            raise AssertionError(f"{count} mail(s) to {to} expected, {len(found)} arrived")
        return found


def mail_text(message):
    """A received message's plain-text part."""
    return message.get_body(preferencelist=("plain",)).get_content()


def mail_link(message, fragment):
    """The first link in a message's text that contains `fragment` (e.g. "#/verify")."""
    match = re.search(r"https?://\S*" + re.escape(fragment) + r"\S*", mail_text(message))
    if not match:
        raise AssertionError(f"no link with {fragment!r} in the mail")
    return match.group(0)


# --- Mail a server wrote, verified addresses, joining organizations (issue 12). ---------------
# Without --smtp-url a server writes each mail as an .eml file into --outbox, by default
# data/outbox under its working directory; the helpers below read those (or an SmtpSink's).

def outbox_dir(server):
    return os.path.join(server.workdir, "data", "outbox")


def _mail_order(name):
    """An outbox file's name is <created, RFC 3339 without - and :>-<queue id>.eml."""
    stem = name[:-len(".eml")]
    when, _, mail_id = stem.rpartition("-")
    return (when, int(mail_id) if mail_id.isdigit() else 0, name)


def mails_in(directories, to=None):
    """Every .eml in `directories` (a path or a list), oldest first, as EmailMessage; with `to`,
    only those addressed to it (the To header, or an SmtpSink's X-Sink-Rcpt)."""
    if isinstance(directories, str):
        directories = [directories]
    found = []
    for d in directories:
        if not os.path.isdir(d):
            continue
        for name in os.listdir(d):
            if name.endswith(".eml"):
                found.append((_mail_order(name), os.path.join(d, name)))
    out = []
    for _, path in sorted(found):
        with open(path, "rb") as f:
            message = email.message_from_binary_file(f, policy=email.policy.default)
        rcpts = message.get_all("X-Sink-Rcpt", []) + [str(a.addr_spec) for a in
                                                      message["To"].addresses]
        if to is None or to.lower() in (r.lower() for r in rcpts):
            out.append(message)
    return out


def wait_for_mails(directories, to, count=1, timeout=15.0, subject=None):
    """The mails to `to` once there are at least `count` of them; with `subject`, only those whose
    Subject contains it are counted and returned (an earlier mail to the same address does not
    end the wait)."""
    found = []

    def arrived():
        found[:] = [m for m in mails_in(directories, to)
                    if subject is None or subject in str(m["Subject"])]
        return len(found) >= count

    if not wait_until(arrived, timeout=timeout, interval=0.05):
        what = f" with {subject!r} in the subject" if subject else ""
        raise AssertionError(f"{count} mail(s) to {to}{what} expected, {len(found)} arrived")
    return found


def wait_for_queued_mails(client, directories=None):
    """Returns once every mail the server queued before this call is in the outbox, so that a
    count or an absence checked afterwards is final: creates a key for `client`, whose "new API
    key" notice is queued after them, and waits for that notice. One node's MailSender sends one
    mail at a time, the oldest first, so the earlier ones are written by then."""
    directories = directories or outbox_dir(client.server)
    name = f"mail-barrier-{secrets.token_hex(4)}"  # names the notice: no older mail matches
    create_key(client, name=name)
    wait_for_mails(directories, client.email, subject=f'"{name}"')


def link_token(message, page):
    """The token of the link to `page` ("#/verify", "#/signup") in a mail's text."""
    url = mail_link(message, page)
    return re.search(r"[?&](?:token|claim)=([A-Za-z0-9_-]+)", url).group(1)


def verify_address(client, directories=None, address=None):
    """Follows the newest verification link mailed to `address` (the client's own by default),
    as a person would: POST /api/email/verify with its token. Returns the account."""
    address = address or client.email
    directories = directories or outbox_dir(client.server)
    links = [m for m in wait_for_mails(directories, address)
             if "#/verify?token=" in mail_text(m)]
    if not links:
        raise AssertionError(f"no verification link was mailed to {address}")
    r = Client(client.server).post("/api/email/verify",
                                   {"token": link_token(links[-1], "#/verify")})
    if r.status != 200:
        raise AssertionError(f"verifying {address} failed: {r}")
    client.verified = True
    if getattr(client, "account", None) and client.account["id"] == r.json()["account"]["id"]:
        client.account = r.json()["account"]
    return r.json()["account"]


def join(owner, org_id, member, role="member", directories=None):
    """Makes `member` a member of `org_id` as people join: `owner` invites its address and it
    accepts (both addresses verified first, if these clients have not done it). Returns the
    org as the accept answers it."""
    for c in (owner, member):
        if not getattr(c, "verified", False):
            verify_address(c, directories)
    r = owner.post(f"/api/orgs/{org_id}/invitations", {"email": member.email, "role": role})
    if r.status != 202:
        raise AssertionError(f"invitation failed: {r}")
    r = member.post(f"/api/invitations/{r.json()['invitation']['id']}/accept")
    if r.status != 200:
        raise AssertionError(f"accepting the invitation failed: {r}")
    return r.json()["org"]
