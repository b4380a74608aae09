"""What Airflow's providers manager reads from the ``apache_airflow_provider`` entry point (see
pyproject.toml): the project's connection types, so Admin > Connections offers them with their
own form and the Test button reaches the project's hooks. No Airflow import."""
from __future__ import annotations

from typing import Any


def get_provider_info() -> dict[str, Any]:
    return {
        "package-name": "motion-ops",
        "name": "motion-ops",
        "description": "The Tweede Kamer motions pipeline: the feed and embedding-provider connections.",
        "versions": ["0.1.0"],
        "connection-types": [
            {"connection-type": "motion_feed", "hook-class-name": "motion_ops.hooks.MotionFeedHook"},
            {"connection-type": "motion_embeddings", "hook-class-name": "motion_ops.hooks.EmbeddingsHook"},
        ],
    }
