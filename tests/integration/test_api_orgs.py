"""Console organizations of docs/spec/API.md: orgs, members, the owner's view of org keys."""

import unittest

from harness import ServerTestCase, TIME_RE, create_key, create_org, join, make_key

ORG_FIELDS = {"id", "name", "handle", "role", "require_two_factor"}
MEMBER_FIELDS = {"account_id", "email", "role"}
KEY_FIELDS = {"id", "name", "description", "hint", "org_id", "org_name", "created_at", "flags",
              "expires_at", "last_used_at", "rotated_at", "revoked_at", "status",
              "permissions", "allowed_ips", "previous_valid_until", "service_account",
              "exposed_at"}


class OrgsTest(ServerTestCase):

    def add_member(self, owner, org, member, role="member"):
        """Invited and accepted (tests/integration/test_invitations.py tests how)."""
        return join(owner, org["id"], member, role)

    def test_new_account_has_no_orgs(self):
        a = self.new_account()
        r = a.get("/api/orgs")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json(), {"orgs": []})

    def test_create_org_makes_the_creator_owner(self):
        a = self.new_account()
        r = a.post("/api/orgs", {"name": "Acme Robotics"})
        self.assertEqual(r.status, 201, r)
        self.assertEqual(set(r.json()), {"org"})
        org = r.json()["org"]
        self.assertEqual(set(org), ORG_FIELDS)
        self.assertIsInstance(org["id"], str)
        self.assertTrue(org["id"].startswith("org_"), org)
        self.assertEqual(org["name"], "Acme Robotics")
        self.assertEqual(org["role"], "owner")
        orgs = a.get("/api/orgs").json()["orgs"]
        self.assertEqual(orgs, [org])
        members = a.get(f"/api/orgs/{org['id']}/members")
        self.assertEqual(members.status, 200, members)
        self.assertEqual(members.json(), {"members": [
            {"account_id": a.account["id"], "email": a.email, "role": "owner",
             "two_factor": False}]})

    def test_create_org_invalid_request(self):
        a = self.new_account()
        for body in ({}, {"name": 5}, {"name": None}):
            with self.subTest(body=body):
                r = a.post("/api/orgs", body)
                self.assertError(r, 400, "invalid_request")
                self.assertIn("name", r.json()["error"]["message"])
        self.assertError(a.post("/api/orgs", raw="nope"), 400, "invalid_request")
        self.assertEqual(a.get("/api/orgs").json(), {"orgs": []})

    def test_create_org_csrf(self):
        a = self.new_account()
        self.assertError(a.post("/api/orgs", {"name": "x"}, headers={"X-CSRF-Token": "wrong"}),
                         403, "csrf_failed")
        csrf, a.csrf = a.csrf, None
        self.assertError(a.post("/api/orgs", {"name": "x"}), 403, "csrf_failed")
        a.csrf = csrf
        self.assertEqual(a.get("/api/orgs").json(), {"orgs": []})

    def test_orgs_need_a_session(self):
        self.assertError(self.client().get("/api/orgs"), 401, "unauthenticated")
        self.assertError(self.client().post("/api/orgs", {"name": "x"}), 401, "unauthenticated")

    def test_api_key_on_org_paths_is_session_required(self):
        a = self.new_account()
        org = create_org(a)
        _, secret = create_key(a)
        anon = self.client()
        for method, path, body in (("GET", "/api/orgs", None),
                                   ("POST", "/api/orgs", {"name": "x"}),
                                   ("GET", f"/api/orgs/{org['id']}/members", None),
                                   ("GET", f"/api/orgs/{org['id']}/keys", None)):
            with self.subTest(method=method, path=path):
                r = anon.request(method, path, body=body, bearer=secret)
                self.assertError(r, 403, "session_required")
                self.assertNotIn(secret, r.body)
        self.assertEqual(len(a.get("/api/orgs").json()["orgs"]), 1)

    def test_add_list_and_remove_members(self):
        a = self.new_account()
        b = self.new_account()
        org = create_org(a, "Team")
        joined = self.add_member(a, org, b)
        self.assertEqual(joined, {"id": org["id"], "name": "Team", "handle": org["handle"],
                                  "role": "member", "require_two_factor": False})
        self.assertEqual(b.get("/api/orgs").json()["orgs"],
                         [{"id": org["id"], "name": "Team", "handle": org["handle"],
                           "role": "member", "require_two_factor": False}])
        # Members (not only owners) can list the members.
        for who in (a, b):
            r = who.get(f"/api/orgs/{org['id']}/members")
            self.assertEqual(r.status, 200, r)
            members = r.json()["members"]
            # Owners also see whether each member has two-factor sign-in on.
            for m in members:
                self.assertEqual(set(m), MEMBER_FIELDS | ({"two_factor"} if who is a else set()))
            self.assertEqual(sorted((m["account_id"], m["role"]) for m in members),
                             sorted([(a.account["id"], "owner"), (b.account["id"], "member")]))
        r = a.delete(f"/api/orgs/{org['id']}/members/{b.account['id']}")
        self.assertEqual(r.status, 204, r)
        self.assertEqual(r.body, "")
        self.assertEqual(b.get("/api/orgs").json(), {"orgs": []})
        self.assertEqual([m["account_id"] for m in
                          a.get(f"/api/orgs/{org['id']}/members").json()["members"]],
                         [a.account["id"]])
        self.assertError(b.get(f"/api/orgs/{org['id']}/members"), 403, "forbidden")

    def test_members_are_not_added_directly_any_more(self):
        # People join by invitation (test_invitations.py): the direct add is gone.
        a = self.new_account()
        b = self.new_account()
        org = create_org(a)
        r = a.post(f"/api/orgs/{org['id']}/members", {"email": b.email, "role": "member"})
        self.assertError(r, 405, "method_not_allowed")
        self.assertEqual(r.header("Allow"), "GET")
        self.assertEqual(b.get("/api/orgs").json(), {"orgs": []})

    def test_only_owners_remove_members(self):
        a = self.new_account()
        b = self.new_account()
        c = self.new_account()
        org = create_org(a)
        self.add_member(a, org, b)
        r = b.delete(f"/api/orgs/{org['id']}/members/{a.account['id']}")
        self.assertError(r, 403, "forbidden")
        # A non-member gets forbidden too.
        self.assertError(c.get(f"/api/orgs/{org['id']}/members"), 403, "forbidden")
        self.assertError(c.delete(f"/api/orgs/{org['id']}/members/{b.account['id']}"), 403,
                         "forbidden")
        self.assertEqual(len(a.get(f"/api/orgs/{org['id']}/members").json()["members"]), 2)

    def test_member_paths_need_csrf(self):
        a = self.new_account()
        b = self.new_account()
        org = create_org(a)
        self.add_member(a, org, b)
        r = a.delete(f"/api/orgs/{org['id']}/members/{b.account['id']}",
                     headers={"X-CSRF-Token": "bad"})
        self.assertError(r, 403, "csrf_failed")
        self.assertEqual(len(b.get("/api/orgs").json()["orgs"]), 1)
        key, secret = create_key(b, org_id=org["id"])
        r = a.post(f"/api/orgs/{org['id']}/keys/{key['id']}/revoke",
                   headers={"X-CSRF-Token": "bad"})
        self.assertError(r, 403, "csrf_failed")
        self.assertEqual(self.client().get("/api/v1/me", bearer=secret).status, 200)

    def test_last_owner_cannot_leave(self):
        a = self.new_account()
        b = self.new_account()
        c = self.new_account()
        org = create_org(a)
        self.add_member(a, org, b)
        r = a.delete(f"/api/orgs/{org['id']}/members/{a.account['id']}")
        self.assertError(r, 409, "conflict")
        self.assertEqual(a.get("/api/orgs").json()["orgs"][0]["role"], "owner")
        # With a second owner, the first may leave; then the second is the last one.
        self.add_member(a, org, c, role="owner")
        r = a.delete(f"/api/orgs/{org['id']}/members/{a.account['id']}")
        self.assertEqual(r.status, 204, r)
        self.assertEqual(a.get("/api/orgs").json(), {"orgs": []})
        r = c.delete(f"/api/orgs/{org['id']}/members/{c.account['id']}")
        self.assertError(r, 409, "conflict")
        self.assertEqual(c.get("/api/orgs").json()["orgs"][0]["role"], "owner")
        # A member (not an owner) may not remove the last owner either.
        r = b.delete(f"/api/orgs/{org['id']}/members/{c.account['id']}")
        self.assertError(r, 403, "forbidden")

    def test_remove_unknown_member_is_404(self):
        a = self.new_account()
        b = self.new_account()
        org = create_org(a)
        r = a.delete(f"/api/orgs/{org['id']}/members/{b.account['id']}")
        self.assertError(r, 404, "not_found")
        r = a.delete(f"/api/orgs/{org['id']}/members/acc_doesnotexist")
        self.assertError(r, 404, "not_found")

    def test_unknown_org_is_not_revealed(self):
        a = self.new_account()
        b = self.new_account()
        foreign = a.get(f"/api/orgs/{create_org(b)['id']}/members")
        r = a.get("/api/orgs/org_doesnotexist/members")
        self.assertError(r, 403, "forbidden")
        self.assertEqual(r.json(), foreign.json())

    def test_owner_lists_and_revokes_org_keys(self):
        a = self.new_account()
        b = self.new_account()
        c = self.new_account()
        org = create_org(a, "Shared")
        other_org = create_org(a, "Other")
        self.add_member(a, org, b)
        bkey, bsecret = create_key(b, "b scoped", org_id=org["id"])
        create_key(b, "b unscoped")
        akey, _ = create_key(a, "a scoped", org_id=org["id"])
        create_key(a, "a other", org_id=other_org["id"])
        create_key(c, "c unscoped")

        r = a.get(f"/api/orgs/{org['id']}/keys")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(set(r.json()), {"keys", "next_cursor"})
        keys = r.json()["keys"]
        self.assertEqual(sorted(k["id"] for k in keys), sorted([bkey["id"], akey["id"]]))
        for k in keys:
            self.assertEqual(set(k), KEY_FIELDS | {"account_id", "email"})
            self.assertEqual(k["org_id"], org["id"])
            self.assertEqual(k["org_name"], "Shared")
            self.assertTrue(TIME_RE.match(k["created_at"]))
            self.assertNotIn("secret", k)
        by_id = {k["id"]: k for k in keys}
        self.assertEqual(by_id[bkey["id"]]["account_id"], b.account["id"])
        self.assertEqual(by_id[bkey["id"]]["email"], b.email)
        self.assertEqual(by_id[akey["id"]]["email"], a.email)
        self.assertNotIn(bsecret, r.body)

        # Members who are not owners, and outsiders, may not.
        self.assertError(b.get(f"/api/orgs/{org['id']}/keys"), 403, "forbidden")
        self.assertError(c.get(f"/api/orgs/{org['id']}/keys"), 403, "forbidden")
        self.assertError(b.post(f"/api/orgs/{org['id']}/keys/{akey['id']}/revoke"), 403,
                         "forbidden")

        self.assertEqual(self.client().get("/api/v1/me", bearer=bsecret).status, 200)
        r = a.post(f"/api/orgs/{org['id']}/keys/{bkey['id']}/revoke")
        self.assertEqual(r.status, 200, r)
        body = r.json()
        if body is not None and "key" in body:
            self.assertEqual(body["key"]["id"], bkey["id"])
            self.assertEqual(body["key"]["status"], "revoked")
        self.assertError(self.client().get("/api/v1/me", bearer=bsecret), 401, "key_revoked")
        listed = {k["id"]: k for k in b.get("/api/keys").json()["keys"]}
        self.assertEqual(listed[bkey["id"]]["status"], "revoked")
        self.assertTrue(TIME_RE.match(listed[bkey["id"]]["revoked_at"]))
        org_keys = {k["id"]: k for k in a.get(f"/api/orgs/{org['id']}/keys").json()["keys"]}
        self.assertEqual(org_keys[bkey["id"]]["status"], "revoked")

    def test_owner_cannot_revoke_keys_outside_the_org(self):
        a = self.new_account()
        b = self.new_account()
        org = create_org(a)
        org2 = create_org(a)
        self.add_member(a, org, b)
        unscoped, s1 = create_key(b, "b unscoped")
        scoped2, s2 = create_key(a, "scoped elsewhere", org_id=org2["id"])
        for key in (unscoped, scoped2):
            with self.subTest(key=key["name"]):
                r = a.post(f"/api/orgs/{org['id']}/keys/{key['id']}/revoke")
                self.assertError(r, 404, "not_found")
        r = a.post(f"/api/orgs/{org['id']}/keys/key_doesnotexist/revoke")
        self.assertError(r, 404, "not_found")
        for s in (s1, s2):
            self.assertEqual(self.client().get("/api/v1/me", bearer=s).status, 200)

    def test_member_removal_cuts_scoped_and_unscoped_keys_at_once(self):
        a = self.new_account()
        b = self.new_account()
        org = create_org(a)
        self.add_member(a, org, b)
        _, scoped = create_key(b, "scoped", org_id=org["id"])
        _, unscoped = create_key(b, "unscoped")
        anon = self.client()
        for s in (scoped, unscoped):
            r = anon.get(f"/api/v1/orgs/{org['id']}/agents", bearer=s)
            self.assertEqual(r.status, 200, r)
            r = anon.post("/api/v1/keys/verify", {"key": s, "org_id": org["id"]})
            self.assertTrue(r.json()["valid"], r)
        self.assertEqual(a.delete(f"/api/orgs/{org['id']}/members/{b.account['id']}").status,
                         204)
        for s in (scoped, unscoped):
            with self.subTest(scoped=(s == scoped)):
                r = anon.get(f"/api/v1/orgs/{org['id']}/agents", bearer=s)
                self.assertError(r, 403, "forbidden")
                r = anon.post(f"/api/v1/orgs/{org['id']}/hosts",
                              {"name": "h", "address": "10.0.0.1"}, bearer=s)
                self.assertError(r, 403, "forbidden")
                r = anon.get("/api/v1/orgs", bearer=s)
                self.assertEqual(r.status, 200, r)
                self.assertEqual(r.json(), {"orgs": []})
                r = anon.post("/api/v1/keys/verify", {"key": s, "org_id": org["id"]})
                self.assertEqual(r.status, 200, r)
                self.assertEqual(r.json()["valid"], False)
                self.assertEqual(r.json()["code"], "forbidden")
        r = anon.get("/api/v1/me", bearer=unscoped)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["orgs"], [])

    def test_forbidden_to_create_key_scoped_to_foreign_org(self):
        a = self.new_account()
        b = self.new_account()
        org = create_org(a)
        r = b.post("/api/keys", {"name": "sneaky", "org_id": org["id"]})
        self.assertError(r, 403, "forbidden")
        self.assertEqual(b.get("/api/keys").json(), {"keys": [], "next_cursor": None})

    def test_outsider_cannot_see_org(self):
        a = self.new_account()
        b = self.new_account()
        org = create_org(a)
        self.assertError(b.get(f"/api/orgs/{org['id']}/members"), 403, "forbidden")
        self.assertNotIn(org["id"], b.get("/api/orgs").body)
        _, bsecret = create_key(b)
        anon = self.client()
        self.assertError(anon.get(f"/api/v1/orgs/{org['id']}/agents", bearer=bsecret), 403,
                         "forbidden")
        self.assertError(anon.get(f"/api/v1/orgs/{org['id']}/hosts", bearer=bsecret), 403,
                         "forbidden")
        self.assertError(anon.get(f"/api/v1/orgs/{org['id']}/agents", bearer=make_key()), 401,
                         "key_invalid")


if __name__ == "__main__":
    unittest.main()
