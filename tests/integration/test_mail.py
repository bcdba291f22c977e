"""Outbound mail (issue 12, items 1 and 5), with the real server and a real SMTP server
(harness.SmtpSink, on Debian's aiosmtpd).

- A key created: its owner gets one mail with a text and an HTML part, naming the key, with
  the link to the console's keys page and never the key's value.
- No --smtp-url: every message is an .eml file in the outbox directory, and the log names it.
- The queue loses nothing: with the SMTP server stopped while mails are queued and the
  accounts server killed with SIGKILL, both restarted, every mail arrives, none twice.
- Expiry notices: 7 days and 1 day before, once each, also with two nodes on one PostgreSQL
  running the job every second (--expiry-notice-interval, a flag for tests); the same two
  nodes deliver every mail exactly once.

The expiry job skips keys whose expiration was set inside the window (the console's 7-day
preset), so the tests date their keys' creation 30 days back in the database.
"""

import email
import email.policy
import os
import shutil
import signal
import sqlite3
import stat
import tempfile
import time
import unittest

from harness import (Client, Server, SmtpSink, create_key, mail_text, pg_cluster,
                     pg_database_url, pg_server_url, psql, rfc3339, wait_until)

DAY = 86400


def sqlite_server(*args, workdir=None, db=None):
    """A server on a SQLite file of its own, whatever database the environment offers."""
    workdir = workdir or tempfile.mkdtemp(prefix="tfzo-mail-")
    return Server(*args, workdir=workdir,
                  db=db or "sqlite:" + os.path.join(workdir, "accounts.db"))


def html_part(message):
    return message.get_body(preferencelist=("html",)).get_content()


def subjects(messages, about):
    return sorted(m["Subject"] for m in messages if about in m["Subject"])


def wait_for_mails(sink, to, about, count, timeout=15.0):
    """The messages to `to` whose subject contains `about` (other mails, such as a sign-up's,
    are left aside), once there are at least `count`."""
    found = []

    def arrived():
        found[:] = [m for m in sink.messages(to) if about in m["Subject"]]
        return len(found) >= count

    if not wait_until(arrived, timeout=timeout, interval=0.05):
        raise AssertionError(f"{count} mail(s) about {about!r} to {to} expected, {len(found)}")
    return found


class KeyMailTest(unittest.TestCase):
    """One server sending through the SMTP sink; its expiry job runs every second."""

    @classmethod
    def setUpClass(cls):
        cls.sink = SmtpSink().start()
        cls.server = sqlite_server("--smtp-url", cls.sink.url,
                                   "--expiry-notice-interval", "1").start()

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()
        cls.sink.cleanup()

    def test_a_created_key_is_mailed_to_its_owner_with_both_parts_and_no_secret(self):
        ada = Client(self.server)
        ada.signup(email="ada.created@example.com")
        key, secret = create_key(ada, name="deploy-bot")
        [message] = wait_for_mails(self.sink, "ada.created@example.com", "was created", 1)
        self.assertEqual(message["To"], "ada.created@example.com")
        self.assertEqual(message.get_all("X-Sink-Rcpt"), ["ada.created@example.com"])
        self.assertEqual(message["Subject"],
                         'A new API key "deploy-bot" was created on your 2501 account')
        self.assertEqual(message["From"].addresses[0].addr_spec, "accounts@[127.0.0.1]")
        self.assertEqual(message.get_content_type(), "multipart/alternative")
        self.assertEqual([p.get_content_type() for p in message.iter_parts()],
                         ["text/plain", "text/html"])
        text, html = mail_text(message), html_part(message)
        for part in (text, html):
            self.assertIn("deploy-bot", part)
            self.assertIn(key["hint"], part)
            self.assertIn(key["created_at"], part)
            self.assertIn("127.0.0.1", part)  # from which address
        self.assertIn(f"{self.server.url}/#/keys", text)
        self.assertIn(f'href="{self.server.url}/#/keys"', html)
        self.assertNotIn(secret, message.as_string())
        self.assertNotIn(secret[5:], message.as_string())
        self.assertNotIn(secret, self.server.log())

        # Sent: the outbox row keeps neither the text nor the HTML.
        db = sqlite3.connect(os.path.join(self.server.workdir, "accounts.db"))
        try:
            self.assertTrue(wait_until(lambda: db.execute(
                "SELECT COUNT(*) FROM mail_outbox WHERE sent_at IS NULL").fetchone()[0] == 0))
            self.assertEqual(db.execute(
                "SELECT COUNT(*) FROM mail_outbox WHERE text <> '' OR html <> ''").fetchone()[0],
                0)
        finally:
            db.close()

    def test_expiry_notices_seven_days_and_one_day_before_once_each(self):
        eve = Client(self.server)
        eve.signup(email="eve.expiry@example.com")
        now = time.time()
        week, _ = create_key(eve, name="in-3-days", expires_at=rfc3339(now + 3 * DAY))
        day, _ = create_key(eve, name="in-12-hours", expires_at=rfc3339(now + DAY / 2))
        later, _ = create_key(eve, name="in-30-days", expires_at=rfc3339(now + 30 * DAY))
        # Set that close at creation, they get no notice...
        wait_for_mails(self.sink, "eve.expiry@example.com", "was created", 3)
        time.sleep(2.5)
        self.assertEqual(subjects(self.sink.messages("eve.expiry@example.com"), "expires"), [])
        # ...until they were created a month ago.
        db = sqlite3.connect(os.path.join(self.server.workdir, "accounts.db"), timeout=10)
        try:
            with db:
                db.executemany("UPDATE api_keys SET created_at = created_at - ? WHERE id = ?",
                               [(30 * DAY, k["id"]) for k in (week, day, later)])
        finally:
            db.close()
        expected = ['Your API key "in-12-hours" expires in 1 day',
                    'Your API key "in-3-days" expires in 3 days']
        self.assertTrue(wait_until(lambda: subjects(
            self.sink.messages("eve.expiry@example.com"), "expires") == expected, timeout=15),
            subjects(self.sink.messages("eve.expiry@example.com"), "expires"))
        time.sleep(3)  # three more runs of the job
        messages = self.sink.messages("eve.expiry@example.com")
        self.assertEqual(subjects(messages, "expires"), expected)
        notice = next(m for m in messages if "in-3-days" in m["Subject"])
        self.assertIn(week["expires_at"], mail_text(notice))
        self.assertIn(week["hint"], mail_text(notice))
        self.assertIn(f"{self.server.url}/#/keys", mail_text(notice))


def outbox_messages(directory):
    """(path, message) of every .eml file in `directory`, oldest first."""
    out = []
    for name in sorted(os.listdir(directory)):
        if name.endswith(".eml"):
            path = os.path.join(directory, name)
            with open(path, "rb") as f:
                out.append((path, email.message_from_binary_file(f, policy=email.policy.default)))
    return out


class OutboxTest(unittest.TestCase):
    """No --smtp-url (the `make run` default): messages are .eml files in --outbox."""

    def test_messages_are_eml_files_in_the_outbox_and_the_log_names_them(self):
        server = sqlite_server().start()
        try:
            self.assertTrue(wait_until(
                lambda: "(no --smtp-url: each message is an .eml file there)" in server.log()))
            ada = Client(server)
            ada.signup(email="ada.outbox@example.com")
            _, secret = create_key(ada, name="laptop")
            outbox = os.path.join(server.workdir, "data", "outbox")

            def key_mails():
                return [(path, m) for path, m in outbox_messages(outbox)
                        if "laptop" in m["Subject"]]

            [(path, message)] = wait_until(key_mails)
            self.assertEqual(stat.S_IMODE(os.stat(path).st_mode), 0o600)
            self.assertEqual(stat.S_IMODE(os.stat(outbox).st_mode), 0o700)
            self.assertEqual(message["To"], "ada.outbox@example.com")
            self.assertEqual([p.get_content_type() for p in message.iter_parts()],
                             ["text/plain", "text/html"])
            self.assertIn(f"{server.url}/#/keys", mail_text(message))
            self.assertNotIn(secret, message.as_string())
            self.assertTrue(wait_until(lambda: f"mail written to {path}" in server.log()))
            self.assertNotIn(message["Subject"], server.log())  # the path, never the contents
        finally:
            server.cleanup()

    def test_outbox_flag_chooses_the_directory(self):
        workdir = tempfile.mkdtemp(prefix="tfzo-mail-")
        outbox = os.path.join(workdir, "elsewhere", "mail")
        server = sqlite_server("--outbox", outbox, workdir=workdir).start()
        try:
            create_key(self.signed_up(server))
            self.assertTrue(wait_until(lambda: os.path.isdir(outbox) and os.listdir(outbox)))
            self.assertFalse(os.path.exists(os.path.join(workdir, "data", "outbox")))
        finally:
            server.cleanup()

    @staticmethod
    def signed_up(server):
        c = Client(server)
        c.signup()
        return c


class DurabilityTest(unittest.TestCase):
    """The issue's "must show": the SMTP server stopped while mails are queued, the accounts
    server killed with SIGKILL, both restarted: every queued mail arrives, none twice."""

    def test_queued_mails_survive_a_dead_smtp_server_and_sigkill(self):
        sink = SmtpSink().start()
        server = sqlite_server("--smtp-url", sink.url).start()
        try:
            ada = Client(server)
            ada.signup(email="ada.durable@example.com")
            for i in range(3):
                create_key(ada, name=f"before-{i}")
            wait_for_mails(sink, "ada.durable@example.com", "was created", 3)

            sink.stop()
            for i in range(5):
                create_key(ada, name=f"during-{i}")
            # Each was tried and failed while the SMTP server was down.
            self.assertTrue(wait_until(lambda: server.log().count("attempt 1 failed") >= 5),
                            server.log()[-2000:])
            self.assertEqual(server.stop(signal.SIGKILL), -signal.SIGKILL)

            sink.start()  # the same port
            server.start()  # the same directory and database
            # Due again within 10 s of their failed attempt; one the kill caught in the
            # middle of its attempt once its lease (2 minutes) ends.
            wait_for_mails(sink, "ada.durable@example.com", "was created", 8, timeout=150)
            time.sleep(2)  # anything sent twice would arrive by now
            messages = [m for m in sink.messages("ada.durable@example.com")
                        if "was created" in m["Subject"]]
            names = sorted(m["Subject"].split('"')[1] for m in messages)
            self.assertEqual(names, [f"before-{i}" for i in range(3)] +
                             [f"during-{i}" for i in range(5)])
            ids = [m["Message-ID"] for m in messages]
            self.assertEqual(len(set(ids)), len(ids))
        finally:
            server.cleanup()
            sink.cleanup()


class TwoNodesMailTest(unittest.TestCase):
    """Two nodes on one PostgreSQL database and one SMTP server: each mail goes out once, and
    the expiry job, running every second on both, sends each notice once."""

    @classmethod
    def setUpClass(cls):
        cls.cluster_dir = None
        server_url = pg_server_url()
        if not server_url:  # outside CTest's pg fixture: a throwaway cluster of our own
            cls.cluster_dir = tempfile.mkdtemp(prefix="tfzo-mail-pg-")
            server_url = pg_cluster("start", cls.cluster_dir)
        cls.db = pg_database_url(server_url, "tfzo_mail_" + os.urandom(4).hex())
        cls.sink = SmtpSink().start()
        cls.nodes = []
        try:
            for _ in range(2):
                cls.nodes.append(Server("--smtp-url", cls.sink.url, "--expiry-notice-interval",
                                        "1", db=cls.db).start())
        except Exception:
            cls.tearDownClass()
            raise

    @classmethod
    def tearDownClass(cls):
        for n in cls.nodes:
            n.cleanup()
        cls.sink.cleanup()
        if cls.cluster_dir:
            try:
                pg_cluster("destroy", cls.cluster_dir)
            finally:
                shutil.rmtree(cls.cluster_dir, ignore_errors=True)

    def test_each_mail_is_delivered_once(self):
        clients = []
        for i, node in enumerate(self.nodes * 2):
            c = Client(node)
            c.signup(email=f"user{i}.nodes@example.com")
            clients.append(c)
        for round_ in range(3):
            for c in clients:
                create_key(c, name=f"k{round_}")
        for c in clients:
            wait_for_mails(self.sink, c.email, "was created", 3)
        time.sleep(2)
        for c in clients:
            messages = self.sink.messages(c.email)
            self.assertEqual(subjects(messages, "was created"),
                             [f'A new API key "k{r}" was created on your 2501 account'
                              for r in range(3)])
            ids = [m["Message-ID"] for m in messages]
            self.assertEqual(len(set(ids)), len(ids))
            # Sent by whichever node claimed it: both did their share.

    def test_expiry_notices_once_each_with_both_nodes_running_the_job(self):
        eve = Client(self.nodes[0])
        eve.signup(email="eve.nodes@example.com")
        now = time.time()
        keys = [create_key(eve, name="in-3-days", expires_at=rfc3339(now + 3 * DAY))[0],
                create_key(eve, name="in-12-hours", expires_at=rfc3339(now + DAY / 2))[0]]
        ids = ", ".join(f"'{k['id']}'" for k in keys)
        psql(self.db, f"UPDATE api_keys SET created_at = created_at - {30 * DAY} "
                      f"WHERE id IN ({ids})")
        expected = ['Your API key "in-12-hours" expires in 1 day',
                    'Your API key "in-3-days" expires in 3 days']
        self.assertTrue(wait_until(lambda: subjects(
            self.sink.messages("eve.nodes@example.com"), "expires") == expected, timeout=15))
        time.sleep(3)  # three more runs on each node
        self.assertEqual(subjects(self.sink.messages("eve.nodes@example.com"), "expires"),
                         expected)
        self.assertEqual(psql(self.db, "SELECT COUNT(*) FROM key_notices"), "2")


if __name__ == "__main__":
    unittest.main()
