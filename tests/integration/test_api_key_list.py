"""The keys list that scales (docs/spec/API.md "Console: API keys": status, q, limit, cursor,
next_cursor), revoking several keys at once (POST /api/keys/revoke), and the per-account quotas
(--max-active-keys, --max-orgs: 409 quota_exceeded), against the real server."""

import unittest
from urllib.parse import quote

from harness import (Client, ServerTestCase, create_key, create_org, join, verify_address)


def walk(client, path, limit=None, **params):
    """Every key of the list at `path`, following next_cursor; returns (ids, pages)."""
    ids, pages, cursor = [], 0, None
    while True:
        query = dict(params)
        if limit is not None:
            query["limit"] = str(limit)
        if cursor is not None:
            query["cursor"] = cursor
        qs = "&".join(f"{k}={quote(v, safe='')}" for k, v in query.items())
        r = client.get(f"{path}?{qs}" if qs else path)
        if r.status != 200:
            raise AssertionError(f"GET {path}: {r}")
        body = r.json()
        assert set(body) == {"keys", "next_cursor"}, body.keys()
        ids += [k["id"] for k in body["keys"]]
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            return ids, pages
        if pages > 1000:
            raise AssertionError("next_cursor never ends")


class KeyListTest(ServerTestCase):

    def test_paging_through_250_keys_visits_each_once_newest_first(self):
        c = self.new_account()
        made = [create_key(c, name=f"bulk-{i:03d}")[0]["id"] for i in range(250)]
        ids, pages = walk(c, "/api/keys", limit=100)
        self.assertEqual(pages, 3)
        self.assertEqual(ids, list(reversed(made)))  # newest first, each exactly once
        # The default page is 100; a page that ends the list has next_cursor null.
        first = c.get("/api/keys").json()
        self.assertEqual(len(first["keys"]), 100)
        self.assertIsInstance(first["next_cursor"], str)
        ids7, pages7 = walk(c, "/api/keys", limit=7)
        self.assertEqual(ids7, ids)
        self.assertEqual(pages7, 36)
        # Keys created between two pages come before the first page: the walk is not disturbed.
        page = c.get("/api/keys?limit=50").json()
        create_key(c, name="newcomer")
        rest = c.get(f"/api/keys?limit=100&cursor={quote(page['next_cursor'])}").json()
        self.assertEqual([k["id"] for k in rest["keys"]], ids[50:150])

    def test_filters_and_search(self):
        c = self.new_account()
        gone, _ = create_key(c, name="old-deploy", description="retired")
        live, _ = create_key(c, name="100% uptime probe")
        other, _ = create_key(c, name="under_score", description="Deploys the FRONT end")
        accent, _ = create_key(c, name="clé de déploiement")
        self.assertEqual(c.post(f"/api/keys/{gone['id']}/revoke").status, 200)

        def ids(qs):
            r = c.get(f"/api/keys?{qs}")
            self.assertEqual(r.status, 200, r)
            return [k["id"] for k in r.json()["keys"]]

        self.assertEqual(ids("status=revoked"), [gone["id"]])
        self.assertEqual(ids("status=active"), [accent["id"], other["id"], live["id"]])
        self.assertEqual(ids("status=expired"), [])
        self.assertEqual(ids("q=" + quote("%")), [live["id"]])
        self.assertEqual(ids("q=r_s"), [other["id"]])  # every hint has "_" ("tfzo_...")
        self.assertEqual(ids("q=front%20END"), [other["id"]])
        self.assertEqual(ids("q=" + quote("CLé")), [accent["id"]])
        self.assertEqual(ids("q=DEPLOY"), [other["id"], gone["id"]])
        self.assertEqual(ids("q=DEPLOY&status=active"), [other["id"]])
        hint = live["hint"][-4:]
        self.assertIn(live["id"], ids("q=" + quote(hint)))

    def test_bad_parameters_are_400_naming_them(self):
        c = self.new_account()
        for qs, name in [("status=old", "status"), ("limit=0", "limit"), ("limit=101", "limit"),
                         ("limit=ten", "limit"), ("limit=", "limit"), ("cursor=xyz", "cursor"),
                         ("cursor=" + "A" * 80, "cursor"), ("q=" + "a" * 101, "q"),
                         ("q=%01", "q")]:
            r = c.get(f"/api/keys?{qs}")
            self.assertError(r, 400, "invalid_request")
            self.assertTrue(r.json()["error"]["message"].startswith(name + ":"), (qs, r))

    def test_another_accounts_cursor_shows_none_of_its_keys(self):
        a, b = self.new_account(), self.new_account()
        mine = [create_key(a, name=f"a-{i}")[0]["id"] for i in range(3)]
        for i in range(3):
            create_key(b, name=f"b-{i}")
        cursor = b.get("/api/keys?limit=1").json()["next_cursor"]
        got = [k["id"] for k in a.get(f"/api/keys?cursor={quote(cursor)}").json()["keys"]]
        self.assertTrue(set(got) <= set(mine), got)

    def test_an_orgs_list_pages_too_for_owners_only(self):
        owner, member = self.new_account(), self.new_account()
        org = create_org(owner)
        join(owner, org["id"], member)
        made = [create_key(member, name=f"m-{i}", org_id=org["id"])[0]["id"] for i in range(5)]
        ids, pages = walk(owner, f"/api/orgs/{org['id']}/keys", limit=2)
        self.assertEqual((ids, pages), (list(reversed(made)), 3))
        r = owner.get(f"/api/orgs/{org['id']}/keys?q=M-4")
        self.assertEqual([k["id"] for k in r.json()["keys"]], [made[4]])
        self.assertEqual(r.json()["keys"][0]["email"], member.email)
        self.assertError(owner.get(f"/api/orgs/{org['id']}/keys?limit=0"), 400, "invalid_request")
        self.assertError(member.get(f"/api/orgs/{org['id']}/keys"), 403, "forbidden")

    def test_bulk_revoke_is_all_or_nothing(self):
        a, b = self.new_account(), self.new_account()
        keys = [create_key(a, name=f"r-{i}") for i in range(3)]
        theirs, _ = create_key(b, name="theirs")
        ids = [k["id"] for k, _ in keys]
        for bad in (theirs["id"], "key_doesnotexist"):
            r = a.post("/api/keys/revoke", {"ids": ids + [bad]})
            self.assertError(r, 404, "not_found")
            self.assertTrue(r.json()["error"]["message"].startswith("ids[3]:"), r)
            self.assertNotIn(bad, r.json()["error"]["message"])
        self.assertEqual(a.get("/api/keys?status=revoked").json()["keys"], [])
        self.assertEqual(b.get("/api/keys?status=active").json()["keys"][0]["id"], theirs["id"])
        for secret in [s for _, s in keys]:
            self.assertEqual(Client(self.server).get("/api/v1/me", bearer=secret).status, 200)

        first = a.post(f"/api/keys/{ids[0]}/revoke").json()["key"]["revoked_at"]
        r = a.post("/api/keys/revoke", {"ids": ids + [ids[1]]})
        self.assertEqual(r.status, 200, r)
        answered = r.json()["keys"]
        self.assertEqual([k["id"] for k in answered], ids)
        self.assertTrue(all(k["status"] == "revoked" for k in answered))
        self.assertEqual(answered[0]["revoked_at"], first)  # the first revocation stays
        for secret in [s for _, s in keys]:
            self.assertError(Client(self.server).get("/api/v1/me", bearer=secret), 401,
                             "key_revoked")
        events = a.get("/api/audit?limit=200").json()["events"]
        revoked = [e["target_id"] for e in events if e["action"] == "key.revoked"]
        self.assertEqual(sorted(revoked), sorted(ids))  # one each, none twice

    def test_bulk_revoke_bad_bodies(self):
        a = self.new_account()
        for body, start in [({}, "ids:"), ({"ids": []}, "ids:"), ({"ids": "key_x"}, "ids:"),
                            ({"ids": ["key_x", 3]}, "ids[1]:"), ({"ids": ["k"] * 101}, "ids:"),
                            ({"ids": ["key_x"], "extra": 1}, "")]:
            r = a.post("/api/keys/revoke", body)
            self.assertError(r, 400, "invalid_request")
            self.assertTrue(r.json()["error"]["message"].startswith(start), (body, r))


class QuotaTest(ServerTestCase):
    server_args = ("--max-active-keys", "3", "--max-orgs", "2")

    def test_active_keys_quota(self):
        c = self.new_account()
        made = [create_key(c, name=f"q-{i}")[0] for i in range(3)]
        r = c.post("/api/keys", {"name": "one too many"})
        self.assertError(r, 409, "quota_exceeded")
        message = r.json()["error"]["message"]
        self.assertIn("3 active API keys", message)
        self.assertIn("revoke", message)
        self.assertEqual(len(c.get("/api/keys").json()["keys"]), 3)
        # Another account has its own quota; a revoked key frees a place.
        create_key(self.new_account(), name="elsewhere")
        self.assertEqual(c.post(f"/api/keys/{made[0]['id']}/revoke").status, 200)
        create_key(c, name="fits again")

    def test_orgs_quota_on_create_and_on_accepting_an_invitation(self):
        c = self.new_account()
        verify_address(c)
        create_org(c)
        create_org(c)
        r = c.post("/api/orgs", {"name": "Third"})
        self.assertError(r, 409, "quota_exceeded")
        self.assertIn("2 organizations", r.json()["error"]["message"])
        other = self.new_account()
        org = create_org(other)
        verify_address(other)
        r = other.post(f"/api/orgs/{org['id']}/invitations", {"email": c.email, "role": "member"})
        self.assertEqual(r.status, 202, r)
        r = c.post(f"/api/invitations/{r.json()['invitation']['id']}/accept")
        self.assertError(r, 409, "quota_exceeded")
        members = other.get(f"/api/orgs/{org['id']}/members").json()["members"]
        self.assertEqual([m["email"] for m in members], [other.email])


if __name__ == "__main__":
    unittest.main()
