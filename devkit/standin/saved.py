"""A feed source of saved pages (``{(category, skiptoken): bytes}``): the sync loop without HTTP,
for tests and ``bench/sync.py``."""
from __future__ import annotations

from motion_ops.parsers.feedpage import FeedPage, parse_page


class SavedFeed:
    """Serves saved pages through the two methods the sync reads a feed with."""

    def __init__(self, pages: dict[tuple[str, int | None], bytes]):
        self.pages = pages

    def feed_page_bytes(self, category: str, skiptoken: int | None = None) -> bytes:
        return self.pages[(category, skiptoken)]

    def feed_page(self, category: str, skiptoken: int | None = None) -> FeedPage:
        return parse_page(self.pages[(category, skiptoken)], where=f"{category} page after skiptoken {skiptoken}")
