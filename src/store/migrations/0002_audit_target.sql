-- 0002: an account's audit log also lists the events that target it without an actor (a
-- failed or throttled sign-in for its email: whoever tried is unknown), so ListEvents looks
-- events up by target_id too.

CREATE INDEX audit_events_target_id ON audit_events (target_id, seq);
