import pytest

from motion_ops.reports.names import file_safe


@pytest.mark.parametrize("text,name", [
    ("scheduled__2025-01-01T02:00:00+00:00", "scheduled__2025-01-01T02_00_00_00_00"),
    ("manual__2025-06-01T10:15:30.123456+00:00", "manual__2025-06-01T10_15_30.123456_00_00"),
    ("../../etc/passwd", ".._.._etc_passwd"),
    ("run <1> & 'x'", "run__1_____x_"),
    ("motion_summaries-dataset_triggered__2025", "motion_summaries-dataset_triggered__2025"),
])
def test_a_run_id_becomes_a_file_name_of_letters_digits_dots_dashes_and_underscores(text, name):
    assert file_safe(text) == name


def test_every_report_file_name_is_made_by_the_one_sanitiser():
    from motion_ops.piloting import report_stem as _stem
    from motion_ops.reports.qa import report_stem

    run_id = "manual__2025-06-01T10:15:30+00:00"
    assert report_stem(run_id, 3, 2) == f"qa_similarity_{file_safe(run_id)}_v3_try2"
    assert _stem("motion_summaries", run_id) == "pilot-" + file_safe(f"motion_summaries-{run_id}")
