"""The hostname a local Celery worker's tasks report (``[core] hostname_callable``): two workers on
one machine are told apart as two machines would be (``MOTION_OPS_WORKER_HOSTNAME``, else the fqdn)."""
from __future__ import annotations

import os
import socket


def worker_hostname() -> str:
    return os.environ.get("MOTION_OPS_WORKER_HOSTNAME") or socket.getfqdn()
