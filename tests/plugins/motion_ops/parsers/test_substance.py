import json

from motion_ops.parsers.bodytext import extract_publication_text, publication_kamerstuk
from motion_ops.parsers.substance import (
    RECIPE,
    considerations,
    is_amended,
    model_key,
    normalise_dossier,
    parse_kamerstuk,
    replaced_kamerstuk,
    signatories,
    subject,
    substance,
)
from tests.conftest import REAL

MOTIONS = [json.loads(line) for line in (REAL / "motions" / "sample.jsonl").open(encoding="utf-8")]
PUBLICATION = REAL / "publication" / "kst-19637-3384_documentpublicatie_dfd9c46a.xml"


def test_the_substance_of_a_real_publication_drops_the_frame_and_the_signatories_and_keeps_the_requests():
    body = extract_publication_text(PUBLICATION.read_bytes())
    assert body.startswith("De Kamer,") and body.splitlines()[-1] == "Van der Plas"  # verbatim: signatories too
    core = considerations(body)
    assert not core.lower().startswith("de kamer") and "gehoord de beraadslaging" not in core
    assert "orde van de dag" not in core and "Van der Plas" not in core and "Podt" not in core
    assert core.startswith("constaterende dat ondernemers in onder meer Ter Apel") and "verzoekt het kabinet" in core


def test_the_subject_loses_the_motie_van_het_lid_frame_and_the_tvv_reference():
    amended = MOTIONS[0]["onderwerp"]
    assert amended.startswith("Gewijzigde motie van het lid Yesilgöz-Zegerius c.s. over") and "(t.v.v. 36471-7)" in amended
    assert subject(amended).startswith("de wens uitspreken") and "t.v.v" not in subject(amended)
    assert subject("Motie van de leden Bikker en Ceder over gezinsbeleid") == "gezinsbeleid"
    assert subject("Kabinetsreactie") == "Kabinetsreactie"  # no frame: unchanged


def test_the_recipe_text_is_subject_dossier_title_and_considerations_and_its_version_is_in_the_model_key():
    m = MOTIONS[4]
    text = substance(m["text"] + "\nFlach\nVedder", m["onderwerp"], m["dossier_title"])
    lines = text.splitlines()
    assert lines[0] == subject(m["onderwerp"]) and lines[1] == "Landbouw- en Visserijraad"
    assert lines[2].startswith("constaterende dat") and "Flach" not in lines[-1] and "orde van de dag" not in text
    assert model_key("bge-m3") == f"bge-m3+{RECIPE}" != model_key("bge-m3", "substance-v2")


def test_kamerstuk_references_parse_with_and_without_toevoeging():
    assert parse_kamerstuk("kst-21501-32-1603") == ("21501-32", "1603")
    assert parse_kamerstuk("kst-19637-3384") == ("19637", "3384")
    assert parse_kamerstuk("kst-36200-vii-12") == ("36200-VII", "12")
    assert parse_kamerstuk("brief") is None and parse_kamerstuk(None) is None
    assert [replaced_kamerstuk(MOTIONS[i]["onderwerp"]) for i in (0, 2)] == [
        MOTIONS[i]["kamerstuk"].removeprefix("kst-") for i in (1, 3)]  # the originals' kamerstuk numbers
    assert replaced_kamerstuk(MOTIONS[1]["onderwerp"]) is None
    assert [is_amended(m["onderwerp"], m["document_soort"]) for m in MOTIONS[:4]] == [True, False, True, False]
    assert [normalise_dossier(v) for v in ("21 501-32", "19 637", "36200 VII", "21501 32")] == [
        "21501-32", "19637", "36200-VII", "21501-32"]


def test_the_publication_names_its_dossier_and_number():
    assert publication_kamerstuk(PUBLICATION.read_bytes()) == ("19637", "19637-3384")
    assert publication_kamerstuk(b"<officiele-publicatie/>") == (None, None)
    assert publication_kamerstuk(b"not xml") == (None, None)


def test_a_tvv_reference_at_the_end_of_a_title_without_parentheses_names_the_replaced_kamerstuk_too():
    title = ("Gewijzigde motie van het lid Van Baarle over een uitspraak dat er geen kabinet moet worden gemaakt van "
             "een rechts kabinet t.v.v. 36471-27")  # as one of the real motions in devkit/data writes it
    assert replaced_kamerstuk(title) == "36471-27"
    assert subject(title) == "een uitspraak dat er geen kabinet moet worden gemaakt van een rechts kabinet"
    assert replaced_kamerstuk("Motie van het lid Kops over t.v.v.-regels in de wet") is None


def test_the_signatories_are_the_lines_after_the_closing_formula():
    body = "De Kamer,\ngehoord de beraadslaging,\nverzoekt de regering iets,\nen gaat over tot de orde van de dag.\n" \
           "Yeşilgöz-Zegerius\nVan der Plas\n"
    assert signatories(body) == ["Yeşilgöz-Zegerius", "Van der Plas"]
    assert signatories("De Kamer,\nverzoekt de regering iets,") == [] and signatories(None) == []


def test_the_signatories_skip_punctuation_after_a_closing_formula_and_follow_the_last_one():
    comma = "verzoekt de regering iets.\nen gaat over tot de orde van de dag,\nRikkers-Oosterkamp\nAartsen"
    assert signatories(comma) == ["Rikkers-Oosterkamp", "Aartsen"]
    quoted = ("constaterende dat de vorige motie eindigde met en gaat over tot de orde van de dag;\n"
              "verzoekt de regering iets,\nen gaat over tot de orde van de dag.\nVan Kent\n.\nStultiens\n")
    assert signatories(quoted) == ["Van Kent", "Stultiens"]
