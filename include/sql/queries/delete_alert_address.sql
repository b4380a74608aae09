-- "Delete everything about me": every subscription of the address the signed link's subscription has.
DELETE FROM alert_subscriptions
WHERE email = (SELECT email FROM alert_subscriptions WHERE id = %(id)s::uuid)
RETURNING id::text AS id
