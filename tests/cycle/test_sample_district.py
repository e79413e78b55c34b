"""The sample district generator: deterministic, district-sized, in the real file layouts."""

from __future__ import annotations

import csv
import hashlib
from collections import Counter
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path

import pytest

from partnerfund_shared.cycle.checks import late_invitations, past_dates
from partnerfund_shared.cycle.config import DISTRICT_TIME_ZONE, load_cycle_file
from partnerfund_shared.cycle.sample import (
    CONTACTS_HEADER,
    ENROLLMENT_HEADER,
    PARTNERSHIPS_HEADER,
    PORTFOLIO_HEADER,
    SCHOOL_LIST_HEADER,
    SampleSummary,
    generate_sample_district,
)
from partnerfund_shared.cycle.vocabulary import GRADES, PROGRAM_AREAS

# A Friday, so the office hours skip the weekend.
CALENDAR_START = date(2026, 12, 4)
# SHA-256 prefixes of the five data files of seed 2028. The portfolio draws from its own random
# generator, so these stay as they were before it existed.
SEED_2028_DIGESTS = {
    "schools.csv": "62ad701ddc71cb52",
    "need-index-fy28.csv": "10e23aab576306b4",
    "enrollment-fy28.csv": "0dd69c4b4e5fe7b5",
    "partnerbps-partnership-overview.csv": "345c2eaa8fe87796",
    "contacts.csv": "3557d4f4b035d863",
}


def read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as stream:
        return list(csv.DictReader(stream))


def read_header(path: Path) -> list[str]:
    with path.open(encoding="utf-8", newline="") as stream:
        return next(csv.reader(stream))


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> SampleSummary:
    return generate_sample_district(tmp_path_factory.mktemp("sample"), seed=2028, today=CALENDAR_START)


class TestDeterminism:
    def test_same_seed_writes_identical_bytes(self, tmp_path: Path) -> None:
        first = generate_sample_district(tmp_path / "first", seed=7, today=CALENDAR_START)
        second = generate_sample_district(tmp_path / "second", seed=7, today=CALENDAR_START)

        for first_file, second_file in zip(first.files.all(), second.files.all(), strict=True):
            assert first_file.name == second_file.name
            assert first_file.read_bytes() == second_file.read_bytes(), first_file.name

    def test_other_day_changes_only_cycle_file(self, tmp_path: Path) -> None:
        first = generate_sample_district(tmp_path / "first", seed=7, today=CALENDAR_START)
        second = generate_sample_district(tmp_path / "second", seed=7, today=date(2027, 1, 4))

        changed = [
            first_file.name
            for first_file, second_file in zip(first.files.all(), second.files.all(), strict=True)
            if first_file.read_bytes() != second_file.read_bytes()
        ]
        assert changed == ["cycle.toml"]

    def test_portfolio_leaves_older_files_unchanged(self, sample: SampleSummary) -> None:
        digests = {
            path.name: hashlib.sha256(path.read_bytes()).hexdigest()[:16] for path in sample.files.all()
        }

        for name, digest in SEED_2028_DIGESTS.items():
            assert digests[name] == digest, name

    def test_other_seed_writes_other_district(self, tmp_path: Path) -> None:
        first = generate_sample_district(tmp_path / "first", seed=7)
        second = generate_sample_district(tmp_path / "second", seed=8)

        assert first.files.school_list.read_bytes() != second.files.school_list.read_bytes()

    def test_fiscal_year_names_score_column(self, tmp_path: Path) -> None:
        summary = generate_sample_district(tmp_path, seed=1, fiscal_year=2031)

        assert summary.files.scores.name == "need-index-fy31.csv"
        assert read_header(summary.files.scores)[-1] == "FY31 OI Score"


class TestSchools:
    def test_school_list_layout(self, sample: SampleSummary) -> None:
        assert read_header(sample.files.school_list) == list(SCHOOL_LIST_HEADER)

    def test_about_120_schools_with_unique_codes(self, sample: SampleSummary) -> None:
        rows = read_rows(sample.files.school_list)

        assert len(rows) == 120
        codes = [row["School Code"] for row in rows]
        assert len(set(codes)) == len(codes)
        assert all(len(code) == 4 and code.isdigit() for code in codes)

    def test_some_codes_keep_leading_zero(self, sample: SampleSummary) -> None:
        codes = [row["School Code"] for row in read_rows(sample.files.school_list)]

        assert any(code.startswith("0") for code in codes)

    def test_exactly_two_schools_share_one_rc_code(self, sample: SampleSummary) -> None:
        counts = Counter(row["RC Code"] for row in read_rows(sample.files.school_list))

        assert sorted(counts.values())[-2:] == [1, 2]
        assert all(len(code) == 6 for code in counts)

    def test_dese_codes_are_eight_digit_text(self, sample: SampleSummary) -> None:
        dese_codes = [row["DESE Code"] for row in read_rows(sample.files.school_list)]

        assert all(len(code) == 8 and code.startswith("00") for code in dese_codes)


class TestScores:
    def test_sheet_layout_matches_published_one(self, sample: SampleSummary) -> None:
        header = read_header(sample.files.scores)

        assert header == ["School Code", "RC Code", "School Name", "FY28 OI Score"]

    def test_scores_spread_from_low_to_high_need(self, sample: SampleSummary) -> None:
        texts = [row["FY28 OI Score"] for row in read_rows(sample.files.scores)]
        scores = [Decimal(text) for text in texts if text]

        assert min(scores) >= Decimal("0.15")
        assert max(scores) <= Decimal("0.90")
        assert min(scores) < Decimal("0.3")
        assert max(scores) > Decimal("0.8")
        eligible = [score for score in scores if score >= Decimal("0.56")]
        assert 0.25 < len(eligible) / len(scores) < 0.6

    def test_scores_have_one_to_three_decimals(self, sample: SampleSummary) -> None:
        texts = [row["FY28 OI Score"] for row in read_rows(sample.files.scores)]
        decimals = Counter(len(text.split(".")[1]) for text in texts if text)

        assert set(decimals) == {1, 2, 3}

    def test_a_few_scores_are_blank(self, sample: SampleSummary) -> None:
        texts = [row["FY28 OI Score"] for row in read_rows(sample.files.scores)]

        assert texts.count("") == sample.blank_scores
        assert 1 <= sample.blank_scores <= 5

    def test_same_schools_as_school_list(self, sample: SampleSummary) -> None:
        listed = {row["School Code"] for row in read_rows(sample.files.school_list)}
        scored = {row["School Code"] for row in read_rows(sample.files.scores)}

        assert scored == listed


class TestEnrollment:
    def test_layout_needs_column_mapping(self, sample: SampleSummary) -> None:
        assert read_header(sample.files.enrollment) == list(ENROLLMENT_HEADER)

    def test_enrollment_spans_30_to_2400(self, sample: SampleSummary) -> None:
        counts = [int(row["total_enrollment"]) for row in read_rows(sample.files.enrollment)]

        assert min(counts) == 30
        assert max(counts) == 2400

    def test_one_high_need_school_lacks_enrollment(self, sample: SampleSummary) -> None:
        enrolled = {row["bps_school_code"] for row in read_rows(sample.files.enrollment)}
        scored = {
            row["School Code"]: Decimal(row["FY28 OI Score"])
            for row in read_rows(sample.files.scores)
            if row["FY28 OI Score"]
        }

        missing = [code for code, score in scored.items() if code not in enrolled]
        assert len(missing) == 1
        assert scored[missing[0]] >= Decimal("0.6")


class TestPartnerships:
    def test_export_has_partnerbps_columns(self, sample: SampleSummary) -> None:
        assert read_header(sample.files.partnerships) == list(PARTNERSHIPS_HEADER)

    def test_catalog_sizes(self, sample: SampleSummary) -> None:
        rows = read_rows(sample.files.partnerships)
        organizations = {row["organization_name"] for row in rows}
        programs = {(row["organization_name"], row["program_name"]) for row in rows}

        assert len(organizations) == 500
        assert len(programs) == 900
        assert 3300 <= sample.partnerships <= 3500
        assert len(rows) == sample.partnerships + sample.unmatched_partnership_rows

    def test_about_28_programs_per_school(self, sample: SampleSummary) -> None:
        rows = read_rows(sample.files.partnerships)
        school_rc_codes = {row["RC Code"] for row in read_rows(sample.files.school_list)}
        per_site = Counter(
            (row["rc_code"], row["school_name"]) for row in rows if row["rc_code"] in school_rc_codes
        )

        assert len(per_site) >= 118
        assert 25 <= sum(per_site.values()) / len(per_site) <= 31

    def test_school_and_program_pairs_are_unique(self, sample: SampleSummary) -> None:
        rows = read_rows(sample.files.partnerships)
        pairs = Counter(
            (row["rc_code"], row["school_name"], row["organization_name"], row["program_name"])
            for row in rows
            if row["rc_code"]
        )

        assert max(pairs.values()) == 1

    def test_vocabularies_and_their_variants(self, sample: SampleSummary) -> None:
        rows = read_rows(sample.files.partnerships)
        areas = {area for row in rows for area in row["program_areas"].split(";") if area}
        times = {time for row in rows for time in row["time_of_day"].split(";")}
        grades = {grade for row in rows for grade in row["grades_served"].split(";") if grade}

        assert "Social, Emotional & Behavioral Health" in areas
        assert "Social Emotional & Behavioral Health" in areas
        assert areas <= set(PROGRAM_AREAS) | {"Social Emotional & Behavioral Health"}
        assert {"", "School Day", "School Day (Class Time)"} <= times
        assert grades <= set(GRADES) | {"Alternative Education"}
        assert "Alternative Education" in grades

    def test_multi_valued_cells_use_semicolons(self, sample: SampleSummary) -> None:
        rows = read_rows(sample.files.partnerships)

        assert any(";" in row["program_areas"] for row in rows)
        assert any(";" in row["grades_served"] for row in rows)
        assert not any("," in row["grades_served"] for row in rows)

    def test_fees_and_blank_times_like_real_exports(self, sample: SampleSummary) -> None:
        rows = read_rows(sample.files.partnerships)
        fees = Counter(row["student_fees"] for row in rows)
        blank_times = sum(1 for row in rows if not row["time_of_day"])

        assert set(fees) == {"Yes", "No", "Unknown", ""}
        assert fees["No"] > len(rows) / 2
        assert 0.3 < blank_times / len(rows) < 0.6

    def test_some_rows_match_no_school(self, sample: SampleSummary) -> None:
        rows = read_rows(sample.files.partnerships)
        school_rc_codes = {row["RC Code"] for row in read_rows(sample.files.school_list)}

        unmatched = [row for row in rows if row["rc_code"] not in school_rc_codes]
        assert len(unmatched) == sample.unmatched_partnership_rows
        assert any(row["rc_code"] == "" for row in unmatched)

    def test_websites_are_example_org(self, sample: SampleSummary) -> None:
        websites = {row["organization_website"] for row in read_rows(sample.files.partnerships)}

        assert all(".example.org" in website for website in websites if website)


class TestContacts:
    def test_layout(self, sample: SampleSummary) -> None:
        assert read_header(sample.files.contacts) == list(CONTACTS_HEADER)

    def test_one_leader_per_school(self, sample: SampleSummary) -> None:
        contacts = read_rows(sample.files.contacts)
        codes = {row["School Code"] for row in read_rows(sample.files.school_list)}

        leaders = [row for row in contacts if row["role"] == "school_leader"]
        assert sorted(row["school_code"] for row in leaders) == sorted(codes)

    def test_superintendents_cover_every_school_once(self, sample: SampleSummary) -> None:
        contacts = read_rows(sample.files.contacts)
        codes = {row["School Code"] for row in read_rows(sample.files.school_list)}

        superintendents = [row for row in contacts if row["role"] == "instructional_superintendent"]
        covered = [code for row in superintendents for code in row["school_code"].split(";")]
        assert len(superintendents) == 10
        assert sorted(covered) == sorted(codes)

    def test_emails_are_unique_example_org(self, sample: SampleSummary) -> None:
        emails = [row["email"] for row in read_rows(sample.files.contacts)]

        assert len(set(emails)) == len(emails)
        assert all(email.endswith("@example.org") and email.isascii() for email in emails)

    def test_non_ascii_names_survive(self, sample: SampleSummary) -> None:
        names = [row["name"] for row in read_rows(sample.files.contacts)]

        assert "José Núñez" in names
        assert sum(1 for name in names if not name.isascii()) >= 5


class TestPortfolio:
    def test_layout(self, sample: SampleSummary) -> None:
        assert read_header(sample.files.portfolio) == list(PORTFOLIO_HEADER)

    def test_sixty_to_ninety_programs(self, sample: SampleSummary) -> None:
        rows = read_rows(sample.files.portfolio)

        assert 60 <= len(rows) <= 90
        assert sum(sample.portfolio.values()) == len(rows)

    def test_mostly_approved_some_not(self, sample: SampleSummary) -> None:
        statuses = Counter(row["status"] for row in read_rows(sample.files.portfolio))

        assert set(statuses) == {"approved", "qualified", "declined"}
        assert statuses["approved"] > 0.7 * sum(statuses.values())

    def test_categories_cover_the_menu(self, sample: SampleSummary) -> None:
        categories = {row["category"] for row in read_rows(sample.files.portfolio)}

        assert categories == {"Literacy", "STEM", "English learners", "Arts", "Social-emotional learning"}

    def test_every_program_is_in_the_export(self, sample: SampleSummary) -> None:
        exported = {
            (row["organization_name"], row["program_name"]) for row in read_rows(sample.files.partnerships)
        }
        decided = [
            (row["organization_name"], row["program_name"]) for row in read_rows(sample.files.portfolio)
        ]

        assert set(decided) <= exported
        assert len(set(decided)) == len(decided)


class TestCycleFile:
    def test_runs_the_generated_files(self, sample: SampleSummary) -> None:
        cycle = load_cycle_file(sample.files.cycle)

        assert cycle.fiscal_year == 2028
        assert cycle.policy.pool == Decimal("5700000.00")
        assert cycle.policy.eligibility.model_dump() == {"min_score": Decimal("0.56")}
        assert cycle.missing_files() == []
        assert cycle.resolve(cycle.inputs.scores.path) == sample.files.scores
        assert cycle.inputs.portfolio is not None
        assert cycle.resolve(cycle.inputs.portfolio.path) == sample.files.portfolio
        assert cycle.inputs.enrollment.columns == {
            "school_code": "bps_school_code",
            "enrollment": "total_enrollment",
        }

    def test_release_goes_out_on_generation_day(self, sample: SampleSummary) -> None:
        release = load_cycle_file(sample.files.cycle).calendar.budget_release

        assert release.send_at == datetime(2026, 12, 4, 9, 0)
        assert release.send_now is True

    def test_office_hours_on_next_weekdays(self, sample: SampleSummary) -> None:
        office_hours = load_cycle_file(sample.files.cycle).calendar.office_hours

        assert office_hours is not None
        assert office_hours.invite_at is None
        assert [session.starts_at for session in office_hours.sessions] == [
            datetime(2026, 12, day, 15, 30) for day in (7, 8, 9)
        ]

    def test_assistance_follows_office_hours(self, sample: SampleSummary) -> None:
        calendar = load_cycle_file(sample.files.cycle).calendar
        assistance = calendar.technical_assistance

        assert assistance is not None
        assert assistance.starts_on == date(2026, 12, 10)
        assert assistance.ends_on == date(2027, 1, 6)
        assert [session.starts_at for session in assistance.sessions] == [
            datetime(2026, 12, 11, 14, 0),
            datetime(2026, 12, 18, 14, 0),
        ]
        assert calendar.portfolio_release is not None
        assert calendar.portfolio_release.send_at == datetime(2026, 12, 7, 9, 0)

    def test_calendar_passes_checks_all_day(self, sample: SampleSummary) -> None:
        cycle = load_cycle_file(sample.files.cycle)

        for moment in (time(0, 0), time(9, 30), time(23, 59)):
            now = datetime.combine(CALENDAR_START, moment, tzinfo=DISTRICT_TIME_ZONE)
            assert past_dates(cycle, now) == [], moment
            assert late_invitations(cycle, now) == [], moment
