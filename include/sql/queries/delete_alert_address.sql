-- "Delete everything about me": every subscription of the address the signed link's subscription has,
-- in whatever capitals it was written.
DELETE FROM alert_subscriptions
WHERE lower(email) = (SELECT lower(email) FROM alert_subscriptions WHERE id = %(id)s::uuid)
RETURNING id::text AS id
