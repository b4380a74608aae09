"""The relatedness score's weights and their defaults (no numpy: the DAG's params derive their
defaults from here when the DAG file is parsed)."""
from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class Weights:
    """The score's weights. Same dossier and same debate weigh nothing by default: a motion's
    siblings are shown apart (``/siblings``), so its related motions can come from anywhere."""

    text: float = 0.7
    votes: float = 0.1
    dossier: float = 0.0
    debate: float = 0.0
    submitters: float = 0.05
    min_common_parties: int = 5

    def as_params(self) -> dict[str, Any]:
        return asdict(self)
