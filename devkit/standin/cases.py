"""What the sample corpus adds to show related motions that say why (``Corpus(cases=True)``).

- three amended motions, each linked to the motion it replaces by one signal: the Zaak's
  ``vervangenVanuit``, "(t.v.v. <dossier>-<nr>)" in the title, or only a near-identical text in
  the same dossier;
- a party merge: GroenLinks and PvdA (Fractie records of their own, inactive since 5 Dec 2023)
  voting apart on older motions of a topic, GroenLinks-PvdA on the newer ones;
- a motion whose Zaak and Document have no Kamerstukdossier: its dossier is only in the
  DocumentVersie's ``externeidentifier`` (and in its publication).

Emitted after the rest of the corpus with an RNG of their own, so the other motions stay as they were.
"""
from __future__ import annotations

import datetime as dt
import random
from typing import TYPE_CHECKING, Any

from devkit.standin.corpus import GENERATED, PARTIES, Entity, _ts, _uuid

if TYPE_CHECKING:
    from devkit.standin.corpus import Corpus

MERGED = (("GL", "GroenLinks", 8), ("PvdA", "PvdA", 9))  # voted apart until GroenLinks-PvdA (14 Dec 2023)


def add_cases(corpus: "Corpus", seed: int = 16) -> dict[str, Any]:
    rng = random.Random(seed)
    cases: dict[str, Any] = {}
    with_pub = [m for m in corpus.motions if m["versie"] in corpus.versie_publications][:40]
    originals = rng.sample(with_pub, 3)
    for signal, original in zip(("zaak", "tvv", "text"), originals):
        cases[f"amended_{signal}"] = _amended(corpus, rng, original, signal)
        cases[f"original_{signal}"] = original["id"]
    old_day = dt.date(2023, 10, 3)
    merged_ids = {}
    for afk, name, _ in MERGED:
        fid = _uuid(rng)
        merged_ids[afk] = fid
        corpus.emit(Entity("Fractie", fid, _ts(old_day, rng), fields=[
            ("nummer", str(rng.randint(1000, 9999))), ("afkorting", afk), ("naamNL", name), ("naamEN", None),
            ("aantalZetels", "0"), ("datumActief", "2006-11-30T00:00:00"), ("datumInactief", "2023-12-05T00:00:00")]))
    topic_motions = [m for m in corpus.motions if m["topic"] == "klimaat"][:4]
    cases["before_merge"] = []
    for k, template in enumerate(topic_motions):
        day = old_day + dt.timedelta(days=7 * k)
        zid = _motion(corpus, rng, template, day=day, title=f"Motie van het lid Klaver over {template['onderwerp'].split(' over ', 1)[1]}",
                      paragraphs=template["paragraphs"][:2] + [f"constaterende dat de {k + 1}e klimaatnota op zich laat wachten;"]
                      + template["paragraphs"][2:])
        _votes(corpus, rng, zid, day, merged_ids, split=False)
        cases["before_merge"].append(zid)
    template = rng.choice(with_pub)
    cases["dossier_only_in_identifier"] = _motion(corpus, rng, template, day=template["day"] + dt.timedelta(days=1),
                                                  title=template["onderwerp"] + " en de uitvoering",
                                                  paragraphs=template["paragraphs"], dossier_ref=False)
    _topic_votes(corpus, cases["dossier_only_in_identifier"], template, template["day"] + dt.timedelta(days=8))
    cases["dossier_only_in_identifier_dossier"] = template["dossier"]
    corpus.cases = cases
    return cases


def _amended(corpus: "Corpus", rng: random.Random, original: dict[str, Any], signal: str) -> str:
    subject = original["onderwerp"].split(" over ", 1)[1]
    surname = original["signers"][0]
    title = f"Gewijzigde motie van het lid {surname} over {subject}"
    if signal == "tvv":
        title += f" (t.v.v. {original['ident'].removeprefix('kst-')})"
    paragraphs = list(original["paragraphs"])
    paragraphs.insert(-2, "overwegende dat snelheid geboden is;")  # an amended motion: a sentence added
    refs = [("vervangenVanuit", original["id"])] if signal == "zaak" else []
    zid = _motion(corpus, rng, original, day=original["day"] + dt.timedelta(days=1), title=title, paragraphs=paragraphs,
                  doc_kind="Motie (gewijzigd/nader)", zaak_refs=refs)
    _topic_votes(corpus, zid, original, original["day"] + dt.timedelta(days=7))
    return zid


def _topic_votes(corpus: "Corpus", zid: str, template: dict[str, Any], day: dt.date) -> None:
    """Votes as the corpus casts them on the template's topic (its parties' stances)."""
    party = next(p for p in PARTIES if p[0] == template["party"])
    corpus._emit_votes(zid, template["topic"], party, day, roll_call=False)


def _motion(corpus: "Corpus", rng: random.Random, template: dict[str, Any], *, day: dt.date, title: str,
            paragraphs: list[str], doc_kind: str = "Motie", zaak_refs: list[tuple[str, str]] | None = None,
            dossier_ref: bool = True) -> str:
    """A motion in ``template``'s dossier, with its own Zaak, Document, DocumentVersie and publication."""
    kid = next(d[0] for d in corpus.dossiers if d[1] == template["dossier"])
    zid, did, vid = _uuid(rng), _uuid(rng), _uuid(rng)
    volg = rng.randint(1000, 1999)
    ident = f"kst-{template['dossier']}-{volg}"
    corpus.motion_dates[zid] = day
    dossier = [("kamerstukdossier", kid)] if dossier_ref else []
    corpus.emit(Entity("Zaak", zid, _ts(day, rng), fields=[
        ("nummer", f"{day.year}Z{rng.randint(30000, 39999):05d}"), ("soort", "Motie"), ("titel", template["dossier_title"]),
        ("citeertitel", None), ("alias", None), ("status", "Vrijgegeven"), ("onderwerp", title),
        ("gestartOp", f"{day.isoformat()}T00:00:00"), ("organisatie", "Tweede Kamer"),
        ("vergaderjaar", f"{day.year}-{day.year + 1}"), ("volgnummer", str(volg)), ("afgedaan", "true"),
        ("grootProject", "false"), ("kabinetsappreciatie", None), GENERATED], refs=dossier + (zaak_refs or [])))
    corpus.emit(Entity("Document", did, _ts(day, rng), fields=[
        ("soort", doc_kind), ("documentNummer", f"{day.year}D{rng.randint(50000, 59999):05d}"),
        ("titel", template["dossier_title"]), ("onderwerp", title), ("datum", f"{day.isoformat()}T00:00:00"),
        ("volgnummer", str(volg)), ("vergaderjaar", f"{day.year}-{day.year + 1}"), ("kamer", "2"),
        ("contentType", "application/pdf"), ("contentLength", "20000")],
        refs=[("huidigeDocumentVersie", vid), ("zaak", zid)] + dossier))
    corpus.emit(Entity("DocumentVersie", vid, _ts(day, rng), fields=[
        ("status", "Vrijgegeven"), ("versienummer", "1"), ("extensie", ".pdf"),
        ("datum", f"{day.isoformat()}T12:00:00"), ("externeidentifier", ident)], refs=[("document", did)]))
    corpus._add_publication(vid, ident, template["dossier"], template["dossier_title"], title.upper(), day, paragraphs,
                            template["signers"])
    corpus.expected_texts[zid] = " ".join(paragraphs + template["signers"])
    corpus.motions.append({**template, "id": zid, "day": day, "document": did, "versie": vid, "ident": ident,
                           "paragraphs": paragraphs, "onderwerp": title})
    return zid


def _votes(corpus: "Corpus", rng: random.Random, zid: str, day: dt.date, merged: dict[str, str],
           *, split: bool) -> None:
    """Votes of every party (by bloc), with GL and PvdA voting apart (the same way unless ``split``)
    under their own Fractie records instead of GroenLinks-PvdA."""
    bid = _uuid(rng)
    corpus.emit(Entity("Besluit", bid, _ts(day, rng), fields=[
        ("stemmingsSoort", "Met handopsteken"), ("besluitSoort", "Stemmen - aangenomen"), ("besluitTekst", "Aangenomen."),
        ("opmerking", None), ("status", "Besluit"), ("agendapuntZaakBesluitVolgorde", "1")],
        refs=[("agendapunt", _uuid(rng)), ("zaak", zid)]))
    rows: list[tuple[str, str, int, str]] = []
    for afk, name, seats, bloc in PARTIES:
        vote = "Voor" if bloc in ("left", "centre-left", "centre") else "Tegen"
        if afk == "GL-PvdA":
            for i, (m_afk, m_name, m_seats) in enumerate(MERGED):
                rows.append((merged[m_afk], m_name, m_seats, "Tegen" if split and i else vote))
            continue
        rows.append((corpus.fracties[afk][0], name, seats, vote))
    for fid, name, seats, vote in rows:
        corpus.emit(Entity("Stemming", _uuid(rng), _ts(day, rng), fields=[
            ("soort", vote), ("fractieGrootte", str(seats)), ("actorNaam", name), ("actorFractie", name),
            ("vergissing", "false"), ("sidActorLid", None), ("sidActorFractie", f"S-1-{name}")],
            refs=[("besluit", bid), ("fractie", fid)]))
