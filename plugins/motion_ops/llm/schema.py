"""What a summary of a motion is: the output every backend must produce, validated with pydantic.

Versioned: a stored summary is keyed on (motion, text hash, :data:`PROMPT_VERSION`,
:data:`SCHEMA_VERSION`), so changing the prompt or this schema re-summarizes every motion once.
"""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

SCHEMA_VERSION = 1
MAX_SUMMARY = 700  # characters: a short paragraph

# the fixed list of topics (policy areas, in Dutch as shown to readers)
TOPICS = ("landbouw en visserij", "natuur en milieu", "klimaat en energie", "wonen", "zorg", "onderwijs",
          "werk en inkomen", "sociale zekerheid", "belastingen en financiën", "economie", "migratie en asiel",
          "justitie en veiligheid", "defensie", "buitenland en europa", "verkeer en infrastructuur",
          "digitalisering en privacy", "cultuur en media", "bestuur en democratie")
Topic = Literal[TOPICS]  # type: ignore[valid-type]
Addressee = Literal["regering", "kabinet", "minister", "staatssecretaris", "kamer", "anders"]
Field_ = Literal["summary_nl", "summary_en", "requests", "topics", "addressee"]
STATUSES = ("llm", "fallback", "extractive")


class Request(BaseModel):
    """One thing the motion asks or states, in plain words, tied to the numbered clause of the text."""

    model_config = ConfigDict(extra="forbid")
    clause: int = Field(ge=1, le=50, description="the number of the request clause in the prompt's list")
    ask: str = Field(min_length=3, max_length=400, description="what is asked, in plain Dutch (B1)")
    addressee: Addressee = Field(description="whom it asks: regering, kabinet, minister, staatssecretaris, kamer, anders")


class MotionSummary(BaseModel):
    """A motion in plain language."""

    model_config = ConfigDict(extra="forbid")
    summary_nl: str = Field(min_length=20, max_length=MAX_SUMMARY,
                            description="what the motion wants and why, in plain Dutch at B1 level, at most 4 short sentences")
    summary_en: str | None = Field(None, max_length=MAX_SUMMARY, description="the same in plain English")
    requests: list[Request] = Field(max_length=50, description="every numbered request clause, in plain words")
    topics: list[Topic] = Field(default_factory=list, max_length=3,  # type: ignore[valid-type]
                                description="at most 3 topics from the fixed list")
    inferred: list[Field_] = Field(default_factory=list,  # type: ignore[valid-type]
                                   description="the fields that are inferred rather than stated in the text")
