-- "I did not ask for this": every unconfirmed request of the address the signed confirmation link's
-- request has (in any capitals), that one included; confirmed subscriptions stay.
DELETE FROM alert_subscriptions
WHERE confirmed_at IS NULL
  AND lower(email) = (SELECT lower(email) FROM alert_subscriptions WHERE id = %(id)s::uuid)
RETURNING id::text AS id
