SELECT coalesce(max(seq), 0) AS upto FROM alert_arrivals
