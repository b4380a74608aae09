"""The faithfulness check on real motions: every request covered, no invented numbers."""
import pytest

from motion_ops.llm.extractive import summarize
from motion_ops.llm.faithfulness import numbers, problems
from motion_ops.llm.schema import MotionSummary, Request


def test_the_extractive_summary_of_every_real_motion_passes_the_check(real_motions):
    for m in real_motions.values():
        s = summarize(m)
        assert problems(m, s) == [], m.nummer
        assert [r.clause for r in s.requests] == list(range(1, len(m.clauses) + 1))


def test_the_request_clauses_are_found_in_real_texts(real_motions):
    assert [c.split()[0].lower() for c in real_motions["2023Z20125"].clauses] == ["besluit", "verzoekt", "verzoekt"]
    assert real_motions["2023Z20134"].clauses[0].startswith("spreekt uit dat het eigen risico")
    assert real_motions["2024Z02472"].clauses[0].startswith("draagt de regering op")
    assert real_motions["2023Z19786"].clauses[0].startswith("roept het kabinet op")
    assert real_motions["2023Z20124"].clauses == []


def _summary(m, asks, text="De Kamer wil dat de regering iets doet aan dit probleem."):
    return MotionSummary(summary_nl=text, requests=[Request(clause=i, ask=a, addressee="regering") for i, a in asks])


def test_a_missing_request_is_a_problem(real_motions):
    m = real_motions["2023Z20125"]
    found = problems(m, _summary(m, [(1, m.clauses[0][:120]), (3, m.clauses[2][:120])]))
    assert len(found) == 1 and found[0].startswith("verzoek 2 ontbreekt")


def test_a_request_twice_or_one_that_does_not_exist_is_a_problem(real_motions):
    m = real_motions["2023Z19786"]
    found = problems(m, _summary(m, [(1, m.clauses[0][:120]), (1, m.clauses[0][:100]), (2, "nog iets anders")]))
    assert any("2 keer" in p for p in found) and any("noemt verzoek 2" in p for p in found)


def test_an_ask_sharing_nothing_with_its_clause_is_a_problem(real_motions):
    m = real_motions["2023Z19786"]
    found = problems(m, _summary(m, [(1, "iets over voetbalstadions en bier")]))
    assert found == ["de tekst bij verzoek 1 heeft niets gemeen met dat verzoek in de motie"]


def test_numbers_not_in_the_text_are_problems_and_numbers_from_the_text_are_not(real_motions):
    m = real_motions["2023Z19781"]  # "met ruim 60% te korten", "jaarklasse 2018", quotum van 2024
    assert {"60", "2018", "2024"} <= numbers(m.source)
    ok = _summary(m, [(1, m.clauses[0][:150])], text="Het quotum voor tong in 2024 gaat met ruim 60% omlaag.")
    assert problems(m, ok) == []
    bad = _summary(m, [(1, m.clauses[0][:150])], text="Het quotum gaat in 2025 met 75% omlaag, kosten €1,5 miljard.")
    (p,) = problems(m, bad)
    assert p == "summary_nl noemt 15, 2025, 75, dat niet in de motie staat"


def test_a_dossier_number_not_of_this_motion_is_a_problem(real_motions):
    m = real_motions["2023Z20134"]
    s = _summary(m, [(1, m.clauses[0][:150])], text="Dit hoort bij dossier 36410 over de zorg en het eigen risico.")
    assert any("36410" in p for p in problems(m, s))


@pytest.mark.parametrize("text,expected", [("1.500 en 1,500", {"1500"}), ("geen getal", set()), ("21501-32", {"21501", "32"})])
def test_numbers_ignore_thousands_separators(text, expected):
    assert numbers(text) == expected


def test_a_clause_of_frame_words_only_can_be_covered():
    from motion_ops.llm.prompt import MotionText

    m = MotionText("x", "2024Z1", "Motie over iets", "De Kamer,\ngehoord de beraadslaging,\nverzoekt de regering de Kamer "
                   "hierover te informeren,\nen gaat over tot de orde van de dag.")
    (clause,) = m.clauses
    s = _summary(m, [(1, "de Kamer op de hoogte houden")])
    assert problems(m, s) == [] and problems(m, summarize(m)) == []
