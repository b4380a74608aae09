"""A deterministic sample corpus of motions, shaped like the Tweede Kamer SyncFeed.

Generated from a fixed seed: parties in voting blocs, policy topics with their own vocabulary,
dossiers, motions with Zaak/Document/DocumentVersie/Besluit/Stemming/ZaakActor entities and
publication XML bodies. Texts are written here (template sentences), not copied from the API, and
every Zaak is marked as generated (:data:`GENERATED`), so readers see that it is not real.

The feed log is generation-aware: generation 1 is the initial state; generation 2 adds the kinds
of change a later nightly run meets (a tombstone for an existing motion, a re-emitted unchanged
entity, a revised motion text, publications that appear only now).
"""
from __future__ import annotations

import datetime as dt
import random
import uuid
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

SEED = 20251118
# Every generated Zaak carries this field, which the real feed never has: the store keeps it in the
# raw entity, and readers (the explore pages, the API, the demo report) label such motions "generated".
GENERATED = ("gegenereerd", "true")


@dataclass
class Entity:
    """An entity as the feed serialises it; ``fields`` keeps the XSD order."""

    category: str
    id: str
    bijgewerkt: str
    deleted: bool = False
    fields: list[tuple[str, str | None]] = field(default_factory=list)
    refs: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class LogEntry:
    skiptoken: int
    generation: int
    entity: Entity


@dataclass
class Publication:
    id: str
    versie_id: str
    identifier: str
    xml: bytes
    generation: int = 1  # served from this generation on (earlier: not yet published)


PARTIES = [
    # afkorting, name used in vote rows, seats, bloc
    ("PVV", "PVV", 37, "right"), ("GL-PvdA", "GroenLinks-PvdA", 25, "left"), ("VVD", "VVD", 24, "centre-right"),
    ("NSC", "NSC", 20, "centre"), ("D66", "D66", 9, "centre-left"), ("BBB", "BBB", 7, "right"),
    ("CDA", "CDA", 5, "centre"), ("SP", "SP", 5, "left"), ("FVD", "FVD", 3, "far-right"),
    ("PvdD", "Partij voor de Dieren", 3, "left"), ("CU", "ChristenUnie", 3, "centre"),
    ("SGP", "SGP", 3, "right"), ("Volt", "Volt", 2, "centre-left"), ("JA21", "JA21", 1, "right"),
    ("DENK", "DENK", 3, "left"),
]
BLOC_AXIS = {"left": -1.0, "centre-left": -0.5, "centre": 0.0, "centre-right": 0.5, "right": 0.9, "far-right": 1.0}

SURNAMES = ["De Vries", "Jansen", "Van Dijk", "Bakker", "Visser", "Smit", "Meijer", "De Boer", "Mulder",
            "De Groot", "Bos", "Vos", "Peters", "Hendriks", "Van Leeuwen", "Dekker", "Brouwer", "De Wit",
            "Dijkstra", "Smits", "De Graaf", "Van der Meer", "Van den Berg", "Kok", "Vermeulen", "Huisman",
            "Kuipers", "Veenstra", "Koster", "Prins", "Wolters", "Hoekstra", "Postma", "Kramer", "Schouten"]

TOPICS = {
    "wonen": (["huurwoningen", "sociale huur", "woningcorporaties", "nieuwbouw", "huurprijzen", "starters",
               "bouwvergunningen", "woningtekort", "middenhuur", "hypotheekrente"],
              ["Volkshuisvesting", "Woningmarktbeleid", "Ruimtelijke ordening"]),
    "zorg": (["eigen risico", "huisartsen", "wachtlijsten", "ziekenhuizen", "zorgverzekeraars", "mantelzorg",
              "verpleeghuizen", "zorgpersoneel", "geneesmiddelen", "ggz"],
             ["Zorgverzekeringsstelsel", "Langdurige zorg", "Geneesmiddelenbeleid"]),
    "klimaat": (["co2-uitstoot", "windparken", "zonnepanelen", "warmtepompen", "aardgas", "klimaatdoelen",
                 "energietransitie", "netcongestie", "waterstof", "isolatie"],
                ["Klimaatbeleid", "Energietransitie", "Elektriciteitsnet"]),
    "landbouw": (["boeren", "stikstof", "veestapel", "natuurvergunningen", "mest", "gewasbescherming",
                  "voedselprijzen", "agrarische ondernemers", "grondbeleid", "dierenwelzijn"],
                 ["Landbouw en visserij", "Stikstofbeleid", "Dierenwelzijn"]),
    "onderwijs": (["leraren", "lerarentekort", "basisscholen", "kansengelijkheid", "studiefinanciering",
                   "mbo-studenten", "leesvaardigheid", "passend onderwijs", "schoolgebouwen", "toetsing"],
                  ["Onderwijsbeleid", "Hoger onderwijs", "Leraren"]),
    "migratie": (["asielzoekers", "opvanglocaties", "gezinshereniging", "statushouders", "terugkeer",
                  "arbeidsmigratie", "aanmeldcentrum", "asielprocedures", "nareizigers", "integratie"],
                 ["Vreemdelingenbeleid", "Asielopvang", "Integratiebeleid"]),
    "defensie": (["krijgsmacht", "navo-norm", "munitie", "militairen", "materieel", "oekraine",
                  "reservisten", "luchtverdediging", "defensiebegroting", "marine"],
                 ["Defensiebegroting", "Militaire steun", "Personeel defensie"]),
    "veiligheid": (["politie", "wijkagenten", "ondermijning", "drugscriminaliteit", "cybercriminaliteit",
                    "gevangeniswezen", "rechtspraak", "slachtoffers", "straffen", "explosies"],
                   ["Politiebeleid", "Strafrechtketen", "Georganiseerde criminaliteit"]),
    "bestaanszekerheid": (["minimumloon", "toeslagen", "armoede", "schulden", "bijstand", "kinderopvang",
                           "koopkracht", "energietoeslag", "alleenstaanden", "participatiewet"],
                          ["Armoedebeleid", "Toeslagenstelsel", "Participatiewet"]),
    "mobiliteit": (["openbaar vervoer", "treinen", "snelwegen", "fietspaden", "ov-tarieven", "schiphol",
                    "vrachtverkeer", "verkeersveiligheid", "spoorlijnen", "regionale bussen"],
                   ["Openbaar vervoer", "Luchtvaartbeleid", "Infrastructuurfonds"]),
    "digitalisering": (["algoritmes", "privacy", "cloudopslag", "digitale overheid", "kunstmatige intelligentie",
                        "datalekken", "online platforms", "digid", "cyberveiligheid", "open source"],
                       ["Digitale overheid", "Informatiebeveiliging", "Algoritmetoezicht"]),
    "financien": (["belastingen", "vermogensrendement", "box 3", "banken", "staatsschuld", "btw",
                   "inkomstenbelasting", "fraudebestrijding", "begrotingstekort", "toeslagenherstel"],
                  ["Belastingplan", "Financiele markten", "Begrotingsbeleid"]),
    "cultuur": (["musea", "erfgoed", "publieke omroep", "bibliotheken", "podiumkunsten", "makers",
                 "cultuurbegroting", "monumenten", "lokale media", "filmfonds"],
                ["Cultuurbeleid", "Mediabeleid", "Erfgoed"]),
    "water": (["dijken", "zeespiegelstijging", "drinkwater", "waterkwaliteit", "overstromingen", "grondwater",
               "rijkswaterstaat", "droogte", "rivieren", "waterschappen"],
              ["Waterbeheer", "Deltaprogramma", "Drinkwatervoorziening"]),
}
TOPIC_STANCE = {  # which side of the axis tends to support motions on a topic (+ right, - left)
    "wonen": -0.4, "zorg": -0.5, "klimaat": -0.8, "landbouw": 0.8, "onderwijs": -0.3, "migratie": 0.9,
    "defensie": 0.5, "veiligheid": 0.6, "bestaanszekerheid": -0.7, "mobiliteit": 0.1,
    "digitalisering": -0.1, "financien": 0.3, "cultuur": -0.6, "water": 0.0,
}
VERBS = ["verzoekt de regering", "roept het kabinet op", "verzoekt het kabinet", "draagt de regering op"]
ACTIONS = ["in overleg met {a} te zorgen dat {b} beter worden beschermd", "uiterlijk dit jaar een plan te maken voor {a} en {b}",
           "de middelen voor {a} structureel te verhogen", "te onderzoeken hoe {a} kan bijdragen aan {b}",
           "geen bezuinigingen door te voeren op {a}", "de regels rond {a} te vereenvoudigen ten gunste van {b}",
           "de Kamer voor de zomer te informeren over {a}", "een landelijke norm voor {a} in te voeren"]
OBSERVATIONS = ["constaterende dat {a} onder druk staan", "constaterende dat {a} en {b} sterk samenhangen",
                "overwegende dat {a} voor veel mensen onzeker is", "overwegende dat {a} essentieel is voor {b}",
                "constaterende dat de problemen rond {a} toenemen", "van mening dat {a} niet mag leiden tot minder {b}"]


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _ts(day: dt.date, rng: random.Random) -> str:
    return f"{day.isoformat()}T{rng.randint(8, 22):02d}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}.{rng.randint(0, 999):03d}0000"


def publication_xml(*, identifier: str, dossier: str, dossier_title: str, title: str, day: dt.date,
                    paragraphs: list[str], signers: list[str]) -> bytes:
    """A KOOP ``officiele-publicatie`` document with the text as ``<al>`` paragraphs."""
    als = "\n".join(f"            <al>{escape(p)}</al>" for p in paragraphs)
    sig = "\n".join(f"            <al>{escape(s)}</al>" for s in signers)
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<officiele-publicatie xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <metadata><meta name="OVERHEIDop.externMetadataRecord" scheme="" content="https://example.invalid/{identifier}/metadata.xml"/></metadata>
  <kamerstuk>
    <kamerstukkop><tekstregel inhoud="kameraanduiding">Tweede Kamer der Staten-Generaal</tekstregel></kamerstukkop>
    <dossier><dossiernummer><dossiernr>{escape(dossier)}</dossiernr></dossiernummer><titel>{escape(dossier_title)}</titel></dossier>
    <stuk>
      <titel>{escape(title)}</titel>
      <datumtekst>Voorgesteld <datum isodatum="{day.isoformat()}">{day.isoformat()}</datum></datumtekst>
      <algemeen><vrije-tekst><tekst status="goed">
{als}
          <al-groep>
{sig}
          </al-groep>
      </tekst></vrije-tekst></algemeen>
    </stuk>
  </kamerstuk>
</officiele-publicatie>
""".encode()


def pdf_document(text: str) -> bytes:
    """A minimal one-page PDF (Helvetica, one line per text line) with a real text layer."""
    def esc(line: str) -> str:
        return line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    content = "BT /F1 10 Tf 40 800 Td 13 TL " + " ".join(f"({esc(line)}) Tj T*" for line in text.split("\n")) + " ET"
    objs = ["<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
            "/Resources << /Font << /F1 5 0 R >> >> >>",
            f"<< /Length {len(content.encode('latin-1', 'replace'))} >>\nstream\n{content}\nendstream",
            "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    out, offsets = b"%PDF-1.4\n", []
    for i, obj in enumerate(objs, 1):
        offsets.append(len(out))
        out += f"{i} 0 obj\n{obj}\nendobj\n".encode("latin-1", "replace")
    xref = len(out)
    out += f"xref\n0 {len(objs) + 1}\n0000000000 65535 f \n".encode() + b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += f"trailer\n<< /Size {len(objs) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return out


class Corpus:
    """The generated corpus: a feed log plus publications.

    :param motions: number of motions (320 by default: about 6,000 feed entities).
    :param cases: add what shows related motions that say why (:mod:`devkit.standin.cases`).
    """

    generated = True  # every motion made up here (see :data:`GENERATED`)

    def __init__(self, motions: int = 320, seed: int = SEED, *, cases: bool = False):
        self.rng = random.Random(seed)
        self.log: list[LogEntry] = []
        self.publications: dict[str, Publication] = {}      # by publication id
        self.versie_publications: dict[str, list[str]] = {}  # versie id -> publication ids
        self.motion_dates: dict[str, dt.date] = {}
        self.expected_texts: dict[str, str] = {}              # zaak id -> text of the newest version
        self.document_pdfs: dict[str, bytes] = {}             # document id -> PDF (motions without publication)
        self._token = 1_000_000
        self.cases: dict = {}
        self._build(motions)
        if cases:  # amended motions, a party merge, a dossier only in the externeidentifier
            from devkit.standin.cases import add_cases
            add_cases(self)

    def emit(self, entity: Entity, generation: int = 1) -> None:
        """Append ``entity`` to the feed log at the next skiptoken."""
        self._emit(entity, generation)

    def _emit(self, entity: Entity, generation: int = 1) -> None:
        self._token += self.rng.randint(1, 9)
        self.log.append(LogEntry(self._token, generation, entity))

    def _build(self, n_motions: int) -> None:
        rng = self.rng
        start = dt.date(2024, 1, 9)
        # parties: one Fractie each, SP also with an older, inactive record (same abbreviation)
        self.fracties: dict[str, list[str]] = {}
        for afk, name, seats, _ in PARTIES:
            ids = [_uuid(rng)] + ([_uuid(rng)] if afk == "SP" else [])
            self.fracties[afk] = ids
            for i, fid in enumerate(ids):
                self._emit(Entity("Fractie", fid, _ts(start, rng), fields=[
                    ("nummer", str(rng.randint(1000, 9999))), ("afkorting", afk), ("naamNL", name),
                    ("naamEN", None), ("aantalZetels", str(seats if i == 0 else 0)),
                    ("datumActief", "2023-12-06T00:00:00"), ("datumInactief", None if i == 0 else "2023-12-05T00:00:00")]))
        members = {afk: [f"{rng.choice('ABCDEFGHJKLMNPRSTW')}. {rng.choice(SURNAMES)}" for _ in range(max(2, seats // 3))]
                   for afk, _, seats, _ in PARTIES}
        # dossiers: three per topic
        self.dossiers: list[tuple[str, str, str, str]] = []  # (id, nummer, title, topic)
        for topic, (_, titles) in TOPICS.items():
            for title in titles:
                kid, nummer = _uuid(rng), str(rng.randint(21000, 36999))
                self.dossiers.append((kid, nummer, title, topic))
                self._emit(Entity("Kamerstukdossier", kid, _ts(start, rng), fields=[
                    ("titel", title), ("citeertitel", None), ("nummer", nummer), ("toevoeging", None),
                    ("afgesloten", "false"), ("kamer", "Tweede Kamer")]))
        texts_seen: list[tuple[list[str], str, list[str]]] = []
        self.motions: list[dict] = []
        for i in range(n_motions):
            kid, dnum, dtitle, topic = self.dossiers[rng.randrange(len(self.dossiers))]
            words = TOPICS[topic][0]
            day = start + dt.timedelta(days=7 * rng.randrange(150) + rng.choice((0, 1, 2)))  # Tue-Thu over ~3 years
            party = rng.choice(PARTIES)
            submitter = rng.choice(members[party[0]])
            co = [rng.choice(members[p[0]]) for p in rng.sample(PARTIES, rng.randint(0, 2))]
            duplicate = i % 97 == 13 and bool(texts_seen)
            if duplicate:  # a re-submitted motion with an identical text
                paragraphs, subject, dup_signers = texts_seen[-1]
            else:
                a, b, c, d, e, f = rng.sample(words, 6)
                paragraphs = ["De Kamer,", "gehoord de beraadslaging,",
                              rng.choice(OBSERVATIONS).format(a=a, b=b) + ";",
                              rng.choice(OBSERVATIONS).format(a=c, b=e) + ";",
                              f"overwegende dat {f}, {a} en {c} in samenhang moeten worden bezien;",
                              f"{rng.choice(VERBS)} {rng.choice(ACTIONS).format(a=d, b=rng.choice(words))},",
                              "en gaat over tot de orde van de dag."]
                subject = f"{a} en {d}"
            surname = submitter.split(". ", 1)[1]
            onderwerp = f"Motie van het lid {surname}{' c.s.' if co else ''} over {subject}"
            zid, did, vid = _uuid(rng), _uuid(rng), _uuid(rng)
            volg = rng.randint(10, 999)
            znum = f"{day.year}Z{rng.randint(10000, 29999):05d}"
            self.motion_dates[zid] = day
            self._emit(Entity("Zaak", zid, _ts(day, rng), fields=[
                ("nummer", znum), ("soort", "Motie"), ("titel", dtitle), ("citeertitel", None), ("alias", None),
                ("status", "Vrijgegeven"), ("onderwerp", onderwerp), ("gestartOp", f"{day.isoformat()}T00:00:00"),
                ("organisatie", "Tweede Kamer"), ("vergaderjaar", f"{day.year}-{day.year + 1}"), ("volgnummer", str(volg)),
                ("afgedaan", "true"), ("grootProject", "false"), ("kabinetsappreciatie", rng.choice(["Ontraden", "Oordeel Kamer", None])),
                GENERATED],
                refs=[("kamerstukdossier", kid)]))
            for j, name in enumerate([submitter] + co):
                afk = next(p for p in PARTIES if name in members[p[0]])[0]
                self._emit(Entity("ZaakActor", _uuid(rng), _ts(day, rng), fields=[
                    ("actorNaam", name), ("actorFractie", afk), ("functie", "Tweede Kamerlid"),
                    ("relatie", "Indiener" if j == 0 else "Medeindiener")], refs=[("zaak", zid), ("fractie", self.fracties[afk][0])]))
            signers = [submitter.split(". ", 1)[1]] + [c.split(". ", 1)[1] for c in co]
            if duplicate:
                signers = dup_signers
            else:
                texts_seen.append((paragraphs, subject, signers))
            ident = f"kst-{dnum}-{volg}"
            no_pub = i % 41 == 7          # never a publication (text unavailable)
            late_pub = i % 53 == 11       # publication appears in generation 2
            self._emit(Entity("Document", did, _ts(day, rng), fields=[
                ("soort", "Motie"), ("documentNummer", f"{day.year}D{rng.randint(10000, 49999):05d}"),
                ("titel", dtitle), ("onderwerp", onderwerp), ("datum", f"{day.isoformat()}T00:00:00"),
                ("volgnummer", str(volg)), ("vergaderjaar", f"{day.year}-{day.year + 1}"), ("kamer", "2"),
                ("contentType", "application/pdf"), ("contentLength", str(rng.randint(15000, 40000)))],
                refs=[("huidigeDocumentVersie", vid), ("zaak", zid), ("kamerstukdossier", kid)]))
            self._emit(Entity("DocumentVersie", vid, _ts(day, rng), fields=[
                ("status", "Vrijgegeven"), ("versienummer", "1"), ("extensie", ".pdf"),
                ("datum", f"{day.isoformat()}T12:00:00"), ("externeidentifier", ident)], refs=[("document", did)]))
            if no_pub and i % 2 == 1:  # no publication XML, but the document file is there (PDF)
                self.document_pdfs[did] = pdf_document("\n".join(paragraphs + signers))
            if not no_pub:
                self._add_publication(vid, ident, dnum, dtitle, onderwerp.upper(), day, paragraphs, signers,
                                      generation=2 if late_pub else 1)
            self.expected_texts[zid] = " ".join(paragraphs + signers)
            self.motions.append({"id": zid, "topic": topic, "dossier": dnum, "party": party[0], "day": day,
                                 "document": did, "versie": vid, "ident": ident, "dossier_title": dtitle,
                                 "paragraphs": paragraphs, "signers": signers, "onderwerp": onderwerp})
            if rng.random() < 0.85:
                self._emit_votes(zid, topic, party, day, roll_call=(i % 61 == 5))
        self._generation_two()

    def _add_publication(self, vid, ident, dnum, dtitle, title, day, paragraphs, signers, generation=1):
        pid = _uuid(self.rng)
        xml = publication_xml(identifier=ident, dossier=dnum, dossier_title=dtitle, title=title, day=day,
                              paragraphs=paragraphs, signers=signers)
        self.publications[pid] = Publication(pid, vid, ident, xml, generation)
        self.versie_publications.setdefault(vid, []).append(pid)

    def _emit_votes(self, zid: str, topic: str, submitter_party: tuple, day: dt.date, roll_call: bool) -> None:
        rng = self.rng
        bid = _uuid(rng)
        stance = TOPIC_STANCE[topic] * rng.choice([1, 1, 1, -1])
        votes = {}
        for afk, name, seats, bloc in PARTIES:
            lean = BLOC_AXIS[bloc] * stance + rng.gauss(0, 0.35)
            if afk == submitter_party[0]:
                lean = 1.0
            votes[afk] = "Voor" if lean > 0 else "Tegen"
            if rng.random() < 0.03:
                votes[afk] = "Niet deelgenomen"
        voor = sum(p[2] for p in PARTIES if votes[p[0]] == "Voor")
        outcome = "aangenomen" if voor > 75 else "verworpen"
        self._emit(Entity("Besluit", bid, _ts(day, rng), fields=[
            ("stemmingsSoort", "Hoofdelijk" if roll_call else "Met handopsteken"),
            ("besluitSoort", f"Stemmen - {outcome}"), ("besluitTekst", outcome.capitalize() + "."),
            ("opmerking", None), ("status", "Besluit"), ("agendapuntZaakBesluitVolgorde", "1")],
            refs=[("agendapunt", _uuid(rng)), ("zaak", zid)]))
        for afk, name, seats, _ in PARTIES:
            fid = self.fracties[afk][0]
            rows = seats if roll_call else 1
            for m in range(rows):
                sid = _uuid(rng)
                self._emit(Entity("Stemming", sid, _ts(day, rng), fields=[
                    ("soort", votes[afk]), ("fractieGrootte", str(seats)), ("actorNaam", name if not roll_call else f"{name} lid {m + 1}"),
                    ("actorFractie", name), ("vergissing", "false"), ("sidActorLid", f"S-1-{rng.getrandbits(40)}" if roll_call else None),
                    ("sidActorFractie", f"S-1-{afk}")], refs=[("besluit", bid), ("fractie", fid)]
                    + ([("persoon", _uuid(rng))] if roll_call else [])))
                if not roll_call and rng.random() < 0.02:  # a known data issue: a duplicate vote row
                    self._emit(Entity("Stemming", _uuid(rng), _ts(day, rng), fields=[
                        ("soort", votes[afk]), ("fractieGrootte", str(seats)), ("actorNaam", name), ("actorFractie", name),
                        ("vergissing", "false"), ("sidActorLid", None), ("sidActorFractie", f"S-1-{afk}")],
                        refs=[("besluit", bid), ("fractie", fid)]))
        if not roll_call and rng.random() < 0.05:  # a vote cast by mistake, to be ignored
            afk, name, seats, _ = rng.choice(PARTIES)
            other = "Tegen" if votes[afk] == "Voor" else "Voor"
            self._emit(Entity("Stemming", _uuid(rng), _ts(day, rng), fields=[
                ("soort", other), ("fractieGrootte", str(seats)), ("actorNaam", name), ("actorFractie", name),
                ("vergissing", "true"), ("sidActorLid", None), ("sidActorFractie", f"S-1-{afk}")],
                refs=[("besluit", bid), ("fractie", self.fracties[afk][0])]))

    def _generation_two(self) -> None:
        """Changes a later run meets: tombstone, unchanged re-emit, revised text, late publications."""
        rng = self.rng
        by_cat = {}
        for e in self.log:
            by_cat.setdefault(e.entity.category, []).append(e.entity)
        zaken = by_cat["Zaak"]
        self.tombstoned = zaken[3].id
        day = self.motion_dates[self.tombstoned]
        self._emit(Entity("Zaak", self.tombstoned, _ts(day + dt.timedelta(days=30), rng), deleted=True), generation=2)
        # re-emitted, unchanged: same change time, same content, new skiptoken
        self.reemitted = zaken[5].id
        self._emit(zaken[5], generation=2)
        # a revised motion text: a new document version with its own publication
        m = self.motions[8]
        self.revised = m["id"]
        nvid = _uuid(rng)
        paragraphs = m["paragraphs"][:-1] + ["verzoekt de regering tevens jaarlijks te rapporteren over de voortgang,",
                                             m["paragraphs"][-1]]
        doc = next(e for e in by_cat["Document"] if e.id == m["document"])
        nday = m["day"] + dt.timedelta(days=2)
        self._emit(Entity("DocumentVersie", nvid, _ts(nday, rng), fields=[
            ("status", "Vrijgegeven"), ("versienummer", "2"), ("extensie", ".pdf"),
            ("datum", f"{nday.isoformat()}T12:00:00"), ("externeidentifier", m["ident"])], refs=[("document", doc.id)]), generation=2)
        self._emit(Entity("Document", doc.id, _ts(nday, rng), fields=doc.fields,
                          refs=[("huidigeDocumentVersie", nvid)] + [r for r in doc.refs if r[0] != "huidigeDocumentVersie"]),
                   generation=2)
        self._add_publication(nvid, m["ident"], m["dossier"], m["dossier_title"], m["onderwerp"].upper(), nday,
                              paragraphs, m["signers"], generation=2)
        self.expected_texts[m["id"]] = " ".join(paragraphs + m["signers"])
