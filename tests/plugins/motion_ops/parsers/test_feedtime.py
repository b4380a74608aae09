import datetime as dt

import pytest

from motion_ops.parsers.feedtime import feed_instant, feed_time

UTC = dt.timezone.utc


@pytest.mark.parametrize("spelling,instant", [
    # no offset: Amsterdam time, as the live feed writes it (winter +01:00, summer +02:00)
    ("2019-07-15T11:02:54.8200000", dt.datetime(2019, 7, 15, 9, 2, 54, 820000, UTC)),
    ("2024-01-09T10:11:12", dt.datetime(2024, 1, 9, 9, 11, 12, tzinfo=UTC)),
    # the ns1-prefixed feed: seven fractional digits and an offset
    ("2023-10-27T10:46:51.0000000+02:00", dt.datetime(2023, 10, 27, 8, 46, 51, tzinfo=UTC)),
    ("2024-01-09T10:11:12.3456789+01:00", dt.datetime(2024, 1, 9, 9, 11, 12, 345678, UTC)),  # the 7th digit is cut off
    ("2024-01-09T09:11:12.9999999Z", dt.datetime(2024, 1, 9, 9, 11, 12, 999999, UTC)),  # cut off, not rounded up
    ("2024-01-09T09:11:12Z", dt.datetime(2024, 1, 9, 9, 11, 12, tzinfo=UTC)),
    ("2024-01-09T09:11:12.5Z", dt.datetime(2024, 1, 9, 9, 11, 12, 500000, UTC)),
    ("2024-01-09T09:11:12.12-05:00", dt.datetime(2024, 1, 9, 14, 11, 12, 120000, UTC)),
    ("2024-01-09T10:11:12.123456+0100", dt.datetime(2024, 1, 9, 9, 11, 12, 123456, UTC)),
])
def test_every_iso_8601_spelling_the_feed_uses_is_one_utc_instant(spelling, instant):
    got = feed_instant(spelling)
    assert got == instant and got.utcoffset() == dt.timedelta(0)


@pytest.mark.parametrize("bad", ["gisteren om drie uur", "2024-13-01T10:00:00", "2024-01-09 10:11:12", "2024-01-09",
                                 "2024-01-09T10:11:12+25:00", "2024-01-09T10:11:12.Z", "2024-01-09T10:11:12.1234567890",
                                 " 2024-01-09T10:11:12", "2024-01-09T10:11:12+02:00x"])
def test_anything_else_is_not_a_timestamp(bad):
    with pytest.raises(ValueError, match="not a timestamp"):
        feed_instant(bad)


def test_spellings_of_one_moment_are_equal_and_order_by_the_moment_not_the_text():
    assert feed_instant("2023-10-27T10:46:51.0000000+02:00") == feed_instant("2023-10-27T08:46:51Z") \
        == feed_instant("2023-10-27T10:46:51")
    # as text "10:30+02:00" sorts after "09:00Z"; as moments it is earlier
    assert feed_instant("2024-06-01T10:30:00+02:00") < feed_instant("2024-06-01T09:00:00Z")


@pytest.mark.parametrize("spelling,stored", [
    ("2019-07-15T11:02:54.8200000", "2019-07-15T11:02:54.820000+02:00"),  # summer
    ("2024-01-09T10:11:12", "2024-01-09T10:11:12+01:00"),  # winter
    ("2023-10-27T10:46:51.0000000+02:00", "2023-10-27T10:46:51.000000+02:00"),
    ("2024-01-09T09:11:12.5Z", "2024-01-09T09:11:12.500000Z"),
    ("2024-01-09T10:11:12.123456789-0500", "2024-01-09T10:11:12.123456-05:00"),
])
def test_the_store_gets_each_time_with_the_offset_it_means(spelling, stored):
    assert feed_time(spelling) == stored
    assert dt.datetime.fromisoformat(stored) == feed_instant(spelling)
