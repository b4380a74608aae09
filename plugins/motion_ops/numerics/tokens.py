"""The one token estimate: how many tokens a text of so many characters is, before it is sent.

Used by the embedding budget and pilot (``max_tokens``, the backlog's estimate) and by the
summaries' router (does a motion's request fit a backend's ``context_window``). Providers count
differently (BPE tokenizers give ~3.5-4 characters a token on Dutch, some count characters), so it
is an estimate: 4 characters a token, rounded up, as the README documents. The summaries' router
used 3.0 before; no test showed that difference to matter: its estimate also counts an allowance
for the JSON schema, and a request that still does not fit is refused by the endpoint (a 4xx the
cascade falls back on: the next backend, else the motion fails for this run or gets the extractive
summary), never sent with a cut text.
"""
from __future__ import annotations

CHARS_PER_TOKEN = 4


def token_estimate(chars: int) -> int:
    """Estimated tokens of a text of ``chars`` characters (:data:`CHARS_PER_TOKEN`, rounded up).

    :param chars: the text's length in characters.
    """
    return -(-int(chars) // CHARS_PER_TOKEN)
