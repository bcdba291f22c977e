"""The unused-key revocation job (issue 15): an organization whose policy has
revoke_unused_after_days N gets its active keys (its service accounts' too) revoked once they
are unused for N days (last used, or created or rotated when not used since), each with the
audit event key.revoked_unused and a mail to its owner (a service account's: the
organization's owners). Runs on SQLite and, as test_api_*, on PostgreSQL too.

Times are set by writing the store (keys' created_at, last_used_at, rotated_at), never by
waiting days."""

import sqlite3
import time
import unittest

from harness import (Client, ServerTestCase, create_key, create_org, join, mails_in, outbox_dir,
                     psql, wait_for_mails, wait_for_queued_mails, wait_until)

DAY = 86400


def store_exec(server, statement):
    """Runs one SQL statement on the server's store, as an operator would."""
    if server.db.startswith("sqlite:"):
        conn = sqlite3.connect(server.db[len("sqlite:"):], timeout=30)
        try:
            conn.execute(statement)
            conn.commit()
        finally:
            conn.close()
    else:
        psql(server.db, statement)


def set_times(server, key_id, created, last_used=None, rotated=None):
    def value(t):
        return "NULL" if t is None else str(int(t))
    store_exec(server, f"UPDATE api_keys SET created_at = {int(created)}, "
                       f"rotated_at = {value(rotated)} WHERE id = '{key_id}'")
    store_exec(server, f"UPDATE key_uses SET last_used_at = {value(last_used)} "
                       f"WHERE key_id = '{key_id}'")


def set_policy(owner, org_id, days):
    """PUT /api/orgs/{org}/policy with revoke_unused_after_days only."""
    r = owner.request("PUT", f"/api/orgs/{org_id}/policy", {"revoke_unused_after_days": days})
    if r.status != 200 or r.json()["policy"]["revoke_unused_after_days"] != days:
        raise AssertionError(f"setting the policy failed: {r}")


class UnusedKeyRevocationTest(ServerTestCase):
    server_args = ("--unused-key-revocation-interval", "1")

    def key(self, client, key_id):
        keys = client.get("/api/keys?limit=100").json()["keys"]
        return next(k for k in keys if k["id"] == key_id)

    def org_key(self, owner, org_id, key_id):
        keys = owner.get(f"/api/orgs/{org_id}/keys?limit=100").json()["keys"]
        return next(k for k in keys if k["id"] == key_id)

    def test_keys_unused_for_the_policy_s_days_are_revoked(self):
        outbox = outbox_dir(self.server)
        owner, member = self.client(), self.client()
        owner.signup()
        member.signup()
        org = create_org(owner)
        other = create_org(owner)  # no policy
        join(owner, org["id"], member, directories=outbox)
        r = owner.post(f"/api/orgs/{org['id']}/service-accounts", {"name": "CI"})
        self.assertEqual(r.status, 201, r)
        sa = r.json()["service_account"]
        r = owner.post(f"/api/orgs/{org['id']}/service-accounts/{sa['id']}/keys",
                       {"name": "deploy"})
        self.assertEqual(r.status, 201, r)
        sa_key, sa_secret = r.json()["key"], r.json()["secret"]

        now = time.time()
        old = now - 40 * DAY
        keys = {}
        for name, client, scope in [("never-used", owner, org), ("used-yesterday", owner, org),
                                    ("used-long-ago", owner, org), ("rotated", owner, org),
                                    ("unscoped", owner, None), ("other-org", owner, other),
                                    ("member-old", member, org)]:
            fields = {"org_id": scope["id"]} if scope else {}
            keys[name] = create_key(client, name, **fields)
        set_times(self.server, keys["never-used"][0]["id"], old)
        set_times(self.server, keys["used-yesterday"][0]["id"], old, last_used=now - DAY)
        set_times(self.server, keys["used-long-ago"][0]["id"], old, last_used=now - 31 * DAY)
        set_times(self.server, keys["rotated"][0]["id"], old, last_used=now - 35 * DAY,
                  rotated=now - 2 * DAY)
        set_times(self.server, keys["unscoped"][0]["id"], old)
        set_times(self.server, keys["other-org"][0]["id"], old)
        set_times(self.server, keys["member-old"][0]["id"], old)
        set_times(self.server, sa_key["id"], old)
        set_policy(owner, org["id"], 30)

        revoked = {"never-used": owner, "used-long-ago": owner, "member-old": member}
        kept = ["used-yesterday", "rotated", "unscoped", "other-org"]
        self.assertTrue(wait_until(
            lambda: all(self.key(c, keys[n][0]["id"])["revoked_at"] for n, c in revoked.items())
            and self.org_key(owner, org["id"], sa_key["id"])["revoked_at"], timeout=20),
            "the unused keys were not revoked")
        time.sleep(1.5)  # one more run: it must leave the others alone
        for name in kept:
            self.assertIsNone(self.key(owner, keys[name][0]["id"])["revoked_at"], name)
            r = Client(self.server).get("/api/v1/me", bearer=keys[name][1])
            self.assertEqual(r.status, 200, (name, r))
        for name in revoked:
            r = Client(self.server).get("/api/v1/me", bearer=keys[name][1])
            self.assertEqual(r.status, 401, (name, r))
        r = Client(self.server).get("/api/v1/me", bearer=sa_secret)
        self.assertEqual(r.status, 401, r)

        # The audit: one key.revoked_unused per key, no actor, the org's; the owner sees all.
        events = owner.get("/api/audit?limit=200").json()["events"]
        unused = [e for e in events if e["action"] == "key.revoked_unused"]
        expected = {keys[n][0]["id"] for n in revoked} | {sa_key["id"]}
        self.assertEqual(sorted(e["target_id"] for e in unused), sorted(expected))
        for e in unused:
            self.assertIsNone(e["actor_id"])
            self.assertEqual(e["org_id"], org["id"])

        # A member sees the revocation of their own key, not the others'.
        events = member.get("/api/audit?limit=200").json()["events"]
        self.assertEqual([e["target_id"] for e in events if e["action"] == "key.revoked_unused"],
                         [keys["member-old"][0]["id"]])

        # Mails: each owner of a key; the service account's to the org's owners (not members).
        subject = "unused for 30 days"
        wait_for_mails(outbox, owner.email, count=3, subject=subject)
        wait_for_mails(outbox, member.email, count=1, subject=subject)
        wait_for_queued_mails(owner, outbox)  # then the counts are final: none comes twice
        to_owner = [m for m in mails_in(outbox, owner.email) if subject in str(m["Subject"])]
        to_member = [m for m in mails_in(outbox, member.email) if subject in str(m["Subject"])]
        self.assertEqual(len(to_owner), 3)
        self.assertEqual(len(to_member), 1)
        subjects = sorted(str(m["Subject"]) for m in to_owner)
        self.assertIn('The service account CI\'s API key "deploy" was revoked: unused for 30 '
                      'days', subjects)
        self.assertIn('Your API key "never-used" was revoked: unused for 30 days', subjects)
        body = to_member[0].get_body(("plain",)).get_content()
        self.assertIn("member-old", body)
        self.assertIn("Created, never used", body)
        self.assertIn(org["name"], body)
        self.assertNotIn(keys["member-old"][1], body)
        for secret in [s for _, s in keys.values()] + [sa_secret]:
            self.assertNotIn(secret, self.server.log())

    def test_runs_are_counted_in_metrics(self):
        def ran():
            text = Client(self.server).get("/metrics").body
            line = 'tfzo_job_runs_total{job="unused_key_revocation",result="ran"} '
            for row in text.splitlines():
                if row.startswith(line):
                    return int(row[len(line):])
            return 0
        first = ran()
        self.assertTrue(wait_until(lambda: ran() >= first + 2, timeout=10))


if __name__ == "__main__":
    unittest.main()
