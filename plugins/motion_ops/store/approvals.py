"""People's decisions on a paid LLM chain or embedding model (table ``llm_approvals``): stored, read,
and whether an embedding model may be used without one. The pilots (:mod:`motion_ops.pilot`,
:mod:`motion_ops.pilot`) ask for them; semantic search (:mod:`motion_ops.serve`) checks them."""
from __future__ import annotations

from typing import Any

from motion_ops.clients.providers import ProviderConfig, model_name
from motion_ops.store.db import Store, sql

APPROVED, REJECTED, REVOKED, PENDING = "approved", "rejected", "revoked", "pending"
EMBEDDINGS_KEY = "embeddings"  # the prompt key of an embedding model's decisions


def decision(store: Store, chain: str, prompt_key: str) -> dict[str, Any] | None:
    """The latest decision on ``chain`` for ``prompt_key``, if anyone took one."""
    return store.fetch_one("select_llm_decisions", {"chain": chain, "prompt_key": prompt_key})


def record(store: Store, *, chain: str, prompt_key: str, decision_: str, by: str, run_id: str | None = None,
           report_path: str | None = None) -> dict[str, Any]:
    """Store a decision (approved, rejected, revoked) with who took it."""
    with store.transaction() as cur:
        cur.execute(sql("upsert_llm_decision"), {"chain": chain, "prompt_key": prompt_key, "decision": decision_,
                                                 "decided_by": by, "run_id": run_id, "report_path": report_path})
        return cur.fetchone()


def decisions(store: Store) -> list[dict[str, Any]]:
    """Every chain's and model's latest decision."""
    return store.fetch("select_llm_decisions", {"chain": None, "prompt_key": None})


def embedding_chain(config: ProviderConfig) -> str:
    """What an approval of an embedding model is for: the provider kind and the stored model key."""
    return f"{config.kind.lower().replace('_', '-')}:{model_name(config)}"


def approval_needed(store: Store, chain: str, prompt_key: str, *, name: str, free: str | None) -> tuple[bool, str]:
    """Whether what ``chain`` names must be piloted (approved) first, and why (or why not): not when
    it is ``free`` (the reason), else not once approved."""
    if free is not None:
        return False, free
    d = decision(store, chain, prompt_key)
    if d and d["decision"] == APPROVED:
        return False, f"{name} approved by {d['decided_by']} on {d['decided_at']:%Y-%m-%d %H:%M}"
    return True, f"{name} has not been approved" + (f" ({d['decision']} by {d['decided_by']})" if d else "")


def embedding_needed(store: Store, config: ProviderConfig) -> tuple[bool, str]:
    """Whether this embedding model must be piloted (approved) first, and why (or why not)."""
    name = embedding_chain(config)
    return approval_needed(store, name, EMBEDDINGS_KEY, name=name,
                           free=f"{name} runs here at no cost" if config.embedded else None)