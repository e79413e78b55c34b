"""District local time: DST gaps and overlaps, working hours and reminder offsets."""

from datetime import UTC, datetime, timedelta

import pytest

from notifier.schedule import (
    DISTRICT_TIME_ZONE,
    local_to_utc,
    parse_offset,
    reminder_time,
    working_hours_warnings,
)


class TestLocalToUtc:
    def test_winter_time_is_utc_minus_five(self):
        resolved = local_to_utc(datetime(2026, 12, 8, 9, 0))

        assert resolved.utc == datetime(2026, 12, 8, 14, 0, tzinfo=UTC)
        assert resolved.warnings == []

    def test_summer_time_is_utc_minus_four(self):
        resolved = local_to_utc(datetime(2027, 6, 1, 9, 0))

        assert resolved.utc == datetime(2027, 6, 1, 13, 0, tzinfo=UTC)

    def test_spring_forward_gap_moves_to_first_valid_minute(self):
        resolved = local_to_utc(datetime(2027, 3, 14, 2, 30))

        assert resolved.utc == datetime(2027, 3, 14, 7, 0, tzinfo=UTC)
        assert resolved.local.hour == 3
        assert resolved.local.minute == 0
        assert "does not exist" in resolved.warnings[0]

    def test_start_of_gap_also_moves(self):
        resolved = local_to_utc(datetime(2027, 3, 14, 2, 0))

        assert resolved.utc == datetime(2027, 3, 14, 7, 0, tzinfo=UTC)

    def test_fall_back_overlap_takes_first_occurrence(self):
        resolved = local_to_utc(datetime(2026, 11, 1, 1, 30))

        # The first 01:30 is still EDT (UTC-4); the second would be 06:30 UTC.
        assert resolved.utc == datetime(2026, 11, 1, 5, 30, tzinfo=UTC)
        assert "happens twice" in resolved.warnings[0]

    def test_aware_time_keeps_its_offset(self):
        moment = datetime(2027, 3, 14, 2, 30, tzinfo=UTC)

        resolved = local_to_utc(moment)

        assert resolved.utc == moment
        assert resolved.warnings == []


class TestWorkingHours:
    def test_weekday_morning_has_no_warning(self):
        start = datetime(2026, 12, 11, 9, 0, tzinfo=DISTRICT_TIME_ZONE)

        assert working_hours_warnings("session 1", start, start + timedelta(hours=1)) == []

    def test_saturday_is_flagged(self):
        start = datetime(2026, 12, 12, 9, 0, tzinfo=DISTRICT_TIME_ZONE)

        warnings = working_hours_warnings("session 1", start, start + timedelta(hours=1))

        assert len(warnings) == 1
        assert "weekend" in warnings[0]

    def test_early_start_is_flagged(self):
        start = datetime(2026, 12, 11, 6, 30, tzinfo=DISTRICT_TIME_ZONE)

        warnings = working_hours_warnings("session 1", start, start + timedelta(hours=1))

        assert "outside working hours" in warnings[0]

    def test_end_after_seven_pm_is_flagged(self):
        start = datetime(2026, 12, 11, 18, 30, tzinfo=DISTRICT_TIME_ZONE)

        warnings = working_hours_warnings("session 1", start, start + timedelta(hours=1))

        assert "outside working hours" in warnings[0]

    def test_end_at_seven_pm_is_inside(self):
        start = datetime(2026, 12, 11, 18, 0, tzinfo=DISTRICT_TIME_ZONE)

        assert working_hours_warnings("session 1", start, start + timedelta(hours=1)) == []


class TestOffsets:
    @pytest.mark.parametrize(
        ("text", "days", "elapsed"),
        [
            ("P1D", 1, timedelta(0)),
            ("PT1H", 0, timedelta(hours=1)),
            ("PT30M", 0, timedelta(minutes=30)),
            ("P1DT2H", 1, timedelta(hours=2)),
            ("P1W", 7, timedelta(0)),
            ("pt15m", 0, timedelta(minutes=15)),
        ],
    )
    def test_valid_offsets_parse(self, text, days, elapsed):
        offset = parse_offset(text)

        assert offset.days == days
        assert offset.elapsed == elapsed

    @pytest.mark.parametrize("text", ["P", "PT", "P1M", "P1Y", "1D", "P1DT", "-P1D", "PT1.5H", ""])
    def test_invalid_offsets_raise(self, text):
        with pytest.raises(ValueError, match="invalid reminder offset"):
            parse_offset(text)

    def test_one_day_keeps_wall_clock_across_spring_forward(self):
        start = datetime(2027, 3, 14, 9, 0, tzinfo=DISTRICT_TIME_ZONE)

        reminder = reminder_time(start, parse_offset("P1D"))

        assert reminder.astimezone(DISTRICT_TIME_ZONE).hour == 9
        assert start - reminder == timedelta(hours=23)

    def test_hours_are_elapsed_time_across_fall_back(self):
        start = datetime(2026, 11, 1, 3, 0, tzinfo=DISTRICT_TIME_ZONE)

        reminder = reminder_time(start, parse_offset("PT2H"))

        assert start - reminder == timedelta(hours=2)
