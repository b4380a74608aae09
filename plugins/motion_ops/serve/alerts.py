"""The e-mail digests' pages: subscribe (``POST /volgen``, rate-limited, double opt-in: a
confirmation link is mailed), confirm (``/volgen/bevestig/<token>``: a page with a button that
posts to the same address, so a mail scanner that opens the link confirms nothing; and one that
withdraws every unconfirmed request of the address, ``.../niet-aangevraagd``), a subscription's own page
(``/volgen/<token>``: what it follows, how often, since when; change the frequency, unsubscribe,
delete everything about the address) and one-click unsubscribe (``/volgen/<token>/afmelden``, also
the List-Unsubscribe-Post of RFC 8058). Links are signed (:mod:`motion_ops.alerts.tokens`) and start
with the site's address (``MOTION_API_SITE_URL``, else the request's own, within the prefix the app is
mounted at); no page, log line or error shows an address; every answer is ``no-store``; a form's body
is read up to :data:`MAX_FORM` bytes (a link's token is checked first)."""
from __future__ import annotations

import logging
import math
from typing import Any, Callable

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from motion_ops.alerts import digest, subscriptions, tokens
from motion_ops.alerts.smtp import MailUnavailable, RecipientRefused
from motion_ops.numerics.finite import env_number
from motion_ops.serve import reads
from motion_ops.serve.api import client_address
from motion_ops.serve.bodies import limited_form
from motion_ops.serve.pages import render
from motion_ops.serve.query_embedding import TokenBucket
from motion_ops.serve.routes import local_site_url

log = logging.getLogger(__name__)
Token = Path(..., min_length=20, max_length=80, pattern=r"^[0-9A-Za-z_.-]+$")
_SEARCH_FIELDS = ("q", "mode", "party", "vote", "outcome", "dossier", "since", "until")
MAX_FORM = 16 * 1024  # bytes of a form's body: a subscription's fields, every character percent-encoded, fit


def _page(request: Request, title: str, message: str, status: int = 200, **context: Any) -> HTMLResponse:
    page = render(request, "alert.html", status=status, title=title, message=message, version=None, **context)
    page.headers["cache-control"] = "no-store"
    return page


class SubscribeLimits:
    """How many subscribe requests the app takes: per client address and for the whole process
    (``MOTION_API_SUBSCRIBE_PER_CLIENT_PER_MINUTE``, 5; ``MOTION_API_SUBSCRIBE_PER_MINUTE``, 60).
    These hold per process (n processes take n times as many); the limit per e-mail address is kept
    in the store and holds across processes (:func:`motion_ops.alerts.subscriptions.subscribe`)."""

    def __init__(self) -> None:
        self.per_client = env_number("MOTION_API_SUBSCRIBE_PER_CLIENT_PER_MINUTE", 5)
        self.all = TokenBucket(env_number("MOTION_API_SUBSCRIBE_PER_MINUTE", 60))
        self.clients: dict[str, TokenBucket] = {}

    def wait(self, client: str | None) -> float:
        """0 when the request may go on, else the seconds until it may."""
        bucket = self.clients.get(client or "")
        if bucket is None:
            if len(self.clients) > 10_000:
                self.clients.clear()
            bucket = self.clients[client or ""] = TokenBucket(self.per_client, burst=max(1.0, self.per_client))
        return bucket.take() or self.all.take()


def alerts_router(stores: Any, settings: Any) -> APIRouter:
    router = APIRouter(include_in_schema=False)
    limits = SubscribeLimits()

    def key() -> bytes | None:
        try:
            return settings.alerts_secret()
        except RuntimeError as exc:
            log.warning("e-mail alerts are off: %s", exc)
            return None

    def site(request: Request) -> str | None:
        """Where the mailed links point: MOTION_API_SITE_URL, else this request's address only when its host
        cannot be an outsider's (a genuine mail must not send a reader to whatever Host a client wrote)."""
        base = settings.site_url or local_site_url(request)
        if base is None:
            log.warning("e-mail alerts are off for requests to this host: set MOTION_API_SITE_URL (the readers' site)")
        return base.rstrip("/") if base else None

    def mailer() -> Any:
        """The SMTP client, or None when there is none or it cannot be built (its connection not defined
        or not usable: a person must fix it; nothing is stored for a request meanwhile)."""
        if settings.mailer is None:
            return None
        try:
            return settings.mailer()
        except Exception as exc:  # noqa: BLE001 - Airflow's lookup errors among them; its kind only in the log
            log.warning("e-mail alerts are off: the SMTP connection cannot be used (%s)", type(exc).__name__)
            return None

    def _too_large(request: Request) -> HTMLResponse:
        return _page(request, "Te groot", "Dit formulier is groter dan een aanmelding kan zijn.", 413)

    def fields_of(form: Any, kind: str) -> dict[str, Any]:
        if kind == "search":
            return {k: form.get(k) for k in _SEARCH_FIELDS}
        return {"dossier": {"dossier": form.get("follow_dossier")}, "party": {"party": form.get("follow_party")},
                "like": {"motion": form.get("motion")}}.get(kind, {})

    @router.post("/volgen", response_class=HTMLResponse)
    async def subscribe(request: Request) -> HTMLResponse:
        wait = limits.wait(client_address(request))
        if wait:
            page = _page(request, "Even wachten", "Te veel aanmeldingen; probeer het over een minuut opnieuw.", 429)
            page.headers["retry-after"] = str(max(1, math.ceil(wait)))
            return page
        form = await limited_form(request, MAX_FORM)
        if form is None:
            return _too_large(request)
        return await run_in_threadpool(_subscribe, request, form)  # the store and the SMTP server block

    def _subscribe(request: Request, form: Any) -> HTMLResponse:
        secret, base = key(), site(request)
        sender = mailer() if secret is not None and base is not None else None
        if secret is None or sender is None:
            return _page(request, "Niet beschikbaar", "E-mailberichten zijn op deze site niet ingesteld.", 409)
        kind = str(form.get("kind") or "")
        try:
            follow = subscriptions.Follow.of(kind, fields_of(form, kind))
            email, how_often = subscriptions.address(form.get("email")), subscriptions.frequency(form.get("frequency"))
        except subscriptions.Invalid as exc:
            return _page(request, "Ongeldige invoer", f"Aanmelden lukt zo niet: {exc}.", 422)
        with stores.lease() as store:
            title = None
            if follow.kind == "like":
                m = reads.motion(store, follow.spec["motion"])  # 404 when there is no such motion
                follow, title = subscriptions.Follow("like", {"motion": m["id"]}), m["title"]
            try:
                sid, mail = subscriptions.subscribe(store, email, follow, how_often)
            except subscriptions.TooMany as exc:
                if exc.waiting:  # a stranger may have asked them: the owner can withdraw them from a mail
                    return _page(request, "Even wachten", "Voor dit e-mailadres wachten al te veel aanmeldingen op "
                                 "bevestiging. Staan er bevestigingsmails in de inbox die niemand aanvroeg? Open er "
                                 "een en kies 'Niet aangevraagd': dan kun je je opnieuw aanmelden. Anders vervallen ze "
                                 "binnen een week.", 429)
                page = _page(request, "Even wachten", "Te veel aanmeldingen voor dit e-mailadres; probeer het over "
                                                      "een uur opnieuw.", 429)
                page.headers["retry-after"] = "3600"
                return page
        if mail:
            confirm_url = f"{base}/volgen/bevestig/{tokens.sign(secret, tokens.CONFIRM, sid)}"
            try:
                sender.send_one(digest.confirmation(sender=sender.from_email, to=email,
                                                    what=digest.describe(follow.kind, follow.spec, title),
                                                    frequency=how_often, confirm_url=confirm_url))
            except (MailUnavailable, RecipientRefused, ValueError) as exc:
                # ours name the server and a code; another library's may echo the address: its kind only
                why = str(exc) if isinstance(exc, (MailUnavailable, RecipientRefused)) else type(exc).__name__
                log.warning("subscription %s: its confirmation could not be sent: %s", sid, why)
                with stores.lease() as store:
                    store.fetch("reset_alert_request", {"id": sid})  # a new try may mail it at once
                return _page(request, "Niet verstuurd", "De bevestigingsmail kan nu niet worden verstuurd; probeer "
                                                        "het later opnieuw.", 503)
        return _page(request, "Bijna klaar", "Bevestig je abonnement met de link in de e-mail die we je sturen "
                                             "(is het al bevestigd, dan verandert er niets). Zonder bevestiging "
                                             "sturen we niets en wissen we het adres binnen een week.")

    def _verified(request: Request, purpose: str, token: str) -> str | HTMLResponse:
        secret = key()
        if secret is None:
            return _page(request, "Niet beschikbaar", "E-mailberichten zijn op deze site niet ingesteld.", 409)
        try:
            return tokens.verify(secret, purpose, token)
        except tokens.BadToken as exc:
            return _page(request, "Ongeldige link", f"Deze link werkt niet: {exc}.", 400)

    def _expired(request: Request, token: str) -> HTMLResponse:
        return _page(request, "Verlopen", "Deze aanvraag is verlopen: ze is niet binnen een week bevestigd, dus we "
                                          "sturen niets en wissen het adres. Wil je dit toch volgen? Meld je opnieuw aan.",
                     410, confirm=token, expired=True)

    def _gone(request: Request) -> HTMLResponse:
        return _page(request, "Niet gevonden", "Dit abonnement bestaat niet (meer).", 404)

    def _manage(request: Request, sid: str, token: str, message: str | None = None) -> HTMLResponse:
        with stores.lease() as store:
            sub = subscriptions.get(store, sid)
            what = subscriptions.described(store, sub["kind"], sub["spec"]) if sub else None
        if sub is None:
            return _gone(request)
        page = render(request, "alert_manage.html", version=None, message=message, token=token,
                      what=what, frequency=sub["frequency"],
                      frequency_nl=digest.FREQUENCY_NL[sub["frequency"]], confirmed_at=sub["confirmed_at"],
                      sent_period=sub["sent_period"])
        page.headers["cache-control"] = "no-store"
        return page

    @router.get("/volgen/bevestig/{token}", response_class=HTMLResponse)
    def confirm_page(request: Request, token: str = Token) -> HTMLResponse:
        # a page with a button, not the confirmation itself: mail scanners open every link in a mail
        sid = _verified(request, tokens.CONFIRM, token)
        if isinstance(sid, HTMLResponse):
            return sid
        with stores.lease() as store:
            sub = subscriptions.get(store, sid)
            what = subscriptions.described(store, sub["kind"], sub["spec"]) if sub else None
        if sub is None:
            return _gone(request)
        if sub["confirmed_at"] is not None:
            return _manage(request, sid, tokens.sign(key(), tokens.MANAGE, sid), "Je abonnement is al bevestigd.")
        if sub["expired"]:
            return _expired(request, token)
        return _page(request, "Bevestig je abonnement", f"Wil je berichten ontvangen over {what} "
                                                        f"({digest.FREQUENCY_NL[sub['frequency']]})?", confirm=token)

    @router.post("/volgen/bevestig/{token}", response_class=HTMLResponse)
    def confirm(request: Request, token: str = Token) -> HTMLResponse:
        sid = _verified(request, tokens.CONFIRM, token)
        if isinstance(sid, HTMLResponse):
            return sid
        with stores.lease() as store:
            found = subscriptions.confirm(store, sid)
            sub = None if found else subscriptions.get(store, sid)
        if not found:
            return _expired(request, token) if sub else _gone(request)
        return _manage(request, sid, tokens.sign(key(), tokens.MANAGE, sid), "Je abonnement is bevestigd.")

    def _erase(request: Request, purpose: str, token: str, erase: Callable[[Any, str], int],
               said: Callable[[int], str]) -> HTMLResponse:
        """Delete what the signed link's ``erase(store, subscription id)`` deletes; the page says ``said(count)``."""
        sid = _verified(request, purpose, token)
        if isinstance(sid, HTMLResponse):
            return sid
        with stores.lease() as store:
            count = erase(store, sid)
        return _page(request, "Gewist", said(count))

    @router.post("/volgen/bevestig/{token}/niet-aangevraagd", response_class=HTMLResponse)
    def withdraw(request: Request, token: str = Token) -> HTMLResponse:
        return _erase(request, tokens.CONFIRM, token, subscriptions.withdraw,
                      lambda n: f"{n} onbevestigde aanmelding{'' if n == 1 else 'en'} voor dit e-mailadres gewist; "
                                "bevestigde abonnementen blijven. Wie dit adres opgaf, krijgt er niets van te zien.")

    @router.get("/volgen/{token}", response_class=HTMLResponse)
    def manage(request: Request, token: str = Token) -> HTMLResponse:
        sid = _verified(request, tokens.MANAGE, token)
        return sid if isinstance(sid, HTMLResponse) else _manage(request, sid, token)

    @router.post("/volgen/{token}/frequentie", response_class=HTMLResponse)
    async def change(request: Request, token: str = Token) -> HTMLResponse:
        sid = _verified(request, tokens.MANAGE, token)
        if isinstance(sid, HTMLResponse):
            return sid
        form = await limited_form(request, MAX_FORM)
        if form is None:
            return _too_large(request)
        try:
            how_often = subscriptions.frequency(form.get("frequency"))
        except subscriptions.Invalid as exc:
            return _page(request, "Ongeldige invoer", f"{exc}.", 422)
        with stores.lease() as store:
            found = subscriptions.set_frequency(store, sid, how_often)
        return _manage(request, sid, token, f"Je krijgt de samenvatting nu {digest.FREQUENCY_NL[how_often]}.") \
            if found else _gone(request)

    @router.get("/volgen/{token}/afmelden", response_class=HTMLResponse)
    def unsubscribe_page(request: Request, token: str = Token) -> HTMLResponse:
        sid = _verified(request, tokens.MANAGE, token)
        if isinstance(sid, HTMLResponse):
            return sid
        return _page(request, "Afmelden", "Wil je geen samenvattingen meer voor dit abonnement?", unsubscribe=token)

    @router.post("/volgen/{token}/afmelden", response_class=HTMLResponse)
    def unsubscribe(request: Request, token: str = Token) -> HTMLResponse:
        sid = _verified(request, tokens.MANAGE, token)
        if isinstance(sid, HTMLResponse):
            return sid
        with stores.lease() as store:
            subscriptions.unsubscribe(store, sid)
        return _page(request, "Afgemeld", "Je bent afgemeld: het abonnement en het adres erbij zijn gewist.")

    @router.post("/volgen/{token}/vergeten", response_class=HTMLResponse)
    def forget(request: Request, token: str = Token) -> HTMLResponse:
        return _erase(request, tokens.MANAGE, token, subscriptions.forget,
                      lambda n: f"Alles over dit adres is gewist ({n} abonnement{'' if n == 1 else 'en'}).")

    return router

