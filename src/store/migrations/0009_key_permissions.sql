-- 0009: least privilege for keys (issue 14).
--
-- permissions: space-separated names in canonical order (model/permissions.h); keys made
-- before permissions existed could do everything, and keep every permission.
-- allowed_ips: space-separated canonical CIDRs the key's requests must come from; '' anywhere.
-- previous_valid_until: while a rotation's overlap runs, when the previous secret stops working
-- (that secret's revoked_at in key_secrets is the same time, which is what checks read).
ALTER TABLE api_keys ADD COLUMN permissions TEXT NOT NULL
  DEFAULT 'orgs:read agents:read agents:write hosts:read hosts:write';
ALTER TABLE api_keys ADD COLUMN allowed_ips TEXT NOT NULL DEFAULT '';
ALTER TABLE api_keys ADD COLUMN previous_valid_until BIGINT;
