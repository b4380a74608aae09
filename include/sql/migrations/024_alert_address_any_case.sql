-- 024 (idempotent): an address's limits and "delete everything about me" take it in any capitals
-- (Lezer@ and lezer@ reach one mailbox): its subscriptions found by lower(email).
CREATE INDEX IF NOT EXISTS alert_subscriptions_address ON alert_subscriptions (lower(email));
