"""What every command of the command line shares: its argument types, the store it talks to and
the files it reads."""
from __future__ import annotations

import argparse

from motion_ops.store.db import Store


def positive(value: str) -> int:
    n = int(value)
    if n < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, got {n}")
    return n


def guid(value: str) -> str:
    from motion_ops.parsers.feedpage import is_guid

    if not is_guid(value):
        raise argparse.ArgumentTypeError(f"{value!r} is not a motion id (a GUID)")
    return value.lower()


def read(path: str, max_bytes: int) -> bytes:
    """A file's bytes, refusing one larger than ``max_bytes`` before reading it."""
    with open(path, "rb") as f:
        data = f.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise ValueError(f"{path} is larger than {max_bytes} bytes (raise --max-bytes to read it)")
    return data


def store(args: argparse.Namespace) -> Store:
    """The store of ``--dsn``, else of the ``motion_db`` Airflow connection."""
    if args.dsn:
        return Store(args.dsn)
    from motion_ops.hooks import MotionDbHook

    return MotionDbHook().get_conn()
