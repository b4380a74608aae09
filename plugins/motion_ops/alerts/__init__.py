"""E-mail digests: subscriptions with double opt-in (``subscriptions``), signed links (``tokens``),
what is new for each subscription (``selection``), the mails (``digest``, Jinja templates in
``templates/``), the SMTP client (``smtp``) and the digest run with its per-subscription progress
(``send``). No Airflow import: ``hooks.py`` builds the SMTP client, ``operators/alerts.py`` runs it."""
