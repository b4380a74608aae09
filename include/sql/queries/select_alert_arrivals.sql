SELECT motion_id::text AS id FROM alert_arrivals WHERE seq > %(after)s AND seq <= %(upto)s ORDER BY seq
