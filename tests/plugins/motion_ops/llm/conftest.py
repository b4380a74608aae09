import json
from pathlib import Path

import pytest

from motion_ops.llm.prompt import MotionText

SAMPLE = Path(__file__).parents[3] / "fixtures" / "real" / "motions" / "summaries.jsonl"


@pytest.fixture(scope="session")
def real_motions() -> dict[str, MotionText]:
    """Six real motions by number (see tests/fixtures/real/README.md)."""
    out = {}
    for line in SAMPLE.read_text(encoding="utf-8").splitlines():
        r = json.loads(line)
        out[r["nummer"]] = MotionText(r["zaak_id"], r["nummer"], r["onderwerp"], r["text"], r["dossier"], r["dossier_title"])
    return out
