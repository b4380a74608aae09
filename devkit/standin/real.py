"""The 638 real motions of ``devkit/data/motions-dev.jsonl`` as a SyncFeed corpus for the stand-in.

Each record becomes the entities the live feed has for it, shaped as the real API shapes them
(``tests/fixtures/real/``): a Zaak (soort "Motie"; an amended motion's Zaak names the Zaak it
replaces in ``vervangenVanuit``, and its onderwerp carries "(t.v.v. ...)"), its Kamerstukdossier,
a Document (soort "Motie" or "Motie (gewijzigd/nader)") with one DocumentVersie whose
``externeidentifier`` is the kamerstuk, a ZaakActor per submitter the record names, and for the
motions with recorded votes their Besluit (with the vote's agendapunt) and one Stemming per party,
under Fractie records. The body is the KOOP publication XML served at the OData publication
endpoints: the record's verbatim text, one ``<al>`` per line, then the signatories.

What the records carry is used as it is: ids of Zaak, Document and Besluit are the real ones;
the ids of entities the record does not name (Kamerstukdossier, DocumentVersie, publication,
Fractie, Stemming, ZaakActor) are derived from it (uuid5), so a re-run serves the same feed. A
field the record does not have is nil, never made up (e.g. a submitter's party when the record
names only the member). Tweede Kamer open data, CC0 1.0; provenance in ``devkit/data/README.md``.
"""
from __future__ import annotations

import datetime as dt
import json
import re
import uuid
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from devkit.standin.corpus import PARTIES, Entity, LogEntry, Publication
from motion_ops.parties import identity

DATA = Path(__file__).resolve().parents[1] / "data" / "motions-dev.jsonl"
NAMESPACE = uuid.UUID("6f1d3c1e-5b1a-4c54-9d0e-0a8f3a6c2b11")  # derived ids: uuid5(NAMESPACE, what they stand for)
_SUBMITTER = re.compile(r"^(?P<name>.*?)(?:\s*\((?P<party>[^()]*)\))?$")


def _id(*parts: str) -> str:
    return str(uuid.uuid5(NAMESPACE, "/".join(parts)))


def _ts(day: str, seconds: int = 0) -> str:
    """A ``bijgewerkt`` as the live feed writes it (Amsterdam time, no offset, 7 fractional digits)."""
    t = dt.datetime.fromisoformat(day) + dt.timedelta(hours=18, seconds=seconds)
    return t.strftime("%Y-%m-%dT%H:%M:%S.0000000")


def load(path: Path = DATA) -> list[dict[str, Any]]:
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def publication_xml(m: dict[str, Any]) -> bytes:
    """The motion's ``officiele-publicatie`` as KOOP publishes it (cf. ``tests/fixtures/real/publication``)."""
    ondernummer = m["kamerstuk"].rsplit("-", 1)[1]
    meta = [("DC.identifier", m["kamerstuk"]), ("OVERHEIDop.ondernummer", ondernummer),
            ("DC.type", m["document_soort"]), ("OVERHEIDop.dossiernummer", m["dossier"]),
            ("OVERHEIDop.documenttitel", m["onderwerp"].strip()), ("OVERHEIDop.dossiertitel", m["dossier_title"]),
            ("OVERHEIDop.vergaderjaar", m["vergaderjaar"]), ("DC.creator", "Tweede Kamer der Staten-Generaal"),
            ("DCTERMS.issued", m["date"]), ("DCTERMS.language", "nl")]
    als = [line for line in m["text"].split("\n") if line.strip()] + list(m["signatories"])
    body = "\n".join(f"                  <al>{escape(a)}</al>" for a in als)
    metas = "\n".join(f"      <meta name={quoteattr(k)} content={quoteattr(v or '')}/>" for k, v in meta)
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<officiele-publicatie xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
   <metadata>
{metas}
   </metadata>
   <kamerstuk>
      <kamerstukkop>
         <tekstregel inhoud="vergaderjaar">Vergaderjaar {escape(m["vergaderjaar"])}</tekstregel>
         <tekstregel inhoud="kameraanduiding">Tweede Kamer der Staten-Generaal</tekstregel>
      </kamerstukkop>
      <dossier>
         <dossiernummer><dossiernr>{escape(m["dossier_nr_raw"])}</dossiernr></dossiernummer>
         <titel>{escape(m["dossier_title"])}</titel>
      </dossier>
      <stuk>
         <stuknr>Nr. <ondernummer kamer="2">{escape(ondernummer)}</ondernummer></stuknr>
         <titel>{escape(m["titel"])}</titel>
         <datumtekst>Voorgesteld <datum isodatum="{m["date"]}">{m["date"]}</datum></datumtekst>
         <algemeen><vrije-tekst><tekst status="goed">
{body}
         </tekst></vrije-tekst></algemeen>
      </stuk>
   </kamerstuk>
</officiele-publicatie>
""".encode()


class RealCorpus:
    """The real motions as a feed log plus publications (what :class:`~devkit.standin.server.StandinServer`
    serves). ``motions`` keeps the records; ``expected_texts`` each motion's body as the sync stores
    it; ``expected_votes`` the parties' votes of the motions that have them; ``replaces`` amended
    motion id -> the id of the motion it replaces."""

    generated = False

    def __init__(self, path: Path = DATA, *, limit: int | None = None):
        self.log: list[LogEntry] = []
        self.publications: dict[str, Publication] = {}
        self.versie_publications: dict[str, list[str]] = {}
        self.document_pdfs: dict[str, bytes] = {}
        self.cases: dict[str, Any] = {}
        self.expected_texts: dict[str, str] = {}
        self.expected_votes: dict[str, dict[str, str]] = {}
        self.replaces: dict[str, str] = {}
        self._token = 1_000_000
        records = load(path)
        self.motions = records[:limit] if limit else records
        self._build()

    def emit(self, entity: Entity, generation: int = 1) -> None:
        """Append ``entity`` to the feed log at the next skiptoken."""
        self._token += 1
        self.log.append(LogEntry(self._token, generation, entity))

    def _build(self) -> None:
        by_nummer = {m["nummer"]: m["zaak_id"] for m in self.motions}
        self.fracties: dict[str, str] = {}  # party name as the records write it -> Fractie id
        first_day = min(m["date"] for m in self.motions)
        for name, seats in self._parties().items():
            afk, naam = next(((a, n) for a, n, _, _ in PARTIES if identity(a) == identity(name)), (name, name))
            fid = self.fracties[name] = _id("fractie", identity(name) or name)
            self.emit(Entity("Fractie", fid, _ts(first_day), fields=[
                ("nummer", None), ("afkorting", afk), ("naamNL", naam), ("naamEN", None),
                ("aantalZetels", str(seats) if seats is not None else None),
                ("datumActief", None), ("datumInactief", None)]))
        for dossier, title in sorted({(m["dossier"], m["dossier_title"]) for m in self.motions}):
            nummer, _, toevoeging = dossier.partition("-")
            self.emit(Entity("Kamerstukdossier", _id("dossier", dossier), _ts(first_day), fields=[
                ("titel", title), ("citeertitel", None), ("nummer", nummer), ("toevoeging", toevoeging or None),
                ("afgesloten", None), ("kamer", "Tweede Kamer")]))
        for m in sorted(self.motions, key=lambda m: (m["date"], m["nummer"])):
            self._motion(m, by_nummer)

    def _parties(self) -> dict[str, int | None]:
        """Every party the records name (in votes and submitters), with its seats where a vote says."""
        out: dict[str, int | None] = {}
        for m in self.motions:
            for name, v in ((m.get("votes") or {}).get("parties") or {}).items():
                out[name] = v.get("seats")
            for s in m.get("submitters") or []:
                party = _SUBMITTER.match(s).group("party")
                if party:
                    out.setdefault(party, None)
        return dict(sorted(out.items()))

    def _motion(self, m: dict[str, Any], by_nummer: dict[str, str]) -> None:
        zid, did, day = m["zaak_id"], m["document_id"], m["date"]
        vid = _id("documentversie", did)
        refs = [("kamerstukdossier", _id("dossier", m["dossier"]))]
        original = by_nummer.get(m.get("replaces_nummer") or "")
        if original:
            refs.append(("vervangenVanuit", original))
            self.replaces[zid] = original
        self.emit(Entity("Zaak", zid, _ts(day), fields=[
            ("nummer", m["nummer"]), ("soort", "Motie"), ("titel", m["zaak_titel"]), ("citeertitel", None),
            ("alias", None), ("status", None), ("onderwerp", m["onderwerp"].strip()),
            ("gestartOp", f"{day}T00:00:00"), ("organisatie", "Tweede Kamer"), ("vergaderjaar", m["vergaderjaar"]),
            ("volgnummer", None), ("afgedaan", None), ("grootProject", None),
            ("kabinetsappreciatie", m.get("kabinetsappreciatie"))], refs=refs))
        for i, s in enumerate(self._submitters(m)):
            name, party = s
            actor_refs = [("zaak", zid)] + ([("fractie", self.fracties[party])] if party else [])
            self.emit(Entity("ZaakActor", _id("zaakactor", zid, str(i)), _ts(day, 1), fields=[
                ("actorNaam", name), ("actorFractie", party), ("functie", "Tweede Kamerlid"),
                ("relatie", "Indiener" if i == 0 else "Medeindiener")], refs=actor_refs))
        self.emit(Entity("Document", did, _ts(day, 2), fields=[
            ("soort", m["document_soort"]), ("documentNummer", m["document_nummer"]), ("titel", m["zaak_titel"]),
            ("onderwerp", m["onderwerp"].strip()), ("datum", f"{day}T00:00:00"),
            ("volgnummer", m["ondernummer"]), ("vergaderjaar", m["vergaderjaar"]), ("kamer", "2"),
            ("contentType", None), ("contentLength", None)],
            refs=[("huidigeDocumentVersie", vid), ("zaak", zid), ("kamerstukdossier", _id("dossier", m["dossier"]))]))
        self.emit(Entity("DocumentVersie", vid, _ts(day, 3), fields=[
            ("status", None), ("versienummer", "1"), ("extensie", None), ("datum", f"{day}T00:00:00"),
            ("externeidentifier", m["kamerstuk"])], refs=[("document", did)]))
        pid = _id("publicatie", vid)
        self.publications[pid] = Publication(pid, vid, m["kamerstuk"], publication_xml(m))
        self.versie_publications[vid] = [pid]
        self.expected_texts[zid] = "\n".join([line for line in m["text"].split("\n") if line.strip()]
                                             + list(m["signatories"]))
        if m.get("votes"):
            self._votes(m)

    def _submitters(self, m: dict[str, Any]) -> list[tuple[str, str | None]]:
        """(name, party or None) per submitter the record names, the first signatory (the Indiener) first."""
        parsed = [(g.group("name").strip(), g.group("party")) for g in map(_SUBMITTER.match, m.get("submitters") or [])]
        first = (m.get("signatories") or [""])[0].casefold()
        return sorted(parsed, key=lambda p: not (first and p[0].casefold().endswith(first)))

    def _votes(self, m: dict[str, Any]) -> None:
        v, zid, day = m["votes"], m["zaak_id"], m["date"]
        bid = v["besluit_id"]
        agendapunt = (m.get("agendapunten") or [{}])[0].get("id")
        self.emit(Entity("Besluit", bid, _ts(day, 4), fields=[
            ("stemmingsSoort", v.get("stemmingssoort")), ("besluitSoort", v.get("besluit_soort")),
            ("besluitTekst", v.get("besluit_tekst")), ("opmerking", None), ("status", "Besluit"),
            ("agendapuntZaakBesluitVolgorde", None)],
            refs=([("agendapunt", agendapunt)] if agendapunt else []) + [("zaak", zid)]))
        self.expected_votes[zid] = {}
        for name, pv in sorted(v["parties"].items()):
            self.expected_votes[zid][name] = pv["vote"]
            self.emit(Entity("Stemming", _id("stemming", bid, name), _ts(day, 5), fields=[
                ("soort", pv["vote"]), ("fractieGrootte", str(pv["seats"]) if pv.get("seats") is not None else None),
                ("actorNaam", name), ("actorFractie", name), ("vergissing", "false"), ("sidActorLid", None),
                ("sidActorFractie", None)], refs=[("besluit", bid), ("fractie", self.fracties[name])]))
