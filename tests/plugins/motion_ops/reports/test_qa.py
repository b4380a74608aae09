import re
import tomllib
from pathlib import Path

from motion_ops.numerics.relatedness import reason
from motion_ops.reports.qa import format_table, render_html, write_reports

METRICS = {"version": 3, "model": "m", "top_n": 2, "sample_size": 1, "population": 5,
           "checks": [{"name": "coverage", "value": 0.5, "threshold": 0.95, "passed": False, "detail": "<b>x</b>"}],
           "distribution": {"rank1": [0.1, 0.2, 0.3]}, "previous_distribution": None, "rank1_histogram": {"25": 3}}
SAMPLE = [{"id": "m1", "title": "Motie <script>alert(1)</script>", "neighbours": [
    {"neighbour_id": "m2", "rank": 1, "score": 0.5, "neighbour_title": "Andere & motie"}]}]


def test_the_table_shows_value_threshold_and_verdict():
    lines = format_table(METRICS["checks"]).splitlines()
    assert lines[0].split() == ["check", "value", "threshold", "result"] and lines[2].split() == ["coverage", "0.5", "0.95", "FAIL"]


def test_the_html_escapes_all_text_from_the_feed():
    page = render_html("run<1>", METRICS, SAMPLE, passed=False)
    assert "<script>alert" not in page and "&lt;script&gt;" in page and "Andere &amp; motie" in page
    assert "&lt;b&gt;x&lt;/b&gt;" in page and "FAILED" in page


def test_the_ledger_and_the_page_are_written_beside_each_other(tmp_path):
    paths = write_reports(tmp_path / "qa", "scheduled__2025-01-01T02:00:00+00:00", METRICS, SAMPLE, passed=False)
    assert paths["json"].parent == paths["html"].parent and paths["json"].name.startswith("qa_similarity_scheduled__2025")
    assert ":" not in paths["json"].name and '"passed": false' in paths["json"].read_text()


FULL = {**METRICS, "model": "hashing-lexical-v1-256", "try_number": 2, "sample_size": 2, "previous_version": 2,
        "checks": [*METRICS["checks"], {"name": "has_neighbours", "value": 0, "threshold": 0, "passed": True, "detail": []}],
        "previous_distribution": {"rank1": [0.2, 0.3, 0.4]}, "previous_rank1_histogram": {"24": 2, "31": 9},
        "params": {"weights": {"text": 0.7, "votes": 0.1, "dossier": 0, "min_common_parties": 5}}}
CARDS = [{"id": "m1", "nummer": "2023Z1", "document_nummer": "2023D9", "title": "Motie <script>alert(1)</script>",
          "dossier": "36200", "started_on": "2023-01-02", "neighbours": [
              {"neighbour_id": "m2", "rank": 1, "score": 0.5, "neighbour_nummer": "2023Z2", "neighbour_title": "Andere & motie",
               "neighbour_dossier": "36200", "same_dossier": True, "vote_same": 10, "vote_common": 12, "text_score": 0.41}]},
         {"id": "m3", "title": None, "neighbours": []}]


def test_the_page_has_a_row_per_check_and_a_card_per_sampled_motion_with_its_related_motions():
    page = render_html("manual__1", FULL, CARDS, passed=True)
    assert re.findall(r"<tr class=(\w+)><th scope=row>(\w+)</th>", page) == [("bad", "coverage"), ("ok", "has_neighbours")]
    assert ("<td>share of live motions with text that have a vector of this model (at least the threshold)</td>"
            "<td>0.5</td><td>0.95</td><td>FAIL</td><td>&lt;b&gt;x&lt;/b&gt;</td></tr>") in page
    assert "<h1>Similarity QA, run manual__1 (try 2)</h1>" in page and "<p class=verdict>PASSED: version 3 (hashing-lexical-v1-256, top 2)" in page
    assert "How a score is made: 0.7 × text cosine + 0.1 × net vote agreement over the parties that voted on both;" in page
    assert "<strong>The model is the built-in lexical hashing method</strong>" in page
    assert ('<h3><a href="https://www.tweedekamer.nl/kamerstukken/moties/detail?id=2023Z1&amp;did=2023D9">'
            "2023Z1 Motie &lt;script&gt;alert(1)&lt;/script&gt;</a></h3><small>dossier 36200 · 2023-01-02</small>") in page
    assert ('<li><span class=s>0.500</span> <a href="https://www.tweedekamer.nl/kamerstukken/moties/detail?id=2023Z2">'
            "2023Z2 Andere &amp; motie</a> <small>36200</small><br><small class=why>"
            f"{reason(CARDS[0]['neighbours'][0], 5)}</small></li>") in page
    assert "<h3> m3</h3><small>dossier - · </small><ol><li>no related motions</li></ol>" in page
    assert "<script>" not in page


def test_the_histogram_draws_forty_bars_the_published_version_as_a_line_and_labels_both_axes():
    page = render_html("r", FULL, CARDS, passed=True)
    svg = page[page.index("<svg"):page.index("</svg>")]
    assert svg.count("<rect ") == 40 and svg.count("<polyline ") == 1
    assert "<title>0.20 to 0.25: 3 motions</title>" in svg and ">rank-1 score (cosine)</text>" in svg
    assert "<span class=swatch-prev></span> version 2, published now</p>" in page
    alone = render_html("r", METRICS, SAMPLE, passed=False)
    assert "<polyline " not in alone and "(no published version to compare with)" in alone
    assert "<p>No scores.</p>" in render_html("r", {**METRICS, "rank1_histogram": {}}, SAMPLE, passed=False)


def test_the_page_is_a_template_shipped_with_the_package():
    from motion_ops.reports import render

    folder = Path(render.__file__).parent / "templates"
    assert (folder / "qa.html").is_file() and (folder / "pilot.html").is_file()
    pyproject = tomllib.loads((Path(__file__).parents[4] / "pyproject.toml").read_text())
    assert "templates/*.html" in pyproject["tool"]["setuptools"]["package-data"]["motion_ops.reports"]
    assert render.TEMPLATES.autoescape is True
