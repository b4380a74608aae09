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
