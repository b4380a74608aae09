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

class NotApproved(Exception):
    """A paid chain or model nobody approved (after a pilot that timed out, was rejected, or an
    approval step marked done by hand): nothing is sent, a person must decide."""


def approve_command(chain: str | None, prompt_key: str | None = None) -> str:
    """The command that approves ``chain`` (with ``prompt_key``; none: the summaries' current prompt)."""
    return f"python -m motion_ops approvals approve --chain '{chain}'" + (f" --prompt {prompt_key}" if prompt_key else "")


def refusal(why: str, *, nothing: str, step: str, chain: str, prompt_key: str | None = None) -> NotApproved:
    """The error saying what was not done (``nothing``: "embedded", "summarized") and how to decide."""
    return NotApproved(f"{why}: nothing is {nothing}. A new run pilots it and asks in {step}, or approve it with "
                       f"`{approve_command(chain, prompt_key)}`")


def require_embedding(store: Store, config: ProviderConfig) -> None:
    """No paid embedding call without a person's approval.

    :raises NotApproved: the model needs one and nobody approved it.
    """
    required, why = embedding_needed(store, config)
    if required:
        raise refusal(why, nothing="embedded", step="approve_embeddings", chain=embedding_chain(config),
                      prompt_key=EMBEDDINGS_KEY)


def embedding_pending(store: Store, config: ProviderConfig, *, manual: bool) -> str | None:
    """Why the paid model waits for a decision, in a run nobody triggered by hand (those do not
    wait for one: the night goes on without the paid step); None when approved or in a manual run."""
    if manual:
        return None
    required, why = embedding_needed(store, config)
    return f"{why}; decide in a run triggered by hand (approve_embeddings) or with the approvals CLI" if required else None
