"""Exposed-key revocation (issue 15, docs/spec/API.md "Reporting exposed keys"):
POST /api/v1/credentials/revoke revokes every live key it is sent, on every node, tells the
owner (audit event key.exposed, a mail through a real SMTP server, GET /api/session's
exposed_keys), answers the same whatever it was sent, and is limited per client address (the
one --trusted-proxies lets X-Forwarded-For name)."""

import itertools
import time
import unittest

from harness import (Client, ServerTestCase, SmtpSink, TwoNodesTestCase, create_key, create_org,
                     mail_text, make_key, refused_after, wait_until)

PATH = "/api/v1/credentials/revoke"


def metric(client, result):
    text = client.get("/metrics").body
    prefix = f'tfzo_exposed_credentials_total{{result="{result}"}} '
    for line in text.splitlines():
        if line.startswith(prefix):
            return int(line[len(prefix):])
    raise AssertionError(f"no {prefix.strip()} in /metrics")


class ExposedKeysTest(ServerTestCase):

    addresses = itertools.count()

    @classmethod
    def setUpClass(cls):
        cls.sink = SmtpSink().start()
        cls.server_args = ("--smtp-url", cls.sink.url, "--trusted-proxies", "127.0.0.1/32")
        super().setUpClass()

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        cls.sink.cleanup()

    def report(self, credentials, address=None, **kw):
        """Reports `credentials` from `address` (each test its own, so the per-address limit of
        one test leaves the others alone)."""
        address = address or self.address
        headers = dict(kw.pop("headers", {}))
        headers["X-Forwarded-For"] = address
        return Client(self.server).post(PATH, {"credentials": credentials}, headers=headers, **kw)

    def setUp(self):
        # Distinct for every test of the run: with random addresses, two tests could share one
        # and the 61st-report test would find its address already counted.
        n = next(ExposedKeysTest.addresses)
        self.address = f"203.0.{n // 250}.{n % 250 + 1}"

    def exposure_mails(self, to):
        """The "reported as exposed" mails the SMTP server received for `to`, once there is one."""
        return wait_until(lambda: [m for m in self.sink.messages(to)
                                   if "reported as exposed" in str(m["Subject"])]) or []

    def test_a_live_key_is_revoked_marked_and_shown_to_its_owner(self):
        owner = self.new_account()
        key, secret = create_key(owner, name="ci-deploy")
        self.assertIsNone(key["exposed_at"])
        self.assertEqual(owner.get("/api/v1/me", bearer=secret).status, 200)
        before = metric(owner, "revoked")

        r = self.report([secret])
        self.assertEqual(r.status, 202, r)
        self.assertEqual(r.json(), {"received": 1})
        self.assertNotIn(secret, r.body)

        self.assertError(owner.get("/api/v1/me", bearer=secret), 401, "key_revoked")
        self.assertEqual(metric(owner, "revoked"), before + 1)
        got = [k for k in owner.get("/api/keys?status=revoked").json()["keys"]
               if k["id"] == key["id"]][0]
        self.assertEqual(got["status"], "revoked")
        self.assertIsNotNone(got["exposed_at"])
        self.assertEqual(got["exposed_at"], got["revoked_at"])

        # The owner's audit log: no actor, the key as target, the reporter's address (the one
        # X-Forwarded-For named through the trusted proxy).
        events = [e for e in owner.get("/api/audit").json()["events"] if e["action"] == "key.exposed"]
        self.assertEqual(len(events), 1, events)
        self.assertIsNone(events[0]["actor_id"])
        self.assertEqual(events[0]["target_id"], key["id"])
        self.assertEqual(events[0]["ip"], self.address)

        # The console's banner reads it from the session.
        exposed = owner.get("/api/session").json()["exposed_keys"]
        self.assertEqual(exposed, [{"id": key["id"], "name": "ci-deploy",
                                    "exposed_at": got["exposed_at"]}])
        # Nobody else sees it.
        other = self.new_account()
        self.assertEqual(other.get("/api/session").json()["exposed_keys"], [])
        self.assertFalse([e for e in other.get("/api/audit").json()["events"]
                          if e["action"] == "key.exposed"])

        # The mail, through the real SMTP server.
        mails = self.exposure_mails(owner.email)
        self.assertEqual(len(mails), 1)
        self.assertIn("ci-deploy", str(mails[0]["Subject"]))
        text = mail_text(mails[0])
        self.assertIn(key["hint"], text)
        self.assertIn(self.address, text)
        self.assertNotIn(secret, mails[0].as_string())

        # Reported again: already revoked, no second event or mail.
        before_inactive = metric(owner, "inactive")
        self.assertEqual(self.report([secret]).status, 202)
        self.assertEqual(metric(owner, "inactive"), before_inactive + 1)
        events = [e for e in owner.get("/api/audit").json()["events"] if e["action"] == "key.exposed"]
        self.assertEqual(len(events), 1)

    def test_garbage_and_live_keys_get_the_same_answer(self):
        owner = self.new_account()
        _, secret = create_key(owner)
        garbage = ["tfzo_nope", make_key(), "", "x" * 60, "tfzo_" + "é" * 36]
        before = {r: metric(owner, r) for r in ("revoked", "unknown", "malformed", "inactive")}
        a = self.report(garbage)
        b = self.report(garbage[:4] + [secret])
        self.assertEqual((a.status, a.body), (b.status, b.body))
        self.assertEqual(a.status, 202)
        self.assertEqual(a.json(), {"received": 5})
        self.assertEqual(a.header("Content-Type"), b.header("Content-Type"))
        self.assertEqual(set(a.headers) - {"x-request-id", "date"},
                         set(b.headers) - {"x-request-id", "date"})
        self.assertError(owner.get("/api/v1/me", bearer=secret), 401, "key_revoked")
        # Only /metrics tells them apart.
        self.assertEqual(metric(owner, "revoked"), before["revoked"] + 1)
        self.assertEqual(metric(owner, "unknown"), before["unknown"] + 2)
        self.assertEqual(metric(owner, "malformed"), before["malformed"] + 7)
        # An empty list is a report too.
        self.assertEqual(self.report([]).json(), {"received": 0})

    def test_credentials_are_ignored_and_bad_bodies_name_the_field(self):
        owner = self.new_account()
        _, secret = create_key(owner)
        # A bogus Bearer key and the owner's own session cookie change nothing.
        r = owner.post(PATH, {"credentials": [make_key()]},
                       headers={"X-Forwarded-For": self.address, "Authorization": "Bearer junk"})
        self.assertEqual(r.status, 202, r)
        for body in ({}, {"credentials": "tfzo_x"}, {"credentials": [1]},
                     {"credentials": [secret, None]}, {"credentials": [make_key()] * 1001},
                     {"credentials": [], "extra": 1}):
            r = Client(self.server).post(PATH, body, headers={"X-Forwarded-For": self.address})
            self.assertError(r, 400, "invalid_request")
            self.assertIn("credentials" if "extra" not in body else "extra",
                          r.json()["error"]["message"])
            self.assertNotIn(secret, r.body)
        # None of those revoked anything.
        self.assertEqual(owner.get("/api/v1/me", bearer=secret).status, 200)
        self.assertEqual(self.report([make_key()] * 1000).json(), {"received": 1000})

    def test_expired_rotated_and_service_account_keys(self):
        owner = self.new_account()
        org = create_org(owner)
        # A value a rotation replaced is not the key's: reporting it revokes nothing.
        key, old = create_key(owner)
        new = owner.post(f"/api/keys/{key['id']}/rotate", {}).json()["secret"]
        self.report([old])
        self.assertEqual(owner.get("/api/v1/me", bearer=new).status, 200)
        # A service account's key: the organization's owners are told.
        sa = owner.post(f"/api/orgs/{org['id']}/service-accounts", {"name": "deployer"}).json()
        sa_id = sa["service_account"]["id"]
        r = owner.post(f"/api/orgs/{org['id']}/service-accounts/{sa_id}/keys", {"name": "deploy"})
        self.assertEqual(r.status, 201, r)
        sa_key, sa_secret = r.json()["key"], r.json()["secret"]
        self.report([sa_secret])
        self.assertError(owner.get("/api/v1/me", bearer=sa_secret), 401, "key_revoked")
        exposed = owner.get("/api/session").json()["exposed_keys"]
        self.assertEqual([k["id"] for k in exposed], [sa_key["id"]])
        mails = self.exposure_mails(owner.email)
        self.assertEqual(len(mails), 1)
        self.assertIn("deployer", str(mails[0]["Subject"]))
        events = [e for e in owner.get("/api/audit").json()["events"] if e["action"] == "key.exposed"]
        self.assertEqual([(e["target_id"], e["org_id"]) for e in events],
                         [(sa_key["id"], org["id"])])

    def test_a_replaced_value_still_working_in_its_overlap_revokes_the_key(self):
        owner = self.new_account()
        key, old = create_key(owner)
        r = owner.post(f"/api/keys/{key['id']}/rotate", {"overlap_seconds": 3600})
        new = r.json()["secret"]
        self.assertEqual(owner.get("/api/v1/me", bearer=old).status, 200)
        self.report([old])
        self.assertError(owner.get("/api/v1/me", bearer=old), 401, "key_revoked")
        self.assertError(owner.get("/api/v1/me", bearer=new), 401, "key_revoked")
        exposed = owner.get("/api/session").json()["exposed_keys"]
        self.assertEqual([k["id"] for k in exposed], [key["id"]])

    def test_the_61st_request_in_an_hour_is_refused(self):
        owner = self.new_account()
        _, secret = create_key(owner)
        for i in range(60):
            r = self.report([make_key()])
            self.assertEqual(r.status, 202, (i, r))
        r = self.report([secret])
        self.assertError(r, 429, "rate_limited")
        self.assertGreater(int(r.header("Retry-After")), 3000)
        # Refused before anything was looked at: the key still works.
        self.assertEqual(owner.get("/api/v1/me", bearer=secret).status, 200)
        # Another address is not blocked.
        self.assertEqual(self.report([secret], address="192.0.2.77").status, 202)
        self.assertError(owner.get("/api/v1/me", bearer=secret), 401, "key_revoked")
        self.assertIn('tfzo_rate_limited_total{kind="report"} 1', owner.get("/metrics").body)

    def test_no_secret_in_the_log(self):
        owner = self.new_account()
        _, secret = create_key(owner)
        self.report([secret, make_key()])
        self.assertNotIn(secret, self.server.log())


class ExposedKeysAcrossNodesTest(TwoNodesTestCase):

    def test_a_reported_key_stops_on_both_nodes_within_a_second(self):
        owner = Client(self.a)
        owner.signup()
        key, secret = create_key(owner)
        b = Client(self.b)
        # Cached on both nodes: the refusal must come from the change, not a miss.
        for node in (Client(self.a), b):
            for _ in range(3):
                self.assertEqual(node.get("/api/v1/me", bearer=secret).status, 200)
        start = time.monotonic()
        r = Client(self.a).post(PATH, {"credentials": [secret]})
        self.assertEqual(r.status, 202, r)
        self.assertEqual(Client(self.a).get("/api/v1/me", bearer=secret).status, 401)
        delay = refused_after(b, secret, start, limit=1.0)
        self.assertIsNotNone(delay, "node B still accepted the reported key after 1 s")
        # Reported on B for a key of A's owner: the same.
        key2, secret2 = create_key(owner)
        self.assertEqual(Client(self.a).get("/api/v1/me", bearer=secret2).status, 200)
        start = time.monotonic()
        self.assertEqual(b.post(PATH, {"credentials": [secret2]}).status, 202)
        self.assertIsNotNone(refused_after(Client(self.a), secret2, start, limit=1.0))
        events = {e["target_id"] for e in owner.get("/api/audit").json()["events"]
                  if e["action"] == "key.exposed"}
        self.assertEqual(events, {key["id"], key2["id"]})


if __name__ == "__main__":
    unittest.main()
