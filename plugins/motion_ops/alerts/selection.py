"""What is new for a subscription: of the motions that arrived since its last digest, those it
follows. A search runs through the read API's own search (:func:`motion_ops.serve.reads.search`);
"moties zoals deze" are the new motions among those closest in meaning to the motion
(:func:`motion_ops.serve.reads.alike`, as its Atom feed)."""
from __future__ import annotations

import logging
from typing import Any, Callable

from motion_ops.serve import reads
from motion_ops.store.db import Store

log = logging.getLogger(__name__)

#: a search by meaning ranks every motion: a new motion is news when it is among the first this many
TOP_RESULTS = 50

#: ``(model, vector)`` of a search query, or None when search by meaning cannot run now
QueryVector = Callable[[str], "tuple[str, list[float]] | None"]


def _filters(spec: dict[str, Any]) -> reads.Filters:
    return reads.Filters(**{k: v for k, v in (spec.get("filters") or {}).items() if k in
                            ("party", "vote", "outcome", "dossier", "since", "until")})


def new_motions(store: Store, kind: str, spec: dict[str, Any], within: list[str], *, limit: int,
                query_vector: QueryVector | None = None) -> list[dict[str, Any]]:
    """Up to ``limit`` of the motions ``within`` (ids) that a subscription of ``kind``/``spec`` follows,
    best first.

    - ``search`` by words (or filters only): every new motion with all the words that passes the filters;
    - ``search`` by meaning or hybrid: the new motions among the search's first :data:`TOP_RESULTS`
      (by words alone when the query cannot be embedded now: ``query_vector`` returned None);
    - ``dossier``: the new motions of the dossier; ``party``: those the party submitted or voted on;
    - ``like``: those among the motions closest in meaning to it (:func:`reads.alike`, as its Atom feed);
      none while it has no vector in the published model.
    """
    if not within:
        return []
    if kind == "search":
        q, mode, filters = spec.get("q"), spec.get("mode") or "text", _filters(spec)
        semantic = query_vector(q) if q and mode != "text" and query_vector is not None else None
        if semantic is None:
            return reads.search(store, q=q, mode="text", filters=filters, limit=limit, offset=0, broaden=False,
                                within=within)
        wanted = set(within)
        rows = reads.search(store, q=q, mode=mode, filters=filters, limit=TOP_RESULTS, offset=0, semantic=semantic)
        return [r for r in rows if r["id"] in wanted][:limit]
    if kind == "dossier":
        return reads.search(store, q=None, mode="text", filters=reads.Filters(dossier=spec["dossier"]), limit=limit,
                            offset=0, within=within)
    if kind == "party":
        parties = reads.Filters(party=spec["party"]).params()["parties"]
        return store.fetch("select_alert_party_motions", {"within": within, "parties": parties, "limit": limit})
    if kind == "like":  # as its Atom feed: the new motions among those closest in meaning
        rows = reads.alike(store, spec["motion"])
        wanted = set(within)
        return [r for r in rows or () if r["id"] in wanted][:limit]
    raise ValueError(f"unknown subscription kind {kind!r}")
