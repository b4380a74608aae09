"""The params of ``motion_enrichment``, in the order of its trigger form."""
from __future__ import annotations

from motion_ops.numerics.weights import Weights
from motion_ops.params.shared import (
    APPROVAL_TIMEOUT_HOURS,
    BATCH_SIZE,
    DRY_RUN,
    MAX_BATCHES,
    MAX_COST,
    MAX_FAILURE_RATIO,
    MAX_TOKENS,
    PILOT_SIZE,
    QA_REPORTS_DIR,
    QA_SAMPLE_SIZE,
    SINCE,
    UNTIL,
)
from motion_ops.params.spec import ParamSpec

WEIGHTS = Weights()  # the score's default weights are the numerics' own

SYNC, EMBED, BUDGET, SIMILARITY, QA, WINDOW = "Sync", "Embedding", "Pilot and budget", "Similarity", "QA", "Run window"
EXPORTS = "Exports"


def _weight(name: str, default: float, title: str, description: str) -> ParamSpec:
    return ParamSpec(name, "float", default, minimum=0, maximum=1, section=SIMILARITY, title=title, description=description)


ENRICHMENT: tuple[ParamSpec, ...] = (
    ParamSpec("max_pages", "int", None, nullable=True, minimum=1, section=SYNC, title="Feed pages per category",
              description="At most this many feed pages per category in this run (empty: until caught up); "
                          "the next run continues where this one stopped."),
    ParamSpec("max_body_workers", "int", 10, minimum=1, maximum=64, section=SYNC, title="Body fetch threads",
              description="Threads fetching motion body texts (the HTTP pool is sized to match)."),
    ParamSpec("body_max_failures", "int", 5, minimum=1, section=SYNC, title="Body fetch failures allowed",
              description="Runs a body may fail before it waits for a new document version."),
    BATCH_SIZE.at(EMBED, "Motions per embed_missing instance (retry_failed uses half).", default=64, maximum=2048),
    MAX_BATCHES.at(EMBED, "At most this many embed_missing instances (also capped by Airflow's "
                          "max_map_length); the rest waits for the next run."),
    ParamSpec("embed_max_failures", "int", 3, minimum=1, section=EMBED, title="Embedding failures allowed",
              description="Runs a motion may fail to embed before it is quarantined."),
    MAX_FAILURE_RATIO.at(EMBED, "retry_failed fails the run when this share of the motions with text "
                                "failed to embed (QA checks the same share).", default=0.05),
    MAX_TOKENS.at(BUDGET, "At most this many input tokens sent to the embedding provider in this run "
                          "(estimated: 4 characters a token); the rest waits for the next run."),
    MAX_COST.at(BUDGET, "At most this cost in this run (the connection extra price_input_per_1k); "
                        "the rest waits for the next run."),
    PILOT_SIZE.at(BUDGET, "Motions a paid model nobody approved yet is piloted on before a person "
                          "approves it in approve_embeddings."),
    APPROVAL_TIMEOUT_HOURS.at(BUDGET, "approve_embeddings waits this long "
                                      "for a decision; then the run fails and nothing is embedded."),
    ParamSpec("top_n", "int", 10, minimum=1, maximum=100, section=SIMILARITY, title="Related motions",
              description="Related motions kept per motion."),
    _weight("text_weight", WEIGHTS.text, "Text weight", "Weight of the text similarity (cosine of the embedded substance)."),
    _weight("vote_weight", WEIGHTS.votes, "Vote weight",
            "Weight of the vote agreement beyond chance (the correlation of the two votes; a unanimous vote adds "
            "nothing; party identities over time; absent is missing, not disagreement)."),
    _weight("dossier_weight", WEIGHTS.dossier, "Dossier weight",
            "Added when both motions are in the same Kamerstuk dossier (0: a motion's siblings are shown apart, "
            "related motions come from anywhere)."),
    _weight("debate_weight", WEIGHTS.debate, "Debate weight", "Added when both were voted on in the same debate (agendapunt)."),
    _weight("submitter_weight", WEIGHTS.submitters, "Submitter weight", "Weight of the overlap of their submitters."),
    ParamSpec("min_common_parties", "int", 5, minimum=1, section=SIMILARITY, title="Fewest common parties",
              description="Vote agreement is shown only over at least this many parties that "
                          "voted on both motions."),
    ParamSpec("min_score", "float", 0.0, minimum=-1, maximum=2, section=SIMILARITY, title="Minimum score",
              description="Related motions scoring below this are not listed (lists may be shorter "
                          "than the number of related motions)."),
    _weight("incremental_threshold", 0.05, "Incremental threshold",
            "Recompute only what can change when at most this share of motions "
            "changed since the current version (0 = always in full)."),
    ParamSpec("keep_versions", "int", 3, minimum=1, section=SIMILARITY, title="Versions kept",
              description="Similarity versions kept besides the current one."),
    QA_SAMPLE_SIZE.at(QA, "Motions sampled by qa_sample."),
    ParamSpec("qa_enforce", "bool", True, section=QA, title="QA blocks publishing",
              description="A failing QA check keeps the new version from readers (off: publish anyway)."),
    ParamSpec("qa_min_coverage", "float", 0.95, minimum=0, maximum=1, section=QA, title="Minimum coverage",
              description="Share of live motions with text that must have a vector."),
    ParamSpec("qa_max_score_shift", "float", 0.15, minimum=0, maximum=2, section=QA, title="Largest score shift",
              description="Largest change of the median rank-1 score against the published version."),
    ParamSpec("qa_min_relevance", "float", 0.10, minimum=0, maximum=1, section=QA, title="Minimum relevance",
              description="Share of sampled neighbours in the same dossier or dossier title."),
    QA_REPORTS_DIR,
    ParamSpec("exports_dir", "str", None, nullable=True, section=EXPORTS, title="Exports folder",
              description="Folder of the open CSV exports (empty: $MOTION_OPS_EXPORTS_DIR, else $AIRFLOW_HOME/exports; "
                          "the read API serves $MOTION_OPS_EXPORTS_DIR)."),
    DRY_RUN.at(WINDOW, "Plan only: no feed reads, no writes; sync_content's summary says what would run."),
    SINCE.at(WINDOW, "Only fetch bodies for and embed motions dated on or after this day."),
    UNTIL.at(WINDOW, "... and before this day (similarity is then left to the next full run)."),
)
