"""The summaries stage, one module per step as on the enrichment side: :mod:`.plan` (the motions
whose current text has no summary for this prompt and schema), :mod:`.summarize` (one batch
through the cascade, its adapter to :mod:`motion_ops.batched`), :mod:`.retry` (what failed, with
half the batch size; counting, quarantine and its release), :mod:`.qa` (a sample checked again)
and :mod:`.publish` (the run's summaries made visible to readers).

A summary is stored only once it validated and passed the faithfulness check, one row per motion
in its own statement, keyed on (motion, text hash, prompt version, schema version): a crash
leaves no half-written summary, and a re-run summarizes only what is still missing. A model's
summary that replaces an extractive one is stored beside it, pending: readers keep the extractive
one until :func:`~motion_ops.summaries.publish.publish` swaps them in one transaction. A motion
that fails counts one failed run (quarantined after ``quarantine_after``, released by command); a
terminal backend error stops the task and charges no motion.
"""
