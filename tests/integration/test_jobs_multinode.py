"""Periodic jobs on two nodes sharing PostgreSQL (issue 15): each job runs once per interval in
the whole cluster, not once per node. Both nodes tick every second (the jobs' intervals set to
1 s); /metrics counts each node's ticks by job and result, and the job_runs row the runs of the
whole cluster. The unused-key revocation done by one node stops the key on both."""

import re
import time
import unittest

from harness import (Client, TwoNodesTestCase, create_key, create_org, psql, refused_after,
                     wait_until)

JOBS = ("expiry_notices", "session_purge", "unused_key_revocation")
METRIC = re.compile(r'^tfzo_job_runs_total\{job="([a-z_]+)",result="([a-z]+)"\} (\d+)$', re.M)
DAY = 86400
LIMIT = 1.0  # seconds: docs/spec/API.md's bound for a revocation on every node


def job_ticks(node):
    """{(job, result): count} from the node's /metrics."""
    r = Client(node).get("/metrics")
    assert r.status == 200, r
    return {(job, result): int(n) for job, result, n in METRIC.findall(r.body)}


class PeriodicJobsTwoNodesTest(TwoNodesTestCase):
    node_args = ("--expiry-notice-interval", "1", "--session-purge-interval", "1",
                 "--unused-key-revocation-interval", "1")

    def cluster_runs(self, job):
        return int(psql(self.a.db, f"SELECT runs FROM job_runs WHERE job = '{job}'") or 0)

    def test_each_job_runs_once_per_interval_in_the_cluster(self):
        time.sleep(1.5)  # both nodes ticking
        before = [job_ticks(n) for n in self.nodes]
        runs_before = {job: self.cluster_runs(job) for job in JOBS}
        start = time.monotonic()
        time.sleep(6)
        after = [job_ticks(n) for n in self.nodes]
        runs_after = {job: self.cluster_runs(job) for job in JOBS}
        elapsed = time.monotonic() - start

        def delta(job, result):
            return sum(a.get((job, result), 0) - b.get((job, result), 0)
                       for a, b in zip(after, before))

        for job in JOBS:
            ran, skipped = delta(job, "ran"), delta(job, "skipped")
            self.assertEqual(delta(job, "failed"), 0, job)
            # Two nodes tick about twice per second between them (one node alone would run
            # every tick); at most one run per second is kept, in the whole cluster.
            self.assertLessEqual(ran, int(elapsed) + 2, (job, ran, skipped))
            self.assertGreaterEqual(ran, int(elapsed) // 2, (job, ran, skipped))
            self.assertGreaterEqual(ran + skipped, int(elapsed) + 3, (job, ran, skipped))
            self.assertGreaterEqual(skipped, 3, (job, ran, skipped))
            # The row counts the cluster's runs: those of both nodes, no more.
            self.assertLessEqual(abs((runs_after[job] - runs_before[job]) - ran), 2, job)

    def test_an_unused_key_revoked_by_one_node_stops_on_both(self):
        owner = Client(self.a)
        owner.signup()
        org = create_org(owner)
        key, secret = create_key(owner, "idle", org_id=org["id"])
        _, fresh_secret = create_key(owner, "busy", org_id=org["id"])
        for node in self.nodes:  # both nodes hold the key's state in their caches
            self.assertEqual(Client(node).get("/api/v1/me", bearer=secret).status, 200)
        time.sleep(5)  # both nodes' uses written (every 2 s): none may land after the old time
        old = int(time.time()) - 10 * DAY
        psql(self.a.db, f"UPDATE api_keys SET created_at = {old} WHERE id = '{key['id']}'; "
                        f"UPDATE key_uses SET last_used_at = {old} WHERE key_id = '{key['id']}'")
        r = owner.request("PUT", f"/api/orgs/{org['id']}/policy", {"revoke_unused_after_days": 7})
        self.assertEqual(r.status, 200, r)
        self.assertTrue(wait_until(lambda: psql(
            self.a.db, f"SELECT revoked_at IS NOT NULL FROM api_keys WHERE id = '{key['id']}'")
            == "t", timeout=10))
        start = time.monotonic()  # committed: every node refuses it within a second
        for node in self.nodes:
            self.assertIsNotNone(refused_after(Client(node), secret, start, limit=LIMIT), node)
            self.assertEqual(Client(node).get("/api/v1/me", bearer=fresh_secret).status, 200)
        self.assertEqual(psql(self.a.db, "SELECT count(*) FROM audit_events WHERE action = "
                                         f"'key.revoked_unused' AND target_id = '{key['id']}'"),
                         "1")


if __name__ == "__main__":
    unittest.main()
