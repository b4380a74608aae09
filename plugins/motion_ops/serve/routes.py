"""The readers' app's routes as values: paths, the motion key's form, limits and defaults. The
app's routes and the fast path (:class:`motion_ops.serve.cache.RelatedFastPath`) both read them,
so the fast path answers exactly the requests the route would."""
from __future__ import annotations

import ipaddress
import re
from typing import Any

KEY_CHARS = "0-9A-Za-z-"  # a motion's id (uuid) or Zaak number
KEY_MAX_LENGTH = 64
API = "/api"  # JSON answers, errors too; everything else but HEALTHZ is a page
HEALTHZ = "/healthz"
MOTIONS = API + "/motions"
MOTION = MOTIONS + "/{key}"
RELATED = MOTION + "/related"
SIBLINGS = MOTION + "/siblings"
VERSIONS = API + "/versions"
VERSION_DIFF = VERSIONS + "/{a}/diff/{b}"
CURATED = API + "/curated"  # the curated motions; PUT/DELETE CURATED_MOTION with the write token
CURATED_MOTION = CURATED + "/{key}"

MIN_LIMIT, MAX_LIMIT = 1, 100  # items a page of the API lists
SEARCH_LIMIT = 20  # the default page of a search
RELATED_LIMIT = 10  # the default page of related motions
SIBLINGS_LIMIT = 20  # the default page of a motion's siblings
MIN_SCORE, MAX_SCORE = -10.0, 10.0  # the bounds of a related-motions min_score
DEFAULT_MIN_SCORE = MIN_SCORE  # every listed neighbour
MAX_Q = 200  # characters of a search
MAX_DOSSIER = 40  # characters of a dossier (Kamerstuk number)
MAX_CURSOR = 600  # characters of a paging cursor
MAX_BIGINT = 2**63 - 1  # the store's version numbers


def matcher(route: str) -> re.Pattern[str]:
    """A pattern matching the whole of a path of ``route``, each ``{key}`` a group of a valid key."""
    key = f"([{KEY_CHARS}]{{1,{KEY_MAX_LENGTH}}})"
    return re.compile(re.escape(route).replace(re.escape("{key}"), key))

# parties (serve/party_api.py, serve/party_pages.py)
PARTIES = API + "/parties"
PARTY = PARTIES + "/{party:path}"  # a name may hold a "/" ("Krol/vKA")
PARTY_AGREEMENT = API + "/party-agreement"
PARTY_DISAGREEMENTS = PARTY_AGREEMENT + "/{a:path}/{b:path}"  # cut anew by parties.pair
PARTY_MATCH = API + "/party-match"
PARTY_MATCH_MOTIONS = PARTY_MATCH + "/motions"
MAX_PARTY = 60  # characters of a party's name
FEEDS = "/feeds"  # Atom feeds (errors as pages)
FEED_SEARCH = FEEDS + "/moties"  # any search: its parameters are the search's
FEED_LIKE = FEEDS + "/zoals/{key}"  # "moties zoals deze": close in meaning to a motion
EXPORTS = API + "/exports"  # the open data files, listed
EXPORT_FILE = "/exports/{name}"  # one of them


def local_site_url(request: Any) -> str | None:
    """:func:`site_url` when the request's host cannot be an outsider's (a loopback address, or a name of one
    label: ``localhost``, this machine's name), else None. The Host header is the client's word: a link
    mailed to somebody else must not be built from it (set ``MOTION_API_SITE_URL`` in production)."""
    host = (request.url.hostname or "").strip("[]").lower()
    try:
        local = ipaddress.ip_address(host).is_loopback
    except ValueError:
        local = bool(host) and "." not in host and ":" not in host
    return site_url(request) if local else None


def site_url(request: Any) -> str:
    """The app's absolute address without a trailing slash: scheme, host and the prefix it is mounted at
    (``/motion-ops`` in Airflow). Not ``request.base_url``: under a mount that is the host app's root."""
    return str(request.url.replace(path=request.scope.get("root_path", "") or "/", query="", fragment="")).rstrip("/")
