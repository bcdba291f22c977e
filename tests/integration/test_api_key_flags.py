"""A key's flags (docs/spec/API.md "Key flags"): unused_90_days, rotation_due, expiring_soon and
owner_left_org in every key object and in /api/v1/me's, and status=needs_attention on both keys
lists, against the real server (SQLite, or PostgreSQL with TFZO_TEST_DB_URL).

A key is made 90 days old by moving its times back in the store itself: the server has no
clock to move, and the lists read the store at each request."""

import sqlite3
import time
import unittest
from urllib.parse import quote

from harness import ServerTestCase, create_key, create_org, join, psql, rfc3339

DAY = 86400


def write_store(server, sql):
    """Runs one statement in `server`'s own store (its SQLite file, or its PostgreSQL)."""
    if server.db.startswith("postgresql"):
        psql(server.db, sql)
        return
    conn = sqlite3.connect(server.db[len("sqlite:"):], timeout=10)
    try:
        conn.execute(sql)
        conn.commit()
    finally:
        conn.close()


def age_key(server, key, days, column="created_at"):
    """Moves `column` of `key` back by `days` days."""
    write_store(server, f"UPDATE api_keys SET {column} = {column} - {days * DAY} "
                        f"WHERE id = '{key['id']}'")


class KeyFlagsTest(ServerTestCase):

    def store(self, sql):
        write_store(self.server, sql)

    def age(self, key, days, column="created_at"):
        age_key(self.server, key, days, column)

    def set_time(self, key, column, days_ago):
        value = int(time.time()) - days_ago * DAY
        if column == "last_used_at":  # a key's last use has a table of its own (0017)
            self.store(f"UPDATE key_uses SET last_used_at = {value} WHERE key_id = '{key['id']}'")
        else:
            self.store(f"UPDATE api_keys SET {column} = {value} WHERE id = '{key['id']}'")

    def flags_by_name(self, client, path="/api/keys?status=active"):
        r = client.get(path)
        self.assertEqual(r.status, 200, r)
        return {k["name"]: k["flags"] for k in r.json()["keys"]}

    def ids(self, client, path):
        r = client.get(path)
        self.assertEqual(r.status, 200, r)
        return [k["id"] for k in r.json()["keys"]]

    def test_each_flag_in_the_key_objects_and_only_on_active_keys(self):
        c = self.new_account()
        fresh, _ = create_key(c, name="fresh")
        old, _ = create_key(c, name="old")
        self.age(old, 100)
        rotated, _ = create_key(c, name="rotated-unused")  # rotated lately, never used
        self.age(rotated, 200)
        self.set_time(rotated, "rotated_at", 10)
        used, _ = create_key(c, name="used-unrotated")
        self.age(used, 95)
        self.set_time(used, "last_used_at", 1)
        soon, _ = create_key(c, name="soon", expires_at=rfc3339(time.time() + 3 * DAY))
        gone, _ = create_key(c, name="gone")
        self.age(gone, 100)
        self.assertEqual(c.post(f"/api/keys/{gone['id']}/revoke").status, 200)
        expired, _ = create_key(c, name="expired", expires_at=rfc3339(time.time() + DAY))
        self.age(expired, 100)
        self.age(expired, 2, column="expires_at")

        everything = self.flags_by_name(c, "/api/keys")
        self.assertEqual(everything, {
            "fresh": [], "old": ["unused_90_days", "rotation_due"],
            "rotated-unused": ["unused_90_days"], "used-unrotated": ["rotation_due"],
            "soon": ["expiring_soon"], "gone": [], "expired": []})
        # The answers of a single key's changes carry them too.
        r = c.patch(f"/api/keys/{old['id']}", {"name": "old-renamed"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["key"]["flags"], ["unused_90_days", "rotation_due"])
        # Rotating resets rotation_due (and the never-used clock starts again from creation).
        r = c.post(f"/api/keys/{used['id']}/rotate", {})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["key"]["flags"], [])

    def test_needs_attention_lists_active_flagged_keys_page_by_page(self):
        c = self.new_account()
        made = {}
        for name in ("a-old", "b-fresh", "c-old", "d-soon", "e-fresh"):
            fields = {"expires_at": rfc3339(time.time() + 2 * DAY)} if "soon" in name else {}
            made[name], _ = create_key(c, name=name, **fields)
        self.age(made["a-old"], 120)
        self.age(made["c-old"], 91)
        gone, _ = create_key(c, name="gone-old")
        self.age(gone, 300)
        self.assertEqual(c.post(f"/api/keys/{gone['id']}/revoke").status, 200)

        want = [made["d-soon"]["id"], made["c-old"]["id"], made["a-old"]["id"]]  # newest first
        self.assertEqual(self.ids(c, "/api/keys?status=needs_attention"), want)
        walked, cursor = [], None
        for _ in range(5):
            path = "/api/keys?status=needs_attention&limit=1"
            r = c.get(path + (f"&cursor={quote(cursor)}" if cursor else ""))
            self.assertEqual(r.status, 200, r)
            walked += [k["id"] for k in r.json()["keys"]]
            cursor = r.json()["next_cursor"]
            if cursor is None:
                break
        self.assertEqual(walked, want)
        self.assertEqual(self.ids(c, "/api/keys?status=needs_attention&q=A-OLD"),
                         [made["a-old"]["id"]])
        for k in c.get("/api/keys?status=needs_attention").json()["keys"]:
            self.assertTrue(k["flags"], k)
            self.assertEqual(k["status"], "active")

    def test_owner_left_org_is_flagged_in_the_orgs_list_and_not_for_service_accounts(self):
        owner, member = self.new_account(), self.new_account()
        org = create_org(owner)
        join(owner, org["id"], member)
        theirs, secret = create_key(member, name="theirs", org_id=org["id"])
        mine, _ = create_key(owner, name="mine", org_id=org["id"])
        r = owner.post(f"/api/orgs/{org['id']}/service-accounts", {"name": "CI"})
        self.assertEqual(r.status, 201, r)
        sa = r.json()["service_account"]
        r = owner.post(f"/api/orgs/{org['id']}/service-accounts/{sa['id']}/keys", {"name": "ci"})
        self.assertEqual(r.status, 201, r)
        self.assertEqual(r.json()["key"]["flags"], [])
        org_keys = f"/api/orgs/{org['id']}/keys"
        self.assertEqual(self.ids(owner, org_keys + "?status=needs_attention"), [])
        # /api/v1/me keeps an answer per key: the departure must show in it at once.
        me = self.client().request("GET", "/api/v1/me", bearer=secret)
        self.assertEqual(me.json()["key"]["flags"], [])

        r = owner.delete(f"/api/orgs/{org['id']}/members/{member.account['id']}")
        self.assertEqual(r.status, 204, r)
        self.assertEqual(self.ids(owner, org_keys + "?status=needs_attention"), [theirs["id"]])
        flags = self.flags_by_name(owner, org_keys)
        self.assertEqual(flags, {"theirs": ["owner_left_org"], "mine": [], "ci": []})
        self.assertEqual(self.flags_by_name(member, "/api/keys?status=needs_attention"),
                         {"theirs": ["owner_left_org"]})
        me = self.client().request("GET", "/api/v1/me", bearer=secret)
        self.assertEqual(me.status, 200, me)
        self.assertEqual(me.json()["key"]["flags"], ["owner_left_org"])
        self.assertNotIn(mine["id"], self.ids(owner, "/api/keys?status=needs_attention"))

    def test_me_shows_the_flags_but_never_unused_since_the_request_is_a_use(self):
        c = self.new_account()
        old, secret = create_key(c, name="old")
        self.age(old, 100)  # before its first use: the server has not cached it yet
        me = self.client().request("GET", "/api/v1/me", bearer=secret)
        self.assertEqual(me.status, 200, me)
        self.assertEqual(me.json()["key"]["flags"], ["rotation_due"])
        _, soon = create_key(c, name="soon", expires_at=rfc3339(time.time() + DAY))
        me = self.client().request("GET", "/api/v1/me", bearer=soon)
        self.assertEqual(me.json()["key"]["flags"], ["expiring_soon"])

    def test_a_bad_status_names_needs_attention_among_the_choices(self):
        c = self.new_account()
        r = c.get("/api/keys?status=attention")
        self.assertError(r, 400, "invalid_request")
        self.assertIn("needs_attention", r.json()["error"]["message"])
        self.assertTrue(r.json()["error"]["message"].startswith("status:"))


if __name__ == "__main__":
    unittest.main()
