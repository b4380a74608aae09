"""The developer kit: everything to run motion-ops on one machine without any outside service
(embedded Postgres, stand-ins for the API and an embedding provider, the demo, a local Airflow).
Never needed on a worker; nothing under ``plugins/`` imports it."""
