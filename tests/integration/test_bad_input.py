"""The bad-input matrix (issue 7, item 8): every endpoint of docs/spec/API.md gets invalid JSON, wrong
types, missing and extra fields, huge strings, control characters and unicode in names, bad,
negative and far-future times, and the ids of other accounts. Each must get docs/spec/API.md's error
(status, code, and for 400 invalid_request a message that starts with the field's name), and
the store must not change: the SQLite file is read (read-only, WAL) before and after every
input and compared table by table.

Prints the number of inputs sent (a figure for the issue's closing note).
"""

import os
import re
import secrets
import sqlite3
import sys
import tempfile
import time
import unittest

from harness import (Client, Server, ServerTestCase, create_key, create_org, join, make_key,
                     rfc3339)

BODY_LIMIT = 64 * 1024

KEY_RE = re.compile(r"tfzo_[0-9A-Za-z]{6,}")  # whole keys and cut-off ones

# Columns that legitimately move on a read: a session's idle clock and a key's batched
# last use. Everything else must stay byte for byte.
VOLATILE_COLUMNS = {("sessions", "last_seen_at"), ("key_uses", "last_used_at")} | {
    # The mail sender's progress on mails queued before (a mail a request queues is a new row).
    ("mail_outbox", c) for c in ("text", "html", "attempts", "next_attempt_at", "claimed_until",
                                 "sent_at", "failed_at", "last_error")}

# Values of the wrong JSON type for a string field.
WRONG_TYPES = [1, -1, 1.5, True, False, [], ["x"], {}, {"x": "y"}]

INVALID_JSON = [
    b"", b"{", b"}", b"not json", b'{"name": }', b'{"name": "x",}', b"{'name': 'x'}",
    b'{"name": "x"', b"[]", b'["name"]', b'"name"', b"null", b"true", b"42",
    b'{"name": "\xff\xfe"}',            # invalid UTF-8
    b'{"name": "\\ud800"}',             # a lone surrogate
    b'{"name": "x"} {"name": "y"}',     # two documents
    b"\x00", b'{"name": "x"}\x00',
    b"{" * 5000,                        # deep nesting
]

# Names that are not names: control characters (C0, DEL, C1), format characters (bidi,
# zero-width), NUL anywhere, empty.
BAD_NAMES = ["", "\u0000", "a\u0000b", "key\u0000", "\u0007bell", "tab\there", "new\nline",
             "cr\rhere", "\u001b[31mred", "del\u007f", "x" * 101, "\U0001F511" * 101,
             "\u00e9" * 101, "c1\u0085", "innocent\u202egnp.exe", "zero\u200bwidth",
             "\ufeffbom"]

BAD_TIMES = ["", "tomorrow", "2030-01-01", "2030-01-01T00:00:00", "2030-01-01 00:00:00Z",
             "2030-13-01T00:00:00Z", "2030-02-30T00:00:00Z", "2030-01-01T24:00:00Z",
             "2030-01-01T00:60:00Z", "10000-01-01T00:00:00Z", "+2030-01-01T00:00:00Z",
             "-2030-01-01T00:00:00Z", "2030-01-01T00:00:00+25:00", "1893456000",
             "2030-01-01T00:00:00Z\u0000", "\u0032\u0030\u0033\u0030-01-01T00:00:00Zjunk"]
# Well-formed times that are not in the future (negative Unix times included).
PAST_TIMES = ["1970-01-01T00:00:00Z", "1969-12-31T23:59:59Z", "0001-01-01T00:00:00Z",
              "2000-01-01T00:00:00Z", rfc3339(0)]
TIME_WRONG_TYPES = [1893456000, -1, 0, 1.5e300, -1e300, True, [], {}]

BAD_EMAILS = ["", "no-at-sign", "a@", "@example.com", "a@@example.com", "a b@example.com",
              "a@exam\u0000ple.com", "a\u0000@example.com", "a@example.com\n",
              "x" * 250 + "@example.com", "a@b", "ada@localhost", "ad\u202ea@example.com",
              "ada@ex\u0430mple.com"]

# The JSON error of docs/spec/API.md for each status it allows here.
CODES = {"invalid_request": 400, "weak_password": 400, "invalid_token": 400,
         "invalid_credentials": 401, "unauthenticated": 401,
         "key_malformed": 401, "key_invalid": 401, "key_revoked": 401, "forbidden": 403,
         "org_out_of_scope": 403, "not_found": 404, "conflict": 409, "email_taken": 409,
         "payload_too_large": 413, "method_not_allowed": 405, "cross_site_request": 403,
         "unsupported_media_type": 415, "two_factor_required": 403}


def snapshot(path):
    """Every row of every table of the SQLite file, read-only, minus the volatile columns
    and the audit rows of login attempts."""
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        out = {}
        tables = [r[0] for r in db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        for t in tables:
            cols = [r[1] for r in db.execute(f'PRAGMA table_info("{t}")')]
            keep = [c for c in cols if (t, c) not in VOLATILE_COLUMNS]
            sql = f'SELECT {", ".join(chr(34) + c + chr(34) for c in keep)} FROM "{t}"'
            if t == "audit_events":
                sql += " WHERE action NOT LIKE 'session.login%'"
            rows = sorted(db.execute(sql).fetchall(), key=repr)
            out[t] = (keep, rows)
        return out
    finally:
        db.close()


def redact(text):
    """Failure messages never show a key (docs/DESIGN.md: no secret in a test's output)."""
    return KEY_RE.sub("tfzo_[redacted]", text)


def describe_difference(before, after):
    lines = []
    for t in sorted(set(before) | set(after)):
        b = set(before.get(t, ((), []))[1])
        a = set(after.get(t, ((), []))[1])
        for row in sorted(a - b, key=repr):
            lines.append(redact(f"  {t}: + {row!r}"[:300]))
        for row in sorted(b - a, key=repr):
            lines.append(redact(f"  {t}: - {row!r}"[:300]))
    return "\n".join(lines)


INPUTS = {}  # test class -> bad inputs sent


def tearDownModule():
    print(f"\nbad-input matrix: {sum(INPUTS.values())} inputs "
          f"({', '.join(f'{k}: {v}' for k, v in INPUTS.items())}), each refused with "
          f"docs/spec/API.md's error, the store unchanged", file=sys.stderr)


class MatrixCase(ServerTestCase):
    """A server on a SQLite file (always SQLite: the snapshot reads the file) and the check
    of one bad input."""

    server_args = ()

    @classmethod
    def setUpClass(cls):
        cls.workdir = tempfile.mkdtemp(prefix="tfzo-badinput-")
        cls.db_path = os.path.join(cls.workdir, "accounts.db")
        cls.server = Server(*cls.server_args, db="sqlite:" + cls.db_path,
                            workdir=cls.workdir).start()
        INPUTS.setdefault(cls.__name__, 0)
        cls.a = Client(cls.server)
        cls.a.signup(name="Ada")
        cls.secrets = []

    def expect(self, method, path, status, code, field=None, body=None, raw=None,
               client=None, bearer=None, headers=None, csrf=True):
        """Sends one bad input; asserts docs/spec/API.md's error and an unchanged store."""
        client = client or self.a
        saved_csrf, saved_cookies = client.csrf, client.cookies
        if not csrf or bearer is not None:
            client.csrf = None
        if bearer is not None:
            client.cookies = {}  # the CLI paths: a key and nothing else
        before = snapshot(self.db_path)
        try:
            r = client.request(method, path, body=body, raw=raw, bearer=bearer,
                               headers=headers)
        finally:
            client.csrf, client.cookies = saved_csrf, saved_cookies
        INPUTS[type(self).__name__] += 1
        what = redact(f"{method} {path} {(raw if raw is not None else body)!r}"[:300])
        self.assertEqual(r.status, status, f"{what}\n-> {redact(repr(r))}")
        self.assertEqual(CODES.get(code), status, code)
        self.assertError(r, status, code)
        message = r.json()["error"]["message"]
        if field is not None:
            self.assertTrue(message.startswith(field + ":"),
                            f"{what}\n-> message should start with {field!r}: {message!r}")
        for secret in self.secrets:
            self.assertNotIn(secret, r.body)
        after = snapshot(self.db_path)
        self.assertEqual(after, before, f"{what}\n-> the store changed:\n"
                         + describe_difference(before, after))
        return r


class BadInputTest(MatrixCase):
    """Account A sends the bad inputs; account B owns the 'other account' objects."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        a, b = cls.a, Client(cls.server)
        b.signup(name="Bob")
        cls.b = b
        cls.org_a = create_org(a, "Org A")["id"]
        cls.org_b = create_org(b, "Org B")["id"]       # A is not in it
        cls.org_m = create_org(b, "Org M")["id"]       # A is a member, not an owner
        join(b, cls.org_m, a)  # both addresses verified on the way
        cls.key_a, cls.secret_a = create_key(a, "unscoped")
        cls.key_a_scoped, cls.secret_a_scoped = create_key(a, "scoped", org_id=cls.org_a)
        cls.key_a_revoked, _ = create_key(a, "revoked")
        assert a.post(f"/api/keys/{cls.key_a_revoked['id']}/revoke").status == 200
        cls.key_b, cls.secret_b = create_key(b, "b key", org_id=cls.org_b)
        cls.key_b_in_m, _ = create_key(b, "b key in M", org_id=cls.org_m)
        cls.host_a = cls._cli_create(a, cls.secret_a, cls.org_a, "hosts",
                                     {"name": "host-a", "address": "10.0.0.1"})["host"]
        cls.agent_a = cls._cli_create(a, cls.secret_a, cls.org_a, "agents",
                                      {"name": "agent-a", "host_id": cls.host_a["id"]})["agent"]
        cls.host_b = cls._cli_create(b, cls.secret_b, cls.org_b, "hosts",
                                     {"name": "host-b", "address": "10.0.0.2"})["host"]
        cls.agent_b = cls._cli_create(b, cls.secret_b, cls.org_b, "agents",
                                      {"name": "agent-b"})["agent"]
        cls.secrets = [cls.secret_a, cls.secret_a_scoped, cls.secret_b]

    @staticmethod
    def _cli_create(client, secret, org, kind, body):
        r = client.post(f"/api/v1/orgs/{org}/{kind}", body, bearer=secret)
        assert r.status == 201, r
        return r.json()

    def body_matrix(self, method, path, valid, required, text_limits=None, times=(),
                    client=None, bearer=None, empty_ok=False, name_min=1):
        """The generic part: invalid JSON, wrong types, missing and extra fields, huge
        strings (over the field limit, near the body limit, over it), names with control
        characters, bad and past times. `valid` is a body that would succeed."""
        text_limits = text_limits or {}
        kw = {"client": client, "bearer": bearer}
        for raw in INVALID_JSON:
            if raw == b"" and empty_ok:
                continue
            with self.subTest(raw=raw[:40]):
                self.expect(method, path, 400, "invalid_request", "body", raw=raw, **kw)
        for f in valid:
            for wrong in WRONG_TYPES:
                with self.subTest(field=f, value=wrong):
                    self.expect(method, path, 400, "invalid_request", f,
                                body={**valid, f: wrong}, **kw)
        for f in required:
            with self.subTest(missing=f):
                body = dict(valid)
                del body[f]
                self.expect(method, path, 400, "invalid_request", f, body=body, **kw)
                self.expect(method, path, 400, "invalid_request", f, body={**valid, f: None},
                            **kw)
        for extra in ["extra", "Name", "id", "account_id", "__proto__", "", "name ",
                      "\u0000", "secret"]:
            if extra in valid:
                continue
            with self.subTest(extra=extra):
                self.expect(method, path, 400, "invalid_request", extra or None,
                            body={**valid, extra: "x"}, **kw)
        for f, limit in text_limits.items():
            for value in [
                    "x" * (limit + 1),
                    "\u00e9" * (limit + 1),                    # 2-byte characters
                    "\U0001F511" * (limit + 1),                # 4-byte characters
                    "x" * (BODY_LIMIT - 200),                  # just under the body limit
            ]:
                with self.subTest(field=f, length=len(value)):
                    self.expect(method, path, 400, "invalid_request", f,
                                body={**valid, f: value}, **kw)
        for f in required or ["pad"]:
            with self.subTest(field=f, over_body_limit=True):
                self.expect(method, path, 413, "payload_too_large",
                            body={**valid, f: "x" * (BODY_LIMIT + 10)}, **kw)
        for f in ("name",):
            if f not in valid:
                continue
            for bad in BAD_NAMES:
                if bad == "" and name_min == 0:
                    continue
                with self.subTest(name=bad[:20]):
                    self.expect(method, path, 400, "invalid_request", f,
                                body={**valid, f: bad}, **kw)
        for f in times:
            for bad in BAD_TIMES + PAST_TIMES:
                with self.subTest(field=f, time=bad):
                    self.expect(method, path, 400, "invalid_request", f,
                                body={**valid, f: bad}, **kw)
            for wrong in TIME_WRONG_TYPES:
                with self.subTest(field=f, time=wrong):
                    self.expect(method, path, 400, "invalid_request", f,
                                body={**valid, f: wrong}, **kw)

    # --- console: account and session -------------------------------------------------

    def test_signup(self):
        anon = Client(self.server)
        valid = {"email": f"new-{secrets.token_hex(4)}@example.com",
                 "password": "correct horse battery", "name": "New"}
        self.body_matrix("POST", "/api/signup", valid, ["email", "password"],
                         text_limits={"name": 100}, client=anon, name_min=0)
        for email in BAD_EMAILS:
            with self.subTest(email=email[:30]):
                self.expect("POST", "/api/signup", 400, "invalid_request", "email",
                            body={**valid, "email": email}, client=anon)
        for password in ["", "short", "1234567", "x" * 1025]:
            with self.subTest(password_length=len(password)):
                self.expect("POST", "/api/signup", 400, "weak_password",
                            body={**valid, "password": password}, client=anon)
        # An email that is taken, in another case: 409, nothing created.
        self.expect("POST", "/api/signup", 409, "email_taken",
                    body={**valid, "email": self.b.email.upper()}, client=anon)

    def test_login(self):
        anon = Client(self.server)
        valid = {"email": self.a.email, "password": self.a.password}
        self.body_matrix("POST", "/api/login", valid, ["email", "password"], client=anon)

    def test_audit_query(self):
        for q in ["limit=0", "limit=-1", "limit=201", "limit=abc", "limit=", "limit=1e3",
                  "limit=99999999999999999999", "limit=%00", "limit=1%00", "limit=5%00x",
                  "limit=0x10", "limit=1.0", "limit=%E2%91%A0"]:
            with self.subTest(query=q):
                self.expect("GET", "/api/audit?" + q, 400, "invalid_request", "limit")

    # --- console: organizations -------------------------------------------------------

    def test_create_org(self):
        self.body_matrix("POST", "/api/orgs", {"name": "New org"}, ["name"],
                         text_limits={"name": 100})

    def test_invitations(self):
        path = f"/api/orgs/{self.org_a}/invitations"
        valid = {"email": "invitee-" + secrets.token_hex(4) + "@example.com", "role": "member"}
        self.body_matrix("POST", path, valid, ["email", "role"])
        for email in BAD_EMAILS:
            with self.subTest(email=email[:30]):
                self.expect("POST", path, 400, "invalid_request", "email",
                            body={**valid, "email": email})
        for role in ["", "admin", "Owner", "OWNER", "owner\u0000", " member", "members"]:
            with self.subTest(role=role):
                self.expect("POST", path, 400, "invalid_request", "role",
                            body={**valid, "role": role})
        # A member's address: refused, nothing sent.
        self.expect("POST", path, 409, "conflict", "email", body={**valid, "email": self.a.email})
        # Orgs of other accounts: not a member (B's org), or a member but not an owner.
        for org in (self.org_b, self.org_m):
            with self.subTest(org=org):
                self.expect("POST", f"/api/orgs/{org}/invitations", 403, "forbidden", body=valid)
                self.expect("GET", f"/api/orgs/{org}/invitations", 403, "forbidden")
                self.expect("DELETE", f"/api/orgs/{org}/invitations/inv_x", 403, "forbidden")
                self.expect("DELETE", f"/api/orgs/{org}/members/{self.b.account['id']}",
                            403, "forbidden")
        self.expect("GET", f"/api/orgs/{self.org_b}/members", 403, "forbidden")
        # An org that does not exist: the same 403 as another's org, so ids cannot be probed.
        for org in ("org_doesnotexist", "..", "%00", "x" * 2000):
            with self.subTest(unknown_org=org[:20]):
                self.expect("GET", f"/api/orgs/{org}/members", 403, "forbidden")
                self.expect("POST", f"/api/orgs/{org}/invitations", 403, "forbidden", body=valid)
        # Invitations that are not there, or not to A's address.
        self.expect("DELETE", f"{path}/inv_doesnotexist", 404, "not_found")
        for action in ("accept", "decline"):
            for inv in ("inv_doesnotexist", "..", "x" * 2000):
                with self.subTest(action=action, invitation=inv[:20]):
                    self.expect("POST", f"/api/invitations/{inv}/{action}", 404, "not_found")
        # No direct add; removing someone who is not a member; the last owner leaving.
        self.expect("POST", f"/api/orgs/{self.org_a}/members", 405, "method_not_allowed",
                    body={"email": self.b.email, "role": "member"})
        self.expect("DELETE", f"/api/orgs/{self.org_a}/members/{self.b.account['id']}",
                    404, "not_found")
        self.expect("DELETE", f"/api/orgs/{self.org_a}/members/acc_doesnotexist",
                    404, "not_found")
        self.expect("DELETE", f"/api/orgs/{self.org_a}/members/{self.a.account['id']}",
                    409, "conflict")

    def test_email_verification(self):
        anon = Client(self.server)
        self.body_matrix("POST", "/api/email/verify", {"token": "A" * 43}, ["token"],
                         client=anon)
        for token in ["", "A" * 42, "A" * 44, "A" * 42 + "=", "A" * 42 + "\u0000", "x" * 5000]:
            with self.subTest(token=token[:20]):
                self.expect("POST", "/api/email/verify", 400, "invalid_token", "token",
                            body={"token": token}, client=anon)
        # A is verified: nothing to resend.
        self.expect("POST", "/api/email/verify/resend", 409, "conflict", "email")
        valid = {"email": "moved-" + secrets.token_hex(4) + "@example.com",
                 "password": self.a.password}
        self.body_matrix("PATCH", "/api/account", valid, ["email", "password"])
        for email in BAD_EMAILS:
            with self.subTest(email=email[:30]):
                self.expect("PATCH", "/api/account", 400, "invalid_request", "email",
                            body={**valid, "email": email})
        self.expect("PATCH", "/api/account", 409, "email_taken", "email",
                    body={**valid, "email": self.b.email.upper()})
        self.expect("PATCH", "/api/account", 401, "invalid_credentials", "password",
                    body={**valid, "password": "not-the-password"})

    def test_credentials(self):
        """Password change and reset, sessions, account deletion (issue 13)."""
        anon = Client(self.server)
        path = "/api/account/password"
        valid = {"current_password": self.a.password, "new_password": "a new password 1"}
        self.body_matrix("POST", path, valid, ["current_password", "new_password"])
        for password in ["", "short", "x" * 1025]:
            with self.subTest(new_password_length=len(password)):
                self.expect("POST", path, 400, "weak_password", "new_password",
                            body={**valid, "new_password": password})
        self.expect("POST", path, 401, "invalid_credentials", "current_password",
                    body={**valid, "current_password": "not-the-password"})
        self.body_matrix("POST", "/api/password/forgot", {"email": "x@example.com"}, ["email"],
                         client=anon)
        self.expect("POST", "/api/password/forgot", 400, "invalid_request", "email",
                    body={"email": "x" * 250 + "@example.com"}, client=anon)
        valid = {"token": "A" * 43, "new_password": "a new password 1"}
        self.body_matrix("POST", "/api/password/reset", valid, ["token", "new_password"],
                         client=anon)
        for token in ["", "A" * 43, "x" * 5000]:
            with self.subTest(token=token[:20]):
                self.expect("POST", "/api/password/reset", 400, "invalid_token", "token",
                            body={**valid, "token": token}, client=anon)
        self.expect("POST", "/api/password/reset", 400, "weak_password", "new_password",
                    body={**valid, "new_password": "short"}, client=anon)
        b_session = self.b.get("/api/sessions").json()["sessions"][0]["id"]
        for session in ("ses_doesnotexist", b_session, b_session.upper()):
            with self.subTest(session=session):
                self.expect("DELETE", f"/api/sessions/{session}", 404, "not_found")
        valid = {"password": self.a.password, "code": "123456"}
        self.body_matrix("DELETE", "/api/account", valid, ["password"])
        self.expect("DELETE", "/api/account", 401, "invalid_credentials", "password",
                    body={"password": "not-the-password"})
        # B is the only owner of Org M, where A is a member.
        self.expect("DELETE", "/api/account", 409, "conflict", "account",
                    body={"password": self.b.password}, client=self.b)

    def test_org_keys(self):
        for org in (self.org_b, self.org_m):
            with self.subTest(org=org):
                self.expect("GET", f"/api/orgs/{org}/keys", 403, "forbidden")
                self.expect("POST", f"/api/orgs/{org}/keys/{self.key_b['id']}/revoke",
                            403, "forbidden")
        # Own org, but a key that is not scoped to it: A's unscoped key, B's keys.
        for key in (self.key_a["id"], self.key_b["id"], self.key_b_in_m["id"],
                    "key_doesnotexist"):
            with self.subTest(key=key):
                self.expect("POST", f"/api/orgs/{self.org_a}/keys/{key}/revoke",
                            404, "not_found")

    # --- console: API keys ------------------------------------------------------------

    def test_create_key(self):
        valid = {"name": "ci", "description": "line 1\nline 2",
                 "expires_at": rfc3339(4102444800), "org_id": self.org_a}
        self.body_matrix("POST", "/api/keys", valid, ["name"],
                         text_limits={"name": 100, "description": 500}, times=["expires_at"])
        for org in (self.org_b, "org_doesnotexist", ""):
            with self.subTest(org_id=org):
                self.expect("POST", "/api/keys", 403, "forbidden", "org_id",
                            body={**valid, "org_id": org})
        for desc in ["\u0000", "a\u0000b", "bell\u0007", "esc\u001b[0m", "del\u007f"]:
            with self.subTest(description=desc):
                self.expect("POST", "/api/keys", 400, "invalid_request", "description",
                            body={**valid, "description": desc})

    def test_update_key(self):
        path = f"/api/keys/{self.key_a['id']}"
        valid = {"name": "renamed", "description": "new"}
        self.body_matrix("PATCH", path, valid, [],
                         text_limits={"name": 100, "description": 500})
        for key in (self.key_b["id"], self.key_b_in_m["id"], "key_doesnotexist"):
            with self.subTest(key=key):
                self.expect("PATCH", f"/api/keys/{key}", 404, "not_found", body=valid)

    def test_rotate_key(self):
        path = f"/api/keys/{self.key_a['id']}/rotate"
        valid = {"expires_at": rfc3339(4102444800)}
        self.body_matrix("POST", path, valid, [], times=["expires_at"], empty_ok=True)
        for key in (self.key_b["id"], self.key_b_in_m["id"], "key_doesnotexist"):
            with self.subTest(key=key):
                self.expect("POST", f"/api/keys/{key}/rotate", 404, "not_found", body=valid)
        self.expect("POST", f"/api/keys/{self.key_a_revoked['id']}/rotate", 409, "conflict",
                    body=valid)

    def test_revoke_key(self):
        for key in (self.key_b["id"], self.key_b_in_m["id"], "key_doesnotexist",
                    self.key_b["id"].upper()):
            with self.subTest(key=key):
                self.expect("POST", f"/api/keys/{key}/revoke", 404, "not_found")

    # --- console: service accounts ----------------------------------------------------

    def test_service_accounts(self):
        def made(client, org, path="", body=None):
            r = client.post(f"/api/orgs/{org}/service-accounts{path}", body or {"name": "ci"})
            assert r.status == 201, r
            return r.json()
        sa_a = made(self.a, self.org_a)["service_account"]
        sa_b = made(self.b, self.org_b)["service_account"]
        sa_m = made(self.b, self.org_m)["service_account"]
        key_a = made(self.a, self.org_a, f"/{sa_a['id']}/keys")["key"]
        key_b = made(self.b, self.org_b, f"/{sa_b['id']}/keys")["key"]
        base = f"/api/orgs/{self.org_a}/service-accounts"
        self.body_matrix("POST", base, {"name": "deploy", "description": "line 1\nline 2"},
                         ["name"], text_limits={"name": 100, "description": 500})
        keys = f"{base}/{sa_a['id']}/keys"
        valid = {"name": "ci", "description": "d", "expires_at": rfc3339(4102444800)}
        self.body_matrix("POST", keys, valid, ["name"],
                         text_limits={"name": 100, "description": 500}, times=["expires_at"])
        self.expect("POST", keys, 400, "invalid_request", "org_id",
                    body={**valid, "org_id": self.org_a})
        self.body_matrix("POST", f"{keys}/{key_a['id']}/rotate",
                         {"expires_at": rfc3339(4102444800)}, [], times=["expires_at"],
                         empty_ok=True)
        # Not an owner (B's org, and M where A is a member), or no such org: 403.
        for org, sa in ((self.org_b, sa_b), (self.org_m, sa_m), ("org_doesnotexist", sa_b)):
            other = f"/api/orgs/{org}/service-accounts"
            with self.subTest(org=org):
                self.expect("GET", other, 403, "forbidden")
                self.expect("POST", other, 403, "forbidden", body={"name": "x"})
                self.expect("DELETE", f"{other}/{sa['id']}", 403, "forbidden")
                self.expect("GET", f"{other}/{sa['id']}/keys", 403, "forbidden")
                self.expect("POST", f"{other}/{sa['id']}/keys", 403, "forbidden",
                            body={"name": "x"})
                self.expect("POST", f"{other}/{sa['id']}/keys/{key_b['id']}/revoke", 403,
                            "forbidden")
        # Own org, but another org's service account, or a key that is not this one's.
        for sa in (sa_b["id"], sa_m["id"], "sa_doesnotexist", sa_a["id"].upper()):
            with self.subTest(sa=sa):
                self.expect("DELETE", f"{base}/{sa}", 404, "not_found")
                self.expect("GET", f"{base}/{sa}/keys", 404, "not_found")
                self.expect("POST", f"{base}/{sa}/keys", 404, "not_found", body={"name": "x"})
        for key in (key_b["id"], self.key_a["id"], self.key_a_scoped["id"], "key_doesnotexist"):
            with self.subTest(key=key):
                self.expect("POST", f"{keys}/{key}/rotate", 404, "not_found")
                self.expect("POST", f"{keys}/{key}/revoke", 404, "not_found")

    # --- CLI API ----------------------------------------------------------------------

    def test_cli_keys_and_scope(self):
        # A handful of bad keys (not many: the per-address limit of unknown keys is not
        # what this test is about).
        well_formed_unknown = make_key()
        for value, code in [("tfzo_short", "key_malformed"),
                            ("tfzo_0000000000000000000000000000002C8GjT", "key_malformed"),
                            (self.secret_a + "x", "key_malformed"),
                            (well_formed_unknown, "key_invalid")]:
            with self.subTest(key=value[:12]):
                self.expect("GET", "/api/v1/me", 401, code, bearer=value)
        # Orgs A is not in; the scoped key on another of A's orgs.
        for kind in ("agents", "hosts"):
            for method, suffix, body in [("GET", "", None),
                                         ("POST", "", {"name": "x", "address": "10.0.0.3"}),
                                         ("GET", "/anything", None),
                                         ("DELETE", "/anything", None)]:
                if kind == "agents" and body:
                    body = {"name": "x"}
                with self.subTest(kind=kind, method=method):
                    self.expect(method, f"/api/v1/orgs/{self.org_b}/{kind}{suffix}", 403,
                                "forbidden", body=body, bearer=self.secret_a)
                    self.expect(method, f"/api/v1/orgs/{self.org_m}/{kind}{suffix}", 403,
                                "org_out_of_scope", body=body, bearer=self.secret_a_scoped)
        # Objects of another org under one's own org id.
        for kind, obj in (("agents", self.agent_b), ("hosts", self.host_b)):
            for method in ("GET", "DELETE"):
                with self.subTest(kind=kind, method=method):
                    self.expect(method, f"/api/v1/orgs/{self.org_a}/{kind}/{obj['id']}", 404,
                                "not_found", bearer=self.secret_a)

    def test_create_agent(self):
        path = f"/api/v1/orgs/{self.org_a}/agents"
        valid = {"name": "agent-2", "host_id": self.host_a["id"]}
        self.body_matrix("POST", path, valid, ["name"], text_limits={"name": 100},
                         bearer=self.secret_a)
        for host in (self.host_b["id"], "host_doesnotexist", ""):
            with self.subTest(host_id=host):
                self.expect("POST", path, 400, "invalid_request", "host_id",
                            body={**valid, "host_id": host}, bearer=self.secret_a)

    def test_create_host(self):
        path = f"/api/v1/orgs/{self.org_a}/hosts"
        valid = {"name": "db", "address": "10.0.0.9"}
        self.body_matrix("POST", path, valid, ["name", "address"],
                         text_limits={"name": 100, "address": 255}, bearer=self.secret_a)
        for address in ["", "\u0000", "10.0.0.1\u0000", "a\nb"]:
            with self.subTest(address=address):
                self.expect("POST", path, 400, "invalid_request", "address",
                            body={**valid, "address": address}, bearer=self.secret_a)

    def test_verify(self):
        anon = Client(self.server)
        valid = {"key": self.secret_a, "org_id": self.org_a}
        self.body_matrix("POST", "/api/v1/keys/verify", valid, ["key"], client=anon)


class BadInputMaxLifetimeTest(MatrixCase):
    """Far-future expirations, refused by a server started with --max-key-lifetime 30."""

    server_args = ("--max-key-lifetime", "30")

    def test_far_future(self):
        key, secret = create_key(self.a, "short-lived", expires_at=rfc3339(time.time() + 86400))
        self.secrets = [secret]
        for t in [time.time() + 31 * 86400, time.time() + 100 * 365 * 86400,
                  253402300799]:  # 9999-12-31T23:59:59Z
            with self.subTest(expires_at=rfc3339(t)):
                self.expect("POST", "/api/keys", 400, "invalid_request", "expires_at",
                            body={"name": "x", "expires_at": rfc3339(t)})
                self.expect("POST", f"/api/keys/{key['id']}/rotate", 400,
                            "invalid_request", "expires_at", body={"expires_at": rfc3339(t)})
        # "never" is refused too.
        self.expect("POST", "/api/keys", 400, "invalid_request", "expires_at",
                    body={"name": "x"})
        self.expect("POST", "/api/keys", 400, "invalid_request", "expires_at",
                    body={"name": "x", "expires_at": None})
        self.expect("POST", f"/api/keys/{key['id']}/rotate", 400, "invalid_request",
                    "expires_at", body={"expires_at": None})


if __name__ == "__main__":
    unittest.main()
