"""The Assets the DAGs share (a name is an Asset's identity; one definition, imported by both)."""
from airflow.sdk import Asset

#: updated by ``motion_enrichment`` when motion texts changed; schedules ``motion_summaries``
MOTION_TEXTS = Asset("motion_texts")
#: updated when a similarity version is published
MOTION_SIMILARITY = Asset("motion_similarity")
#: updated when a run's summaries are published
MOTION_SUMMARIES = Asset("motion_summaries")
