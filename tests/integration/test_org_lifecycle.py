"""The organization lifecycle of docs/spec/API.md (issue 12): handles, renames, role changes and
the last-owner rule, deletion with the handle as confirmation, on one node and across two nodes
sharing PostgreSQL."""

import re
import secrets
import time
import unittest

from harness import (Client, ServerTestCase, TwoNodesTestCase, create_key, create_org, join,
                     mail_text, mails_in, outbox_dir, refused_after, wait_for_mails,
                     wait_for_queued_mails)

ORG_FIELDS = {"id", "name", "handle", "role", "require_two_factor"}
HANDLE_RE = re.compile(r"^[a-z0-9](-?[a-z0-9])*$")
LIMIT = 1.0  # seconds: docs/spec/API.md's bound for a revocation on every node


def add_member(owner, org, member, role="member", outboxes=None):
    """Makes `member` a member of `org` (the one place these tests join accounts to orgs): by
    invitation, both addresses verified through the mails (in `outboxes`, default the owner's
    server's)."""
    join(owner, org["id"], member, role, directories=outboxes)


def unique(word):
    return f"{word}-{secrets.token_hex(3)}"


class OrgLifecycleTest(ServerTestCase):

    def v1(self, path, secret):
        return self.client().get("/api/v1" + path, bearer=secret)

    def create(self, owner, body):
        r = owner.post("/api/orgs", body)
        self.assertEqual(r.status, 201, r)
        self.assertEqual(set(r.json()["org"]), ORG_FIELDS)
        return r.json()["org"]

    # --- handles --------------------------------------------------------------------------

    def test_handle_is_derived_from_the_name_and_suffixed_when_taken(self):
        a = self.new_account()
        word = unique("acme")
        org = self.create(a, {"name": f"{word.upper()} Société"})
        self.assertEqual(org["handle"], f"{word}-societe")
        again = self.create(a, {"name": f"{word.upper()} Société"})
        self.assertRegex(again["handle"], rf"^{word}-societe-[a-z0-9]{{4}}$")
        self.assertEqual(self.create(a, {"name": "日本"})["handle"][:3], "org")
        long = self.create(a, {"name": "x" * 100})
        self.assertEqual(long["handle"], "x" * 39)
        for o in a.get("/api/orgs").json()["orgs"]:
            self.assertRegex(o["handle"], HANDLE_RE)

    def test_a_given_handle_is_kept_refused_when_taken_and_checked(self):
        a = self.new_account()
        b = self.new_account()
        handle = unique("globex")
        org = self.create(a, {"name": "Globex", "handle": handle})
        self.assertEqual(org["handle"], handle)
        r = b.post("/api/orgs", {"name": "Globex", "handle": handle})
        self.assertError(r, 409, "handle_taken")
        self.assertTrue(r.json()["error"]["message"].startswith("handle:"), r)
        for bad in ("Globex", "-globex", "globex-", "glo--bex", "glo_bex", "x" * 40, "",
                    "globe\u0445"):
            with self.subTest(handle=bad):
                r = b.post("/api/orgs", {"name": "Globex", "handle": bad})
                self.assertError(r, 400, "invalid_request")
                self.assertTrue(r.json()["error"]["message"].startswith("handle:"), r)
        self.assertError(b.post("/api/orgs", {"name": "Globex", "handle": 7}), 400,
                         "invalid_request")
        self.assertEqual(b.get("/api/orgs").json(), {"orgs": []})

    def test_handles_are_in_every_org_listing(self):
        a = self.new_account()
        org = self.create(a, {"name": "Listed"})
        _, secret = create_key(a)
        for orgs in (a.get("/api/orgs").json()["orgs"],
                     self.v1("/orgs", secret).json()["orgs"],
                     self.v1("/me", secret).json()["orgs"]):
            self.assertEqual(orgs, [org])

    # --- rename -----------------------------------------------------------------------------

    def test_owners_rename_and_change_the_handle_and_members_see_it_at_once(self):
        a = self.new_account()
        b = self.new_account()
        c = self.new_account()
        org = self.create(a, {"name": "Old name"})
        other = self.create(c, {"name": "Other"})
        add_member(a, org, b)
        _, scoped = create_key(b, org_id=org["id"])
        for _ in range(2):  # cached: what follows must come from the change
            self.assertEqual(self.v1("/me", scoped).json()["orgs"][0]["handle"], org["handle"])

        path = f"/api/orgs/{org['id']}"
        new_handle = unique("new")
        r = a.patch(path, {"name": "New name", "handle": new_handle})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json(), {"org": {"id": org["id"], "name": "New name",
                                            "handle": new_handle, "role": "owner",
                                            "require_two_factor": False}})
        me = self.v1("/me", scoped).json()
        self.assertEqual(me["orgs"], [{"id": org["id"], "name": "New name",
                                       "handle": new_handle, "role": "member",
                                       "require_two_factor": False}])
        self.assertEqual(me["key"]["org_name"], "New name")
        self.assertEqual(b.get("/api/orgs").json()["orgs"][0]["handle"], new_handle)
        # Only the name; the old handle is free again.
        r = a.patch(path, {"name": "Newer"})
        self.assertEqual((r.status, r.json()["org"]["handle"]), (200, new_handle), r)
        self.assertEqual(self.create(c, {"name": "x", "handle": org["handle"]})["handle"],
                         org["handle"])
        # {} changes nothing.
        self.assertEqual(a.patch(path, {}).json()["org"]["name"], "Newer")

        self.assertError(a.patch(path, {"handle": other["handle"]}), 409, "handle_taken")
        for body, field in (({"handle": "Not Valid"}, "handle"), ({"name": ""}, "name"),
                            ({"name": 5}, "name"), ({"color": "red"}, "color")):
            with self.subTest(body=body):
                r = a.patch(path, body)
                self.assertError(r, 400, "invalid_request")
                self.assertTrue(r.json()["error"]["message"].startswith(field), r)
        self.assertError(a.patch(path, raw=""), 400, "invalid_request")
        self.assertError(a.patch(path, {"name": "x"}, headers={"X-CSRF-Token": "bad"}), 403,
                         "csrf_failed")
        # A member, an outsider, and an org that does not exist: forbidden, alike.
        foreign = c.patch(path, {"name": "Mine"})
        self.assertError(foreign, 403, "forbidden")
        self.assertError(b.patch(path, {"name": "Mine"}), 403, "forbidden")
        self.assertEqual(c.patch("/api/orgs/org_doesnotexist", {"name": "x"}).json(),
                         foreign.json())
        self.assertEqual(a.get("/api/orgs").json()["orgs"][0]["name"], "Newer")

    # --- roles ------------------------------------------------------------------------------

    def test_owners_change_roles_and_the_last_owner_cannot_be_demoted(self):
        a = self.new_account()
        b = self.new_account()
        c = self.new_account()
        org = self.create(a, {"name": "Roles"})
        add_member(a, org, b)
        _, b_key = create_key(b)
        self.assertEqual(self.v1("/me", b_key).json()["orgs"][0]["role"], "member")
        member_path = f"/api/orgs/{org['id']}/members/"

        r = a.patch(member_path + a.account["id"], {"role": "member"})
        self.assertError(r, 409, "conflict")
        self.assertIn("make another member an owner first", r.json()["error"]["message"])
        r = a.delete(member_path + a.account["id"])
        self.assertError(r, 409, "conflict")
        self.assertIn("change their role", r.json()["error"]["message"])
        self.assertError(b.patch(member_path + b.account["id"], {"role": "owner"}), 403,
                         "forbidden")
        self.assertError(c.patch(member_path + b.account["id"], {"role": "owner"}), 403,
                         "forbidden")
        self.assertError(a.patch(member_path + c.account["id"], {"role": "owner"}), 404,
                         "not_found")
        for body in ({"role": "admin"}, {"role": None}, {}, {"role": 1}):
            with self.subTest(body=body):
                r = a.patch(member_path + b.account["id"], body)
                self.assertError(r, 400, "invalid_request")
                self.assertTrue(r.json()["error"]["message"].startswith("role"), r)

        r = a.patch(member_path + b.account["id"], {"role": "owner"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json(), {"member": {"account_id": b.account["id"], "email": b.email,
                                               "role": "owner"}})
        self.assertEqual(self.v1("/me", b_key).json()["orgs"][0]["role"], "owner")
        self.assertEqual(b.get(f"/api/orgs/{org['id']}/keys").status, 200)  # owners only
        # Now the first owner may step down, and leave; the second is the last one.
        r = a.patch(member_path + a.account["id"], {"role": "member"})
        self.assertEqual(r.json()["member"]["role"], "member", r)
        self.assertError(a.get(f"/api/orgs/{org['id']}/keys"), 403, "forbidden")
        self.assertError(b.patch(member_path + b.account["id"], {"role": "member"}), 409,
                         "conflict")
        actions = [e["action"] for e in b.get("/api/audit").json()["events"]]
        self.assertEqual(actions.count("org.member_role_changed"), 2, actions)

    # --- deletion ---------------------------------------------------------------------------

    def test_delete_needs_the_handle_and_revokes_the_scoped_keys_at_once(self):
        a = self.new_account()
        b = self.new_account()
        c = self.new_account()
        org = self.create(a, {"name": "Doomed"})
        keep = self.create(a, {"name": "Kept"})
        add_member(a, org, b)
        b_scoped_key, b_scoped = create_key(b, org_id=org["id"])
        _, a_scoped = create_key(a, org_id=org["id"])
        _, a_kept = create_key(a, org_id=keep["id"])
        _, b_all = create_key(b)
        agents = f"/api/v1/orgs/{org['id']}/agents"
        r = self.client().post(agents, {"name": "builder"}, bearer=b_all)
        self.assertEqual(r.status, 201, r)
        for secret in (b_scoped, a_scoped, b_all):  # cached
            for _ in range(2):
                self.assertEqual(self.v1("/me", secret).status, 200)
        self.assertEqual(self.client().get(agents, bearer=b_all).status, 200)

        path = f"/api/orgs/{org['id']}"
        for kw in ({"body": {"confirm": "doomed-not"}}, {"body": {"confirm": "Doomed"}},
                   {"body": {}}, {"raw": ""}, {"body": {"confirm": 1}}):
            with self.subTest(**kw):
                r = a.request("DELETE", path, **kw)
                self.assertError(r, 400, "invalid_request")
                self.assertTrue(r.json()["error"]["message"].startswith("confirm"), r)
        self.assertError(a.request("DELETE", path, body={"confirm": org["handle"], "x": 1}), 400,
                         "invalid_request")
        self.assertError(b.request("DELETE", path, body={"confirm": org["handle"]}), 403,
                         "forbidden")
        self.assertError(c.request("DELETE", path, body={"confirm": org["handle"]}), 403,
                         "forbidden")
        self.assertError(a.request("DELETE", path, body={"confirm": org["handle"]},
                                   headers={"X-CSRF-Token": "bad"}), 403, "csrf_failed")
        self.assertEqual(self.v1("/me", b_scoped).status, 200)

        r = a.request("DELETE", path, body={"confirm": org["handle"]})
        self.assertEqual(r.status, 204, r)
        self.assertEqual(r.body, "")
        # At once: the scoped keys are revoked, the unscoped one no longer reaches the org.
        for secret in (b_scoped, a_scoped):
            r = self.v1("/me", secret)
            self.assertError(r, 401, "key_revoked")
            r = self.client().post("/api/v1/keys/verify", {"key": secret})
            self.assertEqual(r.json(), {"valid": False, "code": "key_revoked"})
        self.assertEqual(self.v1("/me", a_kept).status, 200)
        self.assertEqual(self.v1("/me", b_all).json()["orgs"], [])
        # The member whose key it revoked is told, once, naming that key; the deleter is not.
        # b already has mails (its keys' notices): wait for this one, then for every mail queued
        # so far, so that a second notice to b, or one to a, would be seen.
        wait_for_mails(outbox_dir(self.server), b.email, subject="Doomed was deleted")
        wait_for_queued_mails(c)
        told = [m for m in mails_in(outbox_dir(self.server), b.email)
                if "Doomed was deleted" in m["Subject"]]
        self.assertEqual(len(told), 1)
        text = mail_text(told[0])
        self.assertIn(b_scoped_key["hint"], text)
        self.assertIn(a.email, text)
        self.assertNotIn(b_scoped, text)
        self.assertFalse([m for m in mails_in(outbox_dir(self.server), a.email)
                          if "was deleted" in m["Subject"]])
        self.assertError(self.client().get(agents, bearer=b_all), 403, "forbidden")
        self.assertEqual(b.get("/api/orgs").json(), {"orgs": []})
        self.assertEqual([o["id"] for o in a.get("/api/orgs").json()["orgs"]], [keep["id"]])
        # The revoked key stays in its owner's list, naming the organization.
        listed = {k["id"]: k for k in b.get("/api/keys").json()["keys"]}[b_scoped_key["id"]]
        self.assertEqual((listed["status"], listed["org_id"], listed["org_name"]),
                         ("revoked", org["id"], "Doomed"))
        # The org is gone like one that never existed; its handle is free; the audit keeps it.
        foreign = c.get("/api/orgs/org_doesnotexist/members").json()
        self.assertEqual(a.get(f"{path}/members").json(), foreign)
        self.assertError(a.request("DELETE", path, body={"confirm": org["handle"]}), 403,
                         "forbidden")
        self.assertError(a.post("/api/keys", {"name": "late", "org_id": org["id"]}), 403,
                         "forbidden")
        self.assertEqual(self.create(c, {"name": "x", "handle": org["handle"]})["handle"],
                         org["handle"])
        events = [e for e in a.get("/api/audit").json()["events"] if e["action"] == "org.deleted"]
        self.assertEqual(len(events), 1)
        self.assertEqual((events[0]["org_id"], events[0]["target_id"]), (org["id"], org["id"]))

    def test_audit_records_renames(self):
        a = self.new_account()
        org = self.create(a, {"name": "Audited"})
        self.assertEqual(a.patch(f"/api/orgs/{org['id']}", {"name": "Audited 2"}).status, 200)
        event = a.get("/api/audit").json()["events"][0]
        self.assertEqual((event["action"], event["org_id"], event["actor_id"]),
                         ("org.renamed", org["id"], a.account["id"]))


class OrgLifecycleAcrossNodesTest(TwoNodesTestCase):
    """Two nodes on one PostgreSQL (as test_multinode): a deletion on A is refused on B at once,
    a rename on A is seen on B."""

    def test_delete_on_a_revokes_on_b_and_rename_on_a_shows_on_b(self):
        owner, member = Client(self.a), Client(self.a)
        owner.signup()
        member.signup()
        org = create_org(owner, "Shared")
        add_member(owner, org, member, outboxes=[outbox_dir(n) for n in self.nodes])
        _, scoped = create_key(member, org_id=org["id"])
        _, unscoped = create_key(member)
        via_b = Client(self.b)
        agents = f"/api/v1/orgs/{org['id']}/agents"
        for _ in range(3):  # cached on B
            self.assertEqual(via_b.get("/api/v1/me", bearer=scoped).status, 200)
            self.assertEqual(via_b.get(agents, bearer=unscoped).status, 200)

        handle = unique("renamed")
        start = time.monotonic()
        self.assertEqual(owner.patch(f"/api/orgs/{org['id']}", {"handle": handle}).status, 200)
        while time.monotonic() - start < 5:
            orgs = via_b.get("/api/v1/me", bearer=scoped).json()["orgs"]
            if orgs[0]["handle"] == handle:
                break
            time.sleep(0.01)
        self.assertEqual(orgs[0]["handle"], handle)
        self.assertLess(time.monotonic() - start, LIMIT)

        start = time.monotonic()
        r = owner.request("DELETE", f"/api/orgs/{org['id']}", body={"confirm": handle})
        self.assertEqual(r.status, 204, r)
        delay = refused_after(via_b, scoped, start)
        self.assertIsNotNone(delay, "the scoped key still works on B after 5 s")
        self.assertLess(delay, LIMIT)
        r = via_b.get("/api/v1/me", bearer=scoped)
        self.assertEqual((r.status, r.json()["error"]["code"]), (401, "key_revoked"), r)
        while time.monotonic() - start < 5 and via_b.get(agents, bearer=unscoped).status != 403:
            time.sleep(0.01)
        self.assertLess(time.monotonic() - start, LIMIT)
        print(f"\ncross-node refusal after an org's deletion: {delay * 1000:.0f} ms", flush=True)


if __name__ == "__main__":
    unittest.main()
