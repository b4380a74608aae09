"""PostgreSQL's binary ``COPY`` format for the similarity tables, encoded and decoded with numpy
structured dtypes (no per-row Python): vectors out, neighbour and floor rows in and out."""
from __future__ import annotations

import uuid
from typing import Any

import numpy as np

from motion_ops.store.db import Store, sql

HEADER = b"PGCOPY\n\xff\r\n\x00" + b"\x00\x00\x00\x00" + b"\x00\x00\x00\x00"
TRAILER = b"\xff\xff"


def uuid_keys(ids: list[str]) -> np.ndarray:
    """16-byte keys of uuid strings, in order."""
    return np.frombuffer(b"".join(uuid.UUID(m).bytes for m in ids), dtype="V16") if ids else np.zeros(0, "V16")


def copy_body(buf: bytes) -> memoryview:
    """The rows of a binary COPY stream, without its header and trailer."""
    ext = int.from_bytes(buf[15:19], "big")
    return memoryview(buf)[19 + ext: len(buf) - 2]


def copy_out(store: Store, name: str, params: dict[str, Any]) -> bytes:
    """Run a named ``COPY ... TO STDOUT (FORMAT BINARY)`` and return the whole stream."""
    buf = bytearray()
    with store.transaction() as cur:
        with cur.copy(sql(name), params) as cp:
            for chunk in cp:
                buf += chunk
    return bytes(buf)


def rows_of(ids: list[str], keys: np.ndarray) -> np.ndarray:
    """Row numbers of 16-byte uuid ``keys`` in ``ids`` (sorted by id), -1 where absent."""
    if not ids:
        return np.full(len(keys), -1, dtype=np.int64)
    sorted_ids = uuid_keys(ids).view("S16")
    keys = np.ascontiguousarray(keys).view("S16")
    pos = np.minimum(np.searchsorted(sorted_ids, keys), len(ids) - 1)
    return np.where(sorted_ids[pos] == keys, pos, -1).astype(np.int64)


def parse_binary_vectors(buf: bytes, dims: int) -> tuple[list[str], np.ndarray]:
    """Parse ``COPY (SELECT uuid, vector) TO STDOUT (FORMAT BINARY)`` of fixed-``dims`` vectors."""
    body = copy_body(buf)
    row = np.dtype([("nf", ">i2"), ("l1", ">i4"), ("id", "V16"), ("l2", ">i4"), ("dim", ">i2"), ("unused", ">i2"),
                    ("vec", ">f4", (dims,))])
    if len(body) % row.itemsize:
        raise ValueError(f"binary COPY body of {len(body)} bytes is not a whole number of {dims}-d rows")
    rows = np.frombuffer(body, dtype=row)
    if len(rows) and (np.any(rows["dim"] != dims) or np.any(rows["l1"] != 16)):
        raise ValueError("binary COPY rows do not match the expected layout")
    ids = [str(uuid.UUID(bytes=bytes(b))) for b in rows["id"]]
    return ids, rows["vec"].astype(np.float32)



NEIGHBOUR_ROW = np.dtype([("nf", ">i2"), ("l1", ">i4"), ("motion", "V16"), ("l2", ">i4"), ("rank", ">i4"),
                          ("l3", ">i4"), ("neighbour", "V16"), ("l4", ">i4"), ("score", ">f4")])


def parse_binary_neighbours(buf: bytes) -> np.ndarray:
    """Parse ``COPY (SELECT motion_id, rank, neighbour_id, score) TO STDOUT (FORMAT BINARY)``:
    a structured array with fields ``motion``, ``rank``, ``neighbour``, ``score``."""
    return np.frombuffer(copy_body(buf), dtype=NEIGHBOUR_ROW)


def neighbours_copy_payload(version: int, ids: list[str], idx: np.ndarray, scores: np.ndarray,
                            first_rank: int = 1, components: dict[str, np.ndarray] | None = None) -> bytes:
    """Binary COPY rows (version, motion_id, rank, neighbour_id, score) for valid neighbours, and
    with ``components`` (see :func:`motion_ops.numerics.relatedness.components`) their columns
    text_score, vote_same, vote_common, vote_correlation, shared_submitters, same_dossier, same_debate."""
    valid = idx >= 0
    rows_i, ranks = np.nonzero(valid)
    id_bytes = uuid_keys(ids)
    fields = [("nf", ">i2"), ("l1", ">i4"), ("version", ">i8"), ("l2", ">i4"), ("motion", "V16"), ("l3", ">i4"),
              ("rank", ">i4"), ("l4", ">i4"), ("neighbour", "V16"), ("l5", ">i4"), ("score", ">f4")]
    extra = [("text", ">f4"), ("same", ">i2"), ("common", ">i2"), ("vote_correlation", ">f4"),
             ("shared_submitters", ">i2"), ("same_dossier", "u1"), ("same_debate", "u1")] if components is not None else []
    for name, kind in extra:
        fields += [(f"l_{name}", ">i4"), (name, kind)]
    rec = np.zeros(len(rows_i), dtype=np.dtype(fields))
    rec["nf"], rec["l1"], rec["l2"], rec["l3"], rec["l4"], rec["l5"] = 5 + len(extra), 8, 16, 4, 16, 4
    rec["version"] = version
    rec["motion"] = id_bytes[rows_i]
    rec["rank"] = ranks + first_rank
    rec["neighbour"] = id_bytes[idx[rows_i, ranks]]
    rec["score"] = scores[rows_i, ranks]
    for name, kind in extra:
        rec[f"l_{name}"] = np.dtype(kind).itemsize
        rec[name] = components[name][rows_i, ranks]
    return HEADER + rec.tobytes() + TRAILER


def floors_copy_payload(version: int, ids: list[str], floors: np.ndarray) -> bytes:
    """Binary COPY rows (version, motion_id, floor)."""
    rec = np.zeros(len(ids), dtype=np.dtype([("nf", ">i2"), ("l1", ">i4"), ("version", ">i8"), ("l2", ">i4"),
                                             ("motion", "V16"), ("l3", ">i4"), ("floor", ">f4")]))
    rec["nf"], rec["l1"], rec["l2"], rec["l3"] = 3, 8, 16, 4
    rec["version"] = version
    if ids:
        rec["motion"] = uuid_keys(ids)
    rec["floor"] = floors
    return HEADER + rec.tobytes() + TRAILER
