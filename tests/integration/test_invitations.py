"""Verified addresses and invitations (docs/spec/API.md "E-mail verification", "Console:
invitations"), against the real server, with its mail going to a real SMTP server (SmtpSink) in
the walk of issue 12, and to its outbox directory elsewhere."""

import unittest

from harness import (Client, Server, ServerTestCase, SmtpSink, create_key, create_org, join,
                     link_token, mail_link, mail_text, mails_in, outbox_dir, verify_address,
                     wait_for_mails, wait_for_queued_mails, wait_until)

INVITATION_FIELDS = {"id", "org_id", "org_name", "org_handle", "email", "role", "invited_by",
                     "created_at", "expires_at", "status"}


class WalkTest(unittest.TestCase):
    """Issue 12's walk: sign-up, the verification mail through SMTP, verify, an invitation, its
    mail, accept, and the new member's key reaches the organization; then the impostor."""

    @classmethod
    def setUpClass(cls):
        cls.sink = SmtpSink().start()
        cls.server = Server("--smtp-url", cls.sink.url).start()

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()
        cls.sink.cleanup()

    def client(self):
        return Client(self.server)

    def mail(self, to, fragment):
        """The newest mail the SMTP server received for `to` whose text has `fragment`."""
        found = wait_until(lambda: [m for m in self.sink.messages(to)
                                    if fragment in mail_text(m)], timeout=15)
        self.assertTrue(found, f"no mail to {to} with {fragment!r}")
        return found[-1]

    def signup(self, address):
        c = self.client()
        c.signup(email=address)
        self.assertFalse(c.account["email_verified"])
        return c

    def verify(self, c):
        mail = self.mail(c.email, "#/verify?token=")
        self.assertIn("Verify your address", mail["Subject"])
        url = mail_link(mail, "#/verify?token=")
        self.assertTrue(url.startswith(self.server.url + "/#/verify?token="), url)
        r = self.client().post("/api/email/verify", {"token": link_token(mail, "#/verify")})
        self.assertEqual(r.status, 200, r)
        self.assertTrue(r.json()["account"]["email_verified"])
        self.assertTrue(c.get("/api/session").json()["account"]["email_verified"])
        c.verified = True

    def invite(self, owner, org, address, role="member"):
        r = owner.post(f"/api/orgs/{org['id']}/invitations", {"email": address, "role": role})
        self.assertEqual(r.status, 202, r)
        invitation = r.json()["invitation"]
        self.assertEqual(set(invitation), INVITATION_FIELDS)
        self.assertEqual(invitation["status"], "pending")
        self.assertEqual(invitation["invited_by"], owner.email)
        self.assertEqual((invitation["org_id"], invitation["org_handle"]), (org["id"], org["handle"]))
        return invitation

    def assertError(self, response, status, code):
        self.assertEqual(response.status, status, response)
        self.assertEqual(response.json()["error"]["code"], code, response)

    def test_sign_up_verify_invite_accept_and_the_key_reaches_the_org(self):
        owner = self.signup("owner-walk@corp.example")
        self.verify(owner)
        org = create_org(owner, "Corp")
        newcomer = self.signup("newcomer@corp.example")
        _, key = create_key(newcomer, "laptop")
        anon = self.client()
        self.assertError(anon.get(f"/api/v1/orgs/{org['id']}/agents", bearer=key), 403,
                         "forbidden")
        self.verify(newcomer)

        invitation = self.invite(owner, org, "NewComer@corp.example")
        self.assertEqual(invitation["email"], "newcomer@corp.example")
        mail = self.mail("newcomer@corp.example", "#/invitations")
        self.assertIn("owner-walk@corp.example invited you to Corp", mail["Subject"])
        self.assertEqual(mail_link(mail, "#/invitations"), self.server.url + "/#/invitations")
        self.assertNotIn(key, mail_text(mail))

        listed = newcomer.get("/api/invitations").json()["invitations"]
        self.assertEqual([i["id"] for i in listed], [invitation["id"]])
        r = newcomer.post(f"/api/invitations/{invitation['id']}/accept")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json(), {"org": {"id": org["id"], "name": "Corp",
                                            "handle": org["handle"], "role": "member",
                                            "require_two_factor": False}})
        # The key the newcomer already had reaches the org at once.
        r = anon.get(f"/api/v1/orgs/{org['id']}/agents", bearer=key)
        self.assertEqual(r.status, 200, r)
        me = anon.get("/api/v1/me", bearer=key).json()
        self.assertEqual([o["id"] for o in me["orgs"]], [org["id"]])
        self.assertEqual(newcomer.get("/api/invitations").json(), {"invitations": []})
        self.assertEqual(owner.get(f"/api/orgs/{org['id']}/invitations").json(),
                         {"invitations": []})

        # Every step is in the audit log.
        actions = [e["action"] for e in owner.get("/api/audit").json()["events"]]
        for action in ("account.signup", "account.email_verified", "org.invitation_created",
                       "org.invitation_accepted"):
            self.assertIn(action, actions)
        mine = [e["action"] for e in newcomer.get("/api/audit").json()["events"]]
        self.assertIn("account.email_verified", mine)
        self.assertIn("org.invitation_accepted", mine)

    def test_the_impostor_gets_nothing_and_the_owner_of_the_address_claims_it(self):
        owner = self.signup("owner-impostor@corp.example")
        self.verify(owner)
        org = create_org(owner, "Corp B")
        # Someone signs up as the new hire before the new hire does; the verification link goes
        # to the new hire's mailbox, which the impostor cannot read.
        impostor = self.signup("new.hire@corp.example")
        _, impostor_key = create_key(impostor, "mallory")
        invitation = self.invite(owner, org, "new.hire@corp.example")

        # Unverified: the invitation does not exist for this account.
        self.assertEqual(impostor.get("/api/invitations").json(), {"invitations": []})
        for action in ("accept", "decline"):
            r = impostor.post(f"/api/invitations/{invitation['id']}/{action}")
            self.assertError(r, 404, "not_found")
            self.assertEqual(r.json(),
                             impostor.post(f"/api/invitations/inv_doesnotexist/{action}").json())
        anon = self.client()
        self.assertError(anon.get(f"/api/v1/orgs/{org['id']}/agents", bearer=impostor_key), 403,
                         "forbidden")
        self.assertEqual(len(owner.get(f"/api/orgs/{org['id']}/members").json()["members"]), 1)

        # The real new hire signs up: refused, and mailed a claim link.
        hire = self.client()
        r = hire.post("/api/signup", {"email": "new.hire@corp.example", "password": "hire-pw-123"})
        self.assertError(r, 409, "email_taken")
        claim = [self.mail("new.hire@corp.example", "#/signup?claim=")]
        self.assertTrue(mail_link(claim[0], "#/signup?claim=").startswith(self.server.url))
        r = hire.post("/api/signup", {"email": "new.hire@corp.example", "password": "hire-pw-123",
                                      "claim_token": link_token(claim[0], "#/signup")})
        self.assertEqual(r.status, 201, r)
        self.assertTrue(r.json()["account"]["email_verified"])
        hire.csrf = r.json()["csrf_token"]
        hire.email = "new.hire@corp.example"
        # The impostor lost the address: it no longer signs in with it.
        self.assertTrue(impostor.get("/api/session").json()["account"]["email"].endswith(
            "@released"))
        self.assertError(self.client().login("new.hire@corp.example", impostor.password), 401,
                         "invalid_credentials")

        listed = hire.get("/api/invitations").json()["invitations"]
        self.assertEqual([i["id"] for i in listed], [invitation["id"]])
        r = hire.post(f"/api/invitations/{invitation['id']}/accept")
        self.assertEqual(r.status, 200, r)
        _, hire_key = create_key(hire, "hire", org_id=org["id"])
        self.assertEqual(anon.get(f"/api/v1/orgs/{org['id']}/agents", bearer=hire_key).status, 200)
        self.assertError(anon.get(f"/api/v1/orgs/{org['id']}/agents", bearer=impostor_key), 403,
                         "forbidden")
        # A claim link works once.
        r = self.client().post("/api/signup", {
            "email": "new.hire@corp.example", "password": "another-pw-1",
            "claim_token": link_token(claim[0], "#/signup")})
        self.assertError(r, 400, "invalid_token")


class VerificationTest(ServerTestCase):
    """Links, resending, changing the address (mail in the server's outbox)."""

    def test_a_link_works_once_and_bad_tokens_all_look_the_same(self):
        a = self.new_account()
        token = link_token(wait_for_mails(outbox_dir(self.server), a.email)[0], "#/verify")
        anon = self.client()
        self.assertEqual(anon.post("/api/email/verify", {"token": token}).status, 200)
        used = anon.post("/api/email/verify", {"token": token})
        unknown = anon.post("/api/email/verify", {"token": "A" * 43})
        garbage = anon.post("/api/email/verify", {"token": "not a token"})
        for r in (used, unknown, garbage):
            self.assertError(r, 400, "invalid_token")
            self.assertEqual(r.json(), used.json())
        for body in ({}, {"token": 5}, {"token": token, "extra": 1}):
            with self.subTest(body=body):
                self.assertError(anon.post("/api/email/verify", body), 400, "invalid_request")
        self.assertError(anon.post("/api/email/verify", raw="token=x",
                                   headers={"Content-Type": "text/plain"}), 415,
                         "unsupported_media_type")

    def test_resend_mails_a_new_link_and_is_throttled(self):
        a = self.new_account()
        outbox = outbox_dir(self.server)
        wait_for_mails(outbox, a.email)
        for i in range(5):
            r = a.post("/api/email/verify/resend")
            self.assertEqual(r.status, 204, r)
        mails = wait_for_mails(outbox, a.email, count=6)
        tokens = {link_token(m, "#/verify") for m in mails}
        self.assertEqual(len(tokens), 6)
        r = a.post("/api/email/verify/resend")
        self.assertError(r, 429, "rate_limited")
        self.assertGreater(int(r.header("Retry-After")), 0)
        self.assertError(self.client().post("/api/email/verify/resend"), 401, "unauthenticated")
        verify_address(a)
        self.assertError(a.post("/api/email/verify/resend"), 409, "conflict")

    def test_changing_the_address_keeps_the_old_one_until_the_new_one_is_proven(self):
        a = self.new_account()
        verify_address(a)
        outbox = outbox_dir(self.server)
        new = "moved-" + a.email
        r = a.patch("/api/account", {"email": new, "password": "wrong-password"})
        self.assertError(r, 401, "invalid_credentials")
        r = a.patch("/api/account", {"email": new, "password": a.password})
        self.assertEqual(r.status, 200, r)
        account = r.json()["account"]
        self.assertEqual(account["email"], a.email)
        self.assertEqual(account["pending_email"], new)
        self.assertTrue(account["email_verified"])
        self.assertEqual(self.client().login(a.email, a.password).status, 200)
        notice = wait_for_mails(outbox, a.email, count=2)[-1]
        self.assertIn(new, mail_text(notice))
        self.assertNotIn("#/verify", mail_text(notice))

        verify_address(a, address=new)
        account = a.get("/api/session").json()["account"]
        self.assertEqual(account["email"], new)
        self.assertNotIn("pending_email", account)
        self.assertEqual(self.client().login(new, a.password).status, 200)
        self.assertError(self.client().login(a.email, a.password), 401, "invalid_credentials")

        b = self.new_account()
        r = b.patch("/api/account", {"email": new, "password": b.password})
        self.assertError(r, 409, "email_taken")
        for body in ({"email": new}, {"password": b.password}, {"email": 1, "password": "x"},
                     {"email": "a\u202e@example.com", "password": b.password},
                     {"email": new, "password": b.password, "name": "x"}):
            with self.subTest(body=body):
                self.assertError(b.patch("/api/account", body), 400, "invalid_request")


class InvitationsTest(ServerTestCase):
    """The owners' side and the rules (mail in the server's outbox)."""

    def owner_with_org(self):
        owner = self.new_account()
        verify_address(owner)
        return owner, create_org(owner)

    def test_the_answer_is_the_same_whether_or_not_an_account_has_the_address(self):
        owner, org = self.owner_with_org()
        existing = self.new_account()
        answers = []
        for address in (existing.email.upper(), "nobody-" + existing.email):
            r = owner.post(f"/api/orgs/{org['id']}/invitations",
                           {"email": address, "role": "member"})
            self.assertEqual(r.status, 202, r)
            answers.append(r.json()["invitation"])
        self.assertEqual({k for a in answers for k in a}, INVITATION_FIELDS)
        self.assertEqual(answers[0]["email"], existing.email)
        for a in answers:
            self.assertEqual(a["org_name"], org["name"])
            wait_for_mails(outbox_dir(self.server), a["email"], count=2 if a is answers[0] else 1)
        listed = owner.get(f"/api/orgs/{org['id']}/invitations").json()["invitations"]
        self.assertEqual([i["id"] for i in listed], [answers[1]["id"], answers[0]["id"]])

    def test_only_owners_with_a_verified_address_invite_list_and_cancel(self):
        owner, org = self.owner_with_org()
        member = self.new_account()
        join(owner, org["id"], member)
        outsider = self.new_account()
        path = f"/api/orgs/{org['id']}/invitations"
        invitation = owner.post(path, {"email": "x-" + owner.email, "role": "member"}).json()[
            "invitation"]
        for who in (member, outsider):
            self.assertError(who.post(path, {"email": "y@example.com", "role": "member"}), 403,
                             "forbidden")
            self.assertError(who.get(path), 403, "forbidden")
            self.assertError(who.delete(f"{path}/{invitation['id']}"), 403, "forbidden")
        self.assertError(outsider.get("/api/orgs/org_doesnotexist/invitations"), 403, "forbidden")
        unverified = self.new_account()
        own = create_org(unverified)
        r = unverified.post(f"/api/orgs/{own['id']}/invitations",
                            {"email": "z@example.com", "role": "member"})
        self.assertError(r, 403, "forbidden")
        self.assertIn("Verify", r.json()["error"]["message"])

    def test_bad_bodies_are_invalid_requests(self):
        owner, org = self.owner_with_org()
        path = f"/api/orgs/{org['id']}/invitations"
        for body, field in (({"role": "member"}, "email"), ({"email": "a@example.com"}, "role"),
                            ({"email": "a@example.com", "role": "admin"}, "role"),
                            ({"email": 3, "role": "member"}, "email"),
                            ({"email": "a@b", "role": "member"}, "email"),
                            ({"email": "a\u200b@example.com", "role": "member"}, "email"),
                            ({"email": "a@example.com", "role": "member", "x": 1}, "x")):
            with self.subTest(body=body):
                r = owner.post(path, body)
                self.assertError(r, 400, "invalid_request")
                self.assertTrue(r.json()["error"]["message"].startswith(field), r)
        self.assertError(owner.post(path, {"email": "a@example.com", "role": "member"},
                                    headers={"X-CSRF-Token": "bad"}), 403, "csrf_failed")
        self.assertEqual(owner.get(path).json(), {"invitations": []})

    def test_reinviting_is_refused_until_canceled_and_decline_ends_it(self):
        owner, org = self.owner_with_org()
        b = self.new_account()
        verify_address(b)
        path = f"/api/orgs/{org['id']}/invitations"
        first = owner.post(path, {"email": b.email, "role": "member"}).json()["invitation"]
        self.assertError(owner.post(path, {"email": b.email, "role": "owner"}), 409, "conflict")
        self.assertEqual(owner.delete(f"{path}/{first['id']}").status, 204)
        self.assertError(owner.delete(f"{path}/{first['id']}"), 409, "conflict")
        self.assertError(b.post(f"/api/invitations/{first['id']}/accept"), 409, "conflict")
        second = owner.post(path, {"email": b.email, "role": "owner"}).json()["invitation"]
        self.assertEqual(b.post(f"/api/invitations/{second['id']}/decline").status, 204)
        self.assertError(b.post(f"/api/invitations/{second['id']}/accept"), 409, "conflict")
        self.assertEqual(b.get("/api/orgs").json(), {"orgs": []})
        actions = [e["action"] for e in owner.get("/api/audit").json()["events"]]
        for action in ("org.invitation_created", "org.invitation_canceled",
                       "org.invitation_declined"):
            self.assertIn(action, actions)
        # A member's address is refused too.
        third = owner.post(path, {"email": b.email, "role": "owner"}).json()["invitation"]
        self.assertEqual(b.post(f"/api/invitations/{third['id']}/accept").status, 200)
        self.assertError(owner.post(path, {"email": b.email, "role": "member"}), 409, "conflict")

    def test_invitations_to_one_address_are_throttled(self):
        owner = self.new_account()
        verify_address(owner)
        target = "flooded-" + owner.email
        for i in range(5):
            org = create_org(owner)
            r = owner.post(f"/api/orgs/{org['id']}/invitations",
                           {"email": target, "role": "member"})
            self.assertEqual(r.status, 202, r)
        org = create_org(owner)
        r = owner.post(f"/api/orgs/{org['id']}/invitations", {"email": target, "role": "member"})
        self.assertError(r, 429, "rate_limited")
        self.assertGreater(int(r.header("Retry-After")), 0)
        # The mails are written after the answers: wait for the five, then for every mail queued
        # so far, so that a sixth (the refused invitation's) would be counted too.
        wait_for_mails(outbox_dir(self.server), target, count=5)
        wait_for_queued_mails(owner)
        self.assertEqual(len(mails_in(outbox_dir(self.server), target)), 5)


if __name__ == "__main__":
    unittest.main()
