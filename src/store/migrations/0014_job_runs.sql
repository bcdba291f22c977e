-- 0014: periodic jobs run once per cluster (issue 15). One row per job (expiry_notices,
-- session_purge, unused_key_revocation): when it last ran, on any node. A node runs a job only
-- when its row says no node ran it in the job's interval before, and records its run in the
-- same claim (on PostgreSQL under an advisory lock held until the run ends, so two runs never
-- overlap; docs/DESIGN.md "Periodic jobs").
CREATE TABLE job_runs (
  job TEXT PRIMARY KEY,
  last_run_at BIGINT NOT NULL,  -- when the last run started (unix seconds)
  runs BIGINT NOT NULL          -- runs so far, every node's
);
-- The unused-key revocation job reads the keys of organizations that have the rule, by owner
-- organization; 0011's api_keys_org_page (org_id, created_at, seq) serves it.
