"""Reviewer's demonstrations (wt/review): ISO 8601 spellings of a change time (#1)."""
import datetime as dt

import pytest

from motion_ops.parsers.feedtime import feed_instant, feed_time


@pytest.mark.parametrize("value", ["2023-10-27T08:46:51z", "2023-10-27T08:46:51+00", "2023-10-27T10:46:51.5+02"])
def test_an_offset_in_hours_only_or_a_lowercase_z_is_a_timestamp(value):
    # ISO 8601 allows ±hh, RFC 3339 a lowercase z; refused, checked_page stops the category at that page every run
    assert feed_instant(value).replace(microsecond=0) == dt.datetime(2023, 10, 27, 8, 46, 51, tzinfo=dt.timezone.utc)


@pytest.mark.parametrize("value", ["0001-01-01T00:30:00+01:00", "9999-12-31T23:59:59-05:00"])
def test_a_change_time_the_sync_accepts_has_an_instant_or_is_refused_as_not_a_timestamp(value):
    try:
        feed_time(value)
    except ValueError:
        return  # refused at the sync: fine
    feed_instant(value)  # accepted at the sync: assembly must be able to order it (raises OverflowError today)
