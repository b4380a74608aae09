"""The digest run: register what the published version brought, then for each confirmed
subscription whose day's or week's digest is due, send what is new and record its progress.

**What a retried or cleared task can do.** Each subscription is handled in one transaction that
locks its row (``FOR UPDATE SKIP LOCKED``: a second sender skips it), reads what is new, hands the
digest to the SMTP server and records "sent up to arrival N, for period P, on day D" before it
commits. A task cleared or retried after that commit finds the day recorded and sends nothing; so
does an older day's run cleared after a later one sent (a digest is due only on a later day, or in
a later week for a weekly one), and a switch between daily and weekly on a day a digest went out. The one gap
is a crash after the server accepted the mail and before the commit (the process killed, the store
gone): that digest is sent once more on the next try, with the same Message-ID
(``<subscription.period@motion-ops>``, :func:`motion_ops.alerts.digest.digest_id`), so a mail client can tell it is the same. So:
never a digest lost, at most one duplicate per such crash, never two digests a period otherwise.
"""
from __future__ import annotations

import datetime as dt
import logging
from contextlib import ExitStack
from dataclasses import asdict, dataclass
from typing import Any, Callable
from zoneinfo import ZoneInfo

from motion_ops.alerts import digest, subscriptions, tokens
from motion_ops.alerts.selection import QueryVector, new_motions
from motion_ops.alerts.smtp import MailUnavailable, RecipientRefused
from motion_ops.store.db import Store, sql

log = logging.getLogger(__name__)
TIMEZONE = ZoneInfo("Europe/Amsterdam")


def periods(now: dt.datetime) -> dict[str, str]:
    """The day (``YYYY-MM-DD``) and ISO week (``YYYY-Www``) of ``now`` in Amsterdam, the digest's period
    (a daily digest goes out once a day, a weekly one once a week); a digest is due on ``day`` after
    its last one's day or week (``include/sql/fragments/alert_due.sql``)."""
    local = now.astimezone(TIMEZONE)
    year, week, _ = local.isocalendar()
    return {"day": local.date().isoformat(), "week": f"{year}-W{week:02d}"}


@dataclass
class DigestRun:
    """What a run did: arrivals registered, subscriptions due, digests sent, due ones with nothing
    new, refused recipients, ones another sender held."""

    arrived: int = 0
    due: int = 0
    sent: int = 0
    nothing_new: int = 0
    refused: int = 0
    held: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)

    def line(self) -> str:
        return (f"{self.sent} digests sent of {self.due} due ({self.nothing_new} with nothing new, {self.refused} "
                f"refused by the server, {self.held} held by another run); {self.arrived} motions arrived")


def query_vectors(embed: Callable[[str], list[float]] | None, model: str | None, published: str | None) -> QueryVector:
    """``q -> (model, vector)`` for searches by meaning, each query embedded once a run; None for
    every query when the embedder's model is not the published version's (searched by words then)."""
    cache: dict[str, tuple[str, list[float]] | None] = {}

    def vector(q: str) -> tuple[str, list[float]] | None:
        if embed is None or model is None or model != published:
            return None
        if q not in cache:
            try:
                cache[q] = (model, embed(q))
            except Exception as exc:  # noqa: BLE001 - by words then; the reason in the log, not the query
                log.warning("a digest query could not be embedded (%s): searched by words", type(exc).__name__)
                cache[q] = None
        return cache[q]

    return vector


def run_digests(store: Store, sender: Any, *, now: dt.datetime, site_url: str, key: bytes | Callable[[], bytes],
                max_items: int, query_vector: QueryVector | None = None, dry_run: bool = False) -> DigestRun:
    """Send every due digest (see the module's docstring for what a retry can do).

    :param sender: :class:`~motion_ops.alerts.smtp.SmtpSender` (its session is opened on the first digest).
    :param key: the links' key, or what returns it (called on the first digest: a store without
        subscriptions needs neither a key nor an SMTP server).
    :param now: the run's time: it decides the day and week of the digests; one in the future (a
        run triggered with a later logical date) counts as the present, so it cannot mark digests
        sent for a day to come and silence them until then.
    :raises MailUnavailable: the SMTP server cannot be reached; the message says how many were sent
        and that the rest goes out on the next try or run.
    """
    result = DigestRun()
    if not dry_run:
        store.execute("delete_stale_alert_requests")
        arrival = store.fetch_one("insert_alert_arrivals")
    else:
        arrival = {"added": 0, "upto": (store.fetch_one("select_alert_watermark") or {}).get("upto", 0)}
    result.arrived, upto = int(arrival["added"]), int(arrival["upto"] or 0)
    when = periods(min(now, dt.datetime.now(dt.timezone.utc)))
    due = [r["id"] for r in store.fetch("select_due_alerts", when)]
    result.due = len(due)
    if dry_run:
        return result
    keys: list[bytes] = []  # the key, once read
    arrivals: dict[int, list[str]] = {}  # most subscriptions share the last run's watermark: read once
    with ExitStack() as stack:
        session = None
        for done, sid in enumerate(due):
            try:
                with store.transaction() as cur:
                    cur.execute(sql("lock_due_alert"), {"id": sid, **when})
                    sub = cur.fetchone()
                    if sub is None:
                        result.held += 1
                        continue
                    after = int(sub["sent_seq"] or 0)
                    if after not in arrivals:
                        cur.execute(sql("select_alert_arrivals"), {"after": after, "upto": upto})
                        arrivals[after] = [r["id"] for r in cur.fetchall()]
                    within = arrivals[after]
                    rows = new_motions(store, sub["kind"], sub["spec"], within, limit=max_items + 1,
                                       query_vector=query_vector)
                    if rows:
                        if session is None:
                            keys.append(key if isinstance(key, bytes) else key())
                            session = stack.enter_context(sender.session())
                        session.send(digest.digest(
                            sender=sender.from_email, to=sub["email"], subscription_id=sid, period=sub["period"],
                            what=subscriptions.described(store, sub["kind"], sub["spec"]), frequency=sub["frequency"],
                            motions=rows[:max_items], more=len(rows) > max_items, site_url=site_url,
                            manage_token=tokens.sign(keys[0], tokens.MANAGE, sid)))
                    cur.execute(sql("mark_alert_sent"), {"id": sid, "upto": upto, "day": when["day"],
                                                         "period": sub["period"] if rows else None})
                if rows:
                    result.sent += 1
                else:
                    result.nothing_new += 1
            except RecipientRefused as exc:  # this one waits for the next run; the others go on
                result.refused += 1
                log.warning("subscription %s: %s; tried again next run", sid, exc)
            except MailUnavailable as exc:
                raise MailUnavailable(f"{exc}: {result.sent} digests sent, {len(due) - done} not yet; they go out "
                                      "when this task is retried or cleared, or on the next run") from None
    return result
