SELECT category, skiptoken, updated_at FROM feed_checkpoints ORDER BY category
