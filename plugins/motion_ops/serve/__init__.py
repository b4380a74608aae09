"""Serving readers and operators over HTTP: FastAPI apps (no Airflow import); the Airflow plugin
(``plugins/motion_ops_plugin.py``) mounts them in the api-server."""
