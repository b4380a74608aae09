"""motion-ops: an enriched, searchable copy of the Tweede Kamer's motions.

The stages, in the order the nightly DAG runs them (one module each): ``sync`` (feed pages ->
raw entities; then ``assemble`` and ``bodies``), ``embeddings``, ``similarity``, ``qa``,
``publish``. Serving readers and summaries get their own modules beside these. What the stages
use: ``clients/`` (HTTP clients, retry, embedding providers), ``parsers/`` (feed pages,
publications, hardened XML), ``numerics/`` (top-k, the relatedness score, incremental repair), ``store/``
(PostgreSQL plumbing, the audit trail), ``reports/``. Airflow appears only in ``hooks`` and
``operators``; ``run`` holds what a run hands its tasks.
"""
