"""A person's own credentials (issue 13; docs/spec/API.md "Console: your credentials"): password
change and reset by mail through a real SMTP server (SmtpSink), sessions, their purge, and
account deletion, against the real server."""

import os
import sqlite3
import time
import unittest

from harness import (Client, Server, SmtpSink, create_key, create_org, join, link_token,
                     mail_link, mail_text, wait_until)

SESSION_FIELDS = {"id", "created_at", "last_seen_at", "ip", "user_agent", "current"}


class CredentialsTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.sink = SmtpSink().start()
        cls.server = Server("--smtp-url", cls.sink.url, "--session-purge-interval", "1").start()

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()
        cls.sink.cleanup()

    def client(self, user_agent=None):
        c = Client(self.server)
        if user_agent:
            original = c.request

            def request(method, path, headers=None, **kw):
                return original(method, path, headers={"User-Agent": user_agent,
                                                       **(headers or {})}, **kw)
            c.request = request
        return c

    def mail(self, to, fragment, after=0):
        """The newest mail to `to` whose text has `fragment`, among those after the first
        `after`."""
        found = wait_until(lambda: [m for m in self.sink.messages(to)[after:]
                                    if fragment in mail_text(m)], timeout=15)
        self.assertTrue(found, f"no mail to {to} with {fragment!r}")
        return found[-1]

    def assertError(self, response, status, code):
        self.assertEqual(response.status, status, response)
        self.assertEqual(response.json()["error"]["code"], code, response)

    def second_session(self, c, user_agent="Second/2.0"):
        other = self.client(user_agent)
        self.assertEqual(other.login(c.email, c.password).status, 200)
        other.email, other.password = c.email, c.password
        return other

    def test_change_password_ends_the_other_sessions_and_mails_a_notice(self):
        c = self.client()
        c.signup()
        other = self.second_session(c)
        self.assertEqual(other.get("/api/session").status, 200)
        before = len(self.sink.messages(c.email))
        r = c.post("/api/account/password", {"current_password": "wrong-password",
                                              "new_password": "a brand new one"})
        self.assertError(r, 401, "invalid_credentials")
        r = c.post("/api/account/password", {"current_password": c.password,
                                              "new_password": "short"})
        self.assertError(r, 400, "weak_password")
        r = c.post("/api/account/password", {"current_password": c.password,
                                              "new_password": "a brand new one"})
        self.assertEqual(r.status, 204, r)
        self.assertEqual(c.get("/api/session").status, 200)  # this one stays
        self.assertError(other.get("/api/session"), 401, "unauthenticated")
        notice = self.mail(c.email, "password was changed", before)
        self.assertIn("password was changed", notice["Subject"])
        self.assertTrue(mail_link(notice, "#/security").startswith(self.server.url))
        self.assertIn("127.0.0.1", mail_text(notice))
        self.assertError(self.client().login(c.email, c.password), 401, "invalid_credentials")
        self.assertEqual(self.client().login(c.email, "a brand new one").status, 200)
        actions = [e["action"] for e in c.get("/api/audit").json()["events"]]
        self.assertIn("account.password_changed", actions)

    def test_reset_by_mail_once_ends_sessions_and_clears_the_login_throttle(self):
        c = self.client()
        c.signup()
        old = self.second_session(c)
        # Someone locks the address out.
        for _ in range(5):
            self.assertError(self.client().login(c.email, "guess-guess"), 401,
                             "invalid_credentials")
        self.assertError(self.client().login(c.email, c.password), 429, "rate_limited")
        anon = self.client()
        r = anon.post("/api/password/forgot", {"email": c.email.upper()})
        self.assertEqual((r.status, r.json()), (202, {}), r)
        nobody = anon.post("/api/password/forgot", {"email": "nobody-here@example.com"})
        self.assertEqual((nobody.status, nobody.body), (r.status, r.body))
        mail = self.mail(c.email, "#/reset?token=")
        url = mail_link(mail, "#/reset?token=")
        self.assertTrue(url.startswith(self.server.url + "/#/reset?token="), url)
        token = link_token(mail, "#/reset")
        r = anon.post("/api/password/reset", {"token": token, "new_password": "set by a link"})
        self.assertEqual(r.status, 204, r)
        self.assertError(anon.post("/api/password/reset",
                                   {"token": token, "new_password": "set again"}),
                         400, "invalid_token")
        self.assertError(old.get("/api/session"), 401, "unauthenticated")
        self.assertError(c.get("/api/session"), 401, "unauthenticated")
        fresh = self.client()
        self.assertEqual(fresh.login(c.email, "set by a link").status, 200)  # unblocked
        self.assertTrue(self.mail(c.email, "was reset"))
        actions = [e["action"] for e in fresh.get("/api/audit").json()["events"]]
        self.assertIn("account.password_reset", actions)
        self.assertIn("account.password_reset_requested", actions)

    def test_sessions_are_listed_revoked_and_revoked_everywhere_else(self):
        c = self.client("First/1.0")
        c.signup()
        second = self.second_session(c, "Second/2.0")
        third = self.second_session(c, b"Third/3.0\xe2\x80\xae")  # U+202E, in UTF-8
        r = c.get("/api/sessions")
        self.assertEqual(r.status, 200, r)
        sessions = r.json()["sessions"]
        self.assertEqual(len(sessions), 3)
        for s in sessions:
            self.assertEqual(set(s), SESSION_FIELDS)
            self.assertEqual(s["ip"], "127.0.0.1")
            self.assertTrue(s["id"].startswith("ses_"))
            self.assertNotIn(s["id"], c.cookies.values())
        self.assertEqual([s["user_agent"] for s in sessions if s["current"]], ["First/1.0"])
        self.assertIn("Third/3.0???", [s["user_agent"] for s in sessions])  # sanitized
        by_agent = {s["user_agent"]: s["id"] for s in sessions}
        # Another account cannot end it.
        stranger = self.client()
        stranger.signup()
        self.assertError(stranger.delete(f"/api/sessions/{by_agent['Second/2.0']}"), 404,
                         "not_found")
        self.assertEqual(second.get("/api/session").status, 200)
        self.assertEqual(c.delete(f"/api/sessions/{by_agent['Second/2.0']}").status, 204)
        self.assertError(second.get("/api/session"), 401, "unauthenticated")
        self.assertEqual(third.get("/api/session").status, 200)
        self.assertEqual(c.post("/api/sessions/revoke-others").status, 204)
        self.assertError(third.get("/api/session"), 401, "unauthenticated")
        self.assertEqual([s["current"] for s in c.get("/api/sessions").json()["sessions"]],
                         [True])
        actions = [e["action"] for e in c.get("/api/audit").json()["events"]]
        self.assertIn("session.revoked", actions)
        self.assertIn("session.revoked_others", actions)

    def test_idle_sessions_are_purged(self):
        if not self.server.db.startswith("sqlite:"):
            self.skipTest("reads the SQLite file")
        c = self.client()
        c.signup()
        path = self.server.db[len("sqlite:"):]
        db = sqlite3.connect(path, timeout=10)
        try:
            stale = int(time.time()) - 13 * 3600  # idle for longer than the 12 hours
            with db:
                db.execute("INSERT INTO sessions (token_digest, account_id, csrf_token, "
                           "created_at, last_seen_at, id, ip, user_agent) VALUES "
                           "(?, ?, 'c', ?, ?, 'ses_stale', '', '')",
                           ("0" * 64, c.account["id"], stale, stale))
            count = lambda: db.execute("SELECT COUNT(*) FROM sessions WHERE id = 'ses_stale'"
                                       ).fetchone()[0]
            self.assertTrue(wait_until(lambda: count() == 0, timeout=10))
        finally:
            db.close()
        self.assertEqual(c.get("/api/session").status, 200)

    def test_deletion_revokes_keys_and_frees_the_address(self):
        c = self.client()
        c.signup()
        _, secret = create_key(c, "laptop")
        solo = create_org(c, "Solo")
        _, scoped = create_key(c, "scoped", org_id=solo["id"])
        other = self.second_session(c)
        anon = self.client()
        self.assertEqual(anon.get("/api/v1/me", bearer=secret).status, 200)
        self.assertError(c.delete("/api/account", body={"password": "not-it"}), 401,
                         "invalid_credentials")
        r = c.delete("/api/account", body={"password": c.password, "code": "000000"})
        self.assertEqual(r.status, 204, r)
        self.assertTrue(any("Max-Age=0" in v for v in r.headers["set-cookie"]))
        for key in (secret, scoped):
            r = anon.get("/api/v1/me", bearer=key)
            self.assertEqual(r.status, 401, r)
            self.assertIn(r.json()["error"]["code"], ("key_revoked", "key_invalid"))
        self.assertError(other.get("/api/session"), 401, "unauthenticated")
        self.assertError(self.client().login(c.email, c.password), 401, "invalid_credentials")
        self.assertTrue(self.mail(c.email, "was deleted"))
        again = self.client()
        again.signup(email=c.email)
        self.assertNotEqual(again.account["id"], c.account["id"])
        self.assertEqual(again.get("/api/orgs").json()["orgs"], [])
        # The organization it was alone in went with it: its handle is free again.
        self.assertEqual(again.post("/api/orgs", {"name": "Solo", "handle": solo["handle"]})
                         .status, 201)

    def test_the_last_owner_of_an_org_with_members_is_refused(self):
        owner = self.client()
        owner.signup()
        member = self.client()
        member.signup()
        org = create_org(owner, "Shared")
        join(owner, org["id"], member, directories=[self.sink.directory])
        _, secret = create_key(owner, "ci")
        r = owner.delete("/api/account", body={"password": owner.password})
        self.assertError(r, 409, "conflict")
        self.assertIn(org["handle"], r.json()["error"]["message"])
        self.assertEqual(self.client().get("/api/v1/me", bearer=secret).status, 200)
        # A member leaves; the org stays with its owner.
        self.assertEqual(member.delete("/api/account", body={"password": member.password})
                         .status, 204)
        members = owner.get(f"/api/orgs/{org['id']}/members").json()["members"]
        self.assertEqual([m["account_id"] for m in members], [owner.account["id"]])
        self.assertEqual(owner.delete("/api/account", body={"password": owner.password})
                         .status, 204)


if __name__ == "__main__":
    unittest.main()
