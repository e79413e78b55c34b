"""The cycle runner's steps against an in-memory deployment: request shapes and step logic.

The services' own behaviour is not modelled here beyond the contracts.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import pytest
from rich.console import Console

from partnerfund_shared.cycle.client import ServiceClients
from partnerfund_shared.cycle.config import DISTRICT_TIME_ZONE, CycleFile, load_cycle_file
from partnerfund_shared.cycle.runner import (
    CycleOptions,
    CycleOutcome,
    CycleRejected,
    CycleRunner,
    Reporter,
    StepFailed,
    StepName,
    hashed_upload_name,
)
from partnerfund_shared.cycle.sample import SampleSizes, generate_sample_district
from partnerfund_shared.cycle.settings import CycleSettings
from tests.cycle.fake_deployment import FakeDeployment, problem

SMALL = SampleSizes(
    schools=20, organizations=30, programs=50, partnerships=300, superintendents=2, portfolio=12
)
# The sample's calendar starts on Monday, December 7, 2026, and the cycle runs that morning.
CALENDAR_START = date(2026, 12, 7)
RUN_AT = datetime(2026, 12, 7, 10, 0, tzinfo=DISTRICT_TIME_ZONE)


@pytest.fixture
def cycle_path(tmp_path: Path) -> Path:
    """Generate a small sample district and return its cycle file."""
    summary = generate_sample_district(tmp_path / "sample", seed=5, sizes=SMALL, today=CALENDAR_START)
    return summary.files.cycle


@pytest.fixture
def deployment() -> FakeDeployment:
    return FakeDeployment()


@pytest.fixture
def settings(tmp_path: Path) -> CycleSettings:
    return CycleSettings(api_key="test-key", api_key_file=tmp_path / "no-key-file")


class Harness:
    def __init__(self, cycle_path: Path, deployment: FakeDeployment, settings: CycleSettings) -> None:
        self.cycle_path = cycle_path
        self.deployment = deployment
        self.settings = settings
        self.output = io.StringIO()

    @property
    def cycle(self) -> CycleFile:
        return load_cycle_file(self.cycle_path)

    def run(
        self,
        *,
        publish: bool = True,
        from_step: StepName = "schools",
        supersede_reason: str | None = None,
        now: datetime = RUN_AT,
        allow_past_dates: bool = False,
        allow_other_year_scores: bool = False,
    ) -> CycleOutcome:
        options = CycleOptions(
            publish=publish,
            from_step=from_step,
            supersede_reason=supersede_reason,
            command=f"uv run partnerfund cycle run {self.cycle_path}",
            allow_past_dates=allow_past_dates,
            allow_other_year_scores=allow_other_year_scores,
            now=now,
        )
        console = Console(file=self.output, width=200, highlight=False)
        with ServiceClients(self.settings, transport=self.deployment.transport()) as clients:
            return CycleRunner(self.cycle, clients, options, Reporter(console)).run()

    def printed(self) -> str:
        return self.output.getvalue()


@pytest.fixture
def harness(cycle_path: Path, deployment: FakeDeployment, settings: CycleSettings) -> Iterator[Harness]:
    yield Harness(cycle_path, deployment, settings)


def post_paths(deployment: FakeDeployment) -> list[str]:
    return [f"{request.service} {request.path}" for request in deployment.posts()]


class TestFullCycle:
    def test_steps_send_contract_requests_in_order(self, harness: Harness) -> None:
        harness.run()

        assert post_paths(harness.deployment) == [
            "allocation /v1/schools/import",
            "catalog /v1/schools/import",
            "allocation /v1/fiscal-years/2028/need-index/import",
            "allocation /v1/fiscal-years/2028/enrollment/import",
            "catalog /v1/partnerships/import",
            "catalog /v1/portfolio/2028/import",
            "notifier /v1/contacts/import",
            "allocation /v1/fiscal-years/2028/runs",
            "allocation /v1/runs/4/publish",
            "notifier /v1/campaigns",
            "notifier /v1/campaigns",
            "notifier /v1/campaigns",
            "notifier /v1/campaigns",
            "notifier /v1/campaigns/1/send-now",
        ]

    def test_every_request_carries_bearer_key(self, harness: Harness) -> None:
        harness.run()

        assert {request.headers["authorization"] for request in harness.deployment.requests} == {
            "Bearer test-key"
        }

    def test_enrollment_upload_sends_columns_mapping(self, harness: Harness) -> None:
        harness.run()

        upload = harness.deployment.posts()[3].upload
        assert upload is not None
        assert json.loads(upload.fields["columns"]) == {
            "school_code": "bps_school_code",
            "enrollment": "total_enrollment",
        }
        assert upload.content.startswith(b"bps_school_code,school_name,total_enrollment")

    def test_set_uploads_named_by_content_hash(self, harness: Harness) -> None:
        harness.run()

        scores_upload = harness.deployment.posts()[2].upload
        assert scores_upload is not None
        assert scores_upload.filename.startswith("need-index-fy28.sha256-")
        assert scores_upload.filename.endswith(".csv")
        assert "columns" not in scores_upload.fields

    def test_partnerships_import_skips_unmatched_schools(self, harness: Harness) -> None:
        harness.run()

        upload = harness.deployment.posts()[4].upload
        assert upload is not None
        assert upload.fields == {"on_unmatched_school": "skip"}
        assert "1 rows match no school and were skipped" in harness.printed()

    def test_run_request_names_imported_sets(self, harness: Harness) -> None:
        harness.run()

        policy = harness.deployment.posts()[7].json
        assert policy == {
            "fund": "partnership",
            "mode": "pool",
            "pool": "5700000.00",
            "eligibility": {"min_score": "0.56"},
            "weighting": {"method": "flat", "tiers": []},
            "rounding": "dollar",
            "exclude_incomplete": True,
            "need_index_set_id": 2,
            "enrollment_set_id": 3,
        }

    def test_prints_totals_and_five_largest(self, harness: Harness) -> None:
        harness.run()
        printed = harness.printed()

        assert "eligible schools:  43" in printed
        assert "eligible students: 21,596" in printed
        assert "total allocated:   $5,700,000.00" in printed
        assert "2716 Achterberg Middle School: no enrollment" in printed
        largest = printed.split("5 largest allocations:")[1]
        assert largest.index("School 8: $8,000.00") < largest.index("School 4: $4,000.00")
        assert "School 3:" not in largest

    def test_campaign_payloads_follow_calendar(self, harness: Harness) -> None:
        harness.run()

        campaigns = [request.json for request in harness.deployment.posts("notifier")[1:5]]
        assert [campaign["kind"] for campaign in campaigns] == [
            "budget_release",
            "office_hours",
            "technical_assistance",
            "portfolio_release",
        ]
        release, office_hours, assistance, portfolio = campaigns
        # The release is sent at once and its send_at has passed, so it names none.
        assert "send_at" not in release
        assert release["not_eligible"] == "notify"
        assert "not_eligible" not in portfolio
        assert release["fiscal_year"] == 2028
        assert release["audience"] == {"roles": ["school_leader", "instructional_superintendent"]}
        assert office_hours["reminders"] == ["P1D", "PT1H"]
        assert office_hours["sessions"][0] == {
            "starts_at": "2026-12-08T15:30",
            "ends_at": "2026-12-08T17:00",
            "location": "Central office, Room 2A, 2300 Example Street",
        }
        assert office_hours["sessions"][1]["video_link"] == "https://meet.example.org/partnership-fund"
        assert assistance["description"] == (
            "Technical assistance runs December 11, 2026 to January 7, 2027."
        )
        assert portfolio["send_at"] == "2026-12-08T09:00"

    def test_release_keeps_send_at_until_due(self, harness: Harness) -> None:
        harness.run(now=datetime(2026, 12, 7, 8, 0, tzinfo=DISTRICT_TIME_ZONE))

        release = harness.deployment.posts("notifier")[1].json
        assert release["send_at"] == "2026-12-07T09:00"

    def test_invitations_follow_release_sent_now(self, harness: Harness) -> None:
        harness.run()

        office_hours, assistance = [request.json for request in harness.deployment.posts("notifier")[2:4]]
        assert office_hours["send_at"] == "2026-12-07T10:30"
        assert assistance["send_at"] == "2026-12-07T10:30"

    def test_portfolio_decisions_are_imported(self, harness: Harness) -> None:
        harness.run()

        upload = harness.deployment.posts()[5].upload
        assert upload is not None
        assert upload.filename == "portfolio-fy28.csv"
        assert upload.content.startswith(b"organization_name,program_name,category,status")
        assert "catalog-api: 12 decisions" in harness.printed()

    def test_outcome_names_run_and_campaigns(self, harness: Harness) -> None:
        outcome = harness.run()

        assert outcome.published is True
        assert outcome.run is not None
        assert outcome.run["status"] == "published"
        assert set(outcome.campaigns) == {
            "budget_release",
            "office_hours",
            "technical_assistance",
            "portfolio_release",
        }
        assert outcome.sent_now == [outcome.campaigns["budget_release"]]


class TestIdempotence:
    def test_second_run_creates_nothing_new(self, harness: Harness) -> None:
        harness.run()
        first_posts = len(harness.deployment.posts())
        runs_before = len(harness.deployment.runs)

        harness.run()

        second = post_paths(harness.deployment)[first_posts:]
        # The school list, partnerships, portfolio and contacts are stored by key, so they are
        # resent.
        assert second == [
            "allocation /v1/schools/import",
            "catalog /v1/schools/import",
            "catalog /v1/partnerships/import",
            "catalog /v1/portfolio/2028/import",
            "notifier /v1/contacts/import",
        ]
        assert len(harness.deployment.runs) == runs_before
        assert len(harness.deployment.sets["need-index"]) == 1
        assert len(harness.deployment.campaigns) == 4

    def test_second_run_reports_reuse(self, harness: Harness) -> None:
        harness.run()
        harness.output = io.StringIO()

        harness.run()
        printed = harness.printed()

        assert "already has this file as set 2" in printed
        assert "run 4 (published) already has this policy" in printed
        assert "run 4 is already published" in printed
        assert "already sent 120 messages" in printed

    def test_changed_scores_make_new_set_and_run(self, harness: Harness) -> None:
        harness.run()
        scores = harness.cycle.resolve(harness.cycle.inputs.scores.path)
        scores.write_text(scores.read_text(encoding="utf-8").replace("0.", "0.0", 1), encoding="utf-8")

        with pytest.raises(StepFailed) as raised:
            harness.run()

        assert len(harness.deployment.sets["need-index"]) == 2
        assert len(harness.deployment.runs) == 2
        assert raised.value.step == "publish"
        assert "already has published run 4" in raised.value.summary
        assert "--supersede-reason" in raised.value.fix

    def test_supersede_reason_replaces_published_run(self, harness: Harness) -> None:
        harness.run()
        scores = harness.cycle.resolve(harness.cycle.inputs.scores.path)
        scores.write_text(scores.read_text(encoding="utf-8").replace("0.", "0.0", 1), encoding="utf-8")

        harness.run(supersede_reason="corrected score sheet")

        publish = [request for request in harness.deployment.posts() if request.path.endswith("/publish")]
        assert publish[-1].json == {"supersedes": 4, "reason": "corrected score sheet"}


class TestDraftOnly:
    def test_without_publish_stops_at_draft(self, harness: Harness) -> None:
        outcome = harness.run(publish=False)

        assert outcome.stopped_at_draft is True
        assert not any(request.path.endswith("/publish") for request in harness.deployment.posts())
        assert harness.deployment.posts("notifier")[-1].path == "/v1/contacts/import"

    def test_draft_prints_compare_and_resume(self, harness: Harness) -> None:
        harness.run(publish=False)
        printed = harness.printed()

        assert "Run 4 stays a draft" in printed
        assert "GET http://127.0.0.1:8001/v1/runs/{a}/compare/4" in printed
        assert "--publish --from-step publish" in printed

    def test_draft_compares_with_published_run(self, harness: Harness) -> None:
        harness.run()
        scores = harness.cycle.resolve(harness.cycle.inputs.scores.path)
        scores.write_text(scores.read_text(encoding="utf-8").replace("0.", "0.0", 1), encoding="utf-8")
        harness.output = io.StringIO()

        harness.run(publish=False)
        printed = harness.printed()

        assert "Run 7 stays a draft" in printed
        assert "Compare it with published run 4:" in printed
        assert "GET http://127.0.0.1:8001/v1/runs/4/compare/7" in printed

    def test_resume_at_publish_finds_draft(self, harness: Harness) -> None:
        harness.run(publish=False)
        posts_before = len(harness.deployment.posts())

        harness.run(from_step="publish")

        assert post_paths(harness.deployment)[posts_before] == "allocation /v1/runs/4/publish"
        assert harness.deployment.runs[0]["status"] == "published"

    def test_publish_step_needs_publish_flag(self, harness: Harness) -> None:
        harness.run(publish=False)

        with pytest.raises(StepFailed) as raised:
            harness.run(publish=False, from_step="publish")

        assert "--publish" in raised.value.fix


class TestFailures:
    def test_rejected_import_lists_rows_and_resume_step(self, harness: Harness) -> None:
        harness.deployment.reject_next["need-index"] = problem(
            422,
            "Import rejected",
            "2 rows have problems; nothing was stored",
            [
                {"row": 3, "column": "score", "value": "1.7", "message": "score must be between 0 and 1"},
                {"row": 9, "column": "school_code", "value": "12", "message": "unknown school code"},
            ],
        )

        with pytest.raises(StepFailed) as raised:
            harness.run()

        failure = raised.value
        assert failure.step == "scores"
        assert failure.resume_from == "scores"
        assert "422 Import rejected" in failure.summary
        assert "2 rows have problems" in failure.summary
        assert failure.problems == [
            'row 3, column score, value "1.7": score must be between 0 and 1',
            'row 9, column school_code, value "12": unknown school code',
        ]
        assert "[inputs.scores]" in failure.fix

    def test_rejected_set_upload_names_users_file(self, harness: Harness) -> None:
        scores = harness.cycle.inputs.scores
        local_name = harness.cycle.resolve(scores.path).name
        upload_name = hashed_upload_name(harness.cycle.resolve(scores.path).read_bytes(), scores)
        harness.deployment.reject_next["need-index"] = problem(
            422, "Import rejected", f"1 problem in {upload_name}; nothing was imported.", []
        )

        with pytest.raises(StepFailed) as raised:
            harness.run()

        assert upload_name != local_name
        assert f"1 problem in {local_name};" in raised.value.summary
        assert "sha256-" not in raised.value.summary

    def test_unreachable_service_names_url_setting(self, harness: Harness) -> None:
        harness.deployment.unreachable.add("catalog")

        with pytest.raises(StepFailed) as raised:
            harness.run()

        assert raised.value.step == "schools"
        assert "catalog-api did not answer" in raised.value.summary
        assert "PARTNERFUND_CATALOG_URL" in raised.value.fix

    def test_campaigns_need_published_run(self, harness: Harness) -> None:
        harness.run(publish=False)

        with pytest.raises(StepFailed) as raised:
            harness.run(publish=False, from_step="campaigns")

        assert raised.value.resume_from == "publish"

    def test_resume_at_run_without_imported_sets(self, harness: Harness) -> None:
        with pytest.raises(StepFailed) as raised:
            harness.run(from_step="run")

        assert raised.value.resume_from == "scores"
        assert "no scores set" in raised.value.summary

    def test_missing_input_file_named(self, harness: Harness) -> None:
        harness.cycle.resolve(harness.cycle.inputs.contacts.path).unlink()  # type: ignore[union-attr]

        with pytest.raises(StepFailed) as raised:
            harness.run()

        assert raised.value.step == "contacts"
        assert "contacts.csv" in raised.value.summary


class TestSettings:
    def test_key_file_used_without_key_variable(self, tmp_path: Path) -> None:
        key_file = tmp_path / "admin-api-key"
        key_file.write_text("pf_secret\n", encoding="utf-8")

        settings = CycleSettings(api_key=None, api_key_file=key_file)

        assert settings.api_key_for("allocation") == "pf_secret"

    def test_service_key_overrides_shared_key(self, tmp_path: Path) -> None:
        settings = CycleSettings(
            api_key="shared", notifier_api_key="notifier-only", api_key_file=tmp_path / "none"
        )

        assert settings.api_key_for("notifier") == "notifier-only"
        assert settings.api_key_for("catalog") == "shared"

    def test_urls_from_environment(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("PARTNERFUND_ALLOCATION_URL", "https://allocation.example.org/")

        assert CycleSettings().url_for("allocation") == "https://allocation.example.org"


def edit_cycle(harness: Harness, old: str, new: str) -> None:
    text = harness.cycle_path.read_text(encoding="utf-8")
    assert old in text
    harness.cycle_path.write_text(text.replace(old, new, 1), encoding="utf-8")


class TestPastDates:
    def test_past_release_rejected_before_any_request(self, harness: Harness) -> None:
        edit_cycle(harness, "send_now = true", "send_now = false")

        with pytest.raises(CycleRejected) as raised:
            harness.run(now=datetime(2026, 12, 7, 9, 30, tzinfo=DISTRICT_TIME_ZONE))

        assert harness.deployment.requests == []
        assert raised.value.problems == [
            "budget_release: calendar.budget_release.send_at = 2026-12-07 09:00 is in the past"
        ]
        assert "--allow-past-dates" in raised.value.fix

    def test_send_now_allows_past_release(self, harness: Harness) -> None:
        outcome = harness.run(now=datetime(2026, 12, 7, 14, 0, tzinfo=DISTRICT_TIME_ZONE))

        assert outcome.sent_now == [outcome.campaigns["budget_release"]]

    def test_past_session_named_by_key(self, harness: Harness) -> None:
        with pytest.raises(CycleRejected) as raised:
            harness.run(now=datetime(2026, 12, 8, 16, 0, tzinfo=DISTRICT_TIME_ZONE))

        assert harness.deployment.requests == []
        assert raised.value.problems == [
            "office_hours: calendar.office_hours.sessions[0].starts_at = 2026-12-08 15:30 is in the past",
            "portfolio_release: calendar.portfolio_release.send_at = 2026-12-08 09:00 is in the past",
        ]

    def test_allow_past_dates_leaves_past_sessions_out(self, harness: Harness) -> None:
        harness.run(now=datetime(2026, 12, 8, 16, 0, tzinfo=DISTRICT_TIME_ZONE), allow_past_dates=True)

        campaigns = {
            request.json["kind"]: request.json for request in harness.deployment.posts("notifier")[1:5]
        }
        assert [session["starts_at"] for session in campaigns["office_hours"]["sessions"]] == [
            "2026-12-09T15:30",
            "2026-12-10T15:30",
        ]
        assert campaigns["portfolio_release"]["send_at"] == "2026-12-08T09:00"
        assert "left out calendar.office_hours.sessions[0] at 2026-12-08T15:30" in harness.printed()

    def test_series_without_future_session_left_out(self, harness: Harness) -> None:
        outcome = harness.run(
            now=datetime(2026, 12, 12, 9, 0, tzinfo=DISTRICT_TIME_ZONE), allow_past_dates=True
        )

        assert "office_hours" not in outcome.campaigns
        assert "technical_assistance" in outcome.campaigns
        assert (
            "office_hours: not created, because every session of [calendar.office_hours]" in harness.printed()
        )

    def test_draft_run_only_warns(self, harness: Harness) -> None:
        outcome = harness.run(publish=False, now=datetime(2026, 12, 8, 16, 0, tzinfo=DISTRICT_TIME_ZONE))

        assert outcome.stopped_at_draft is True
        assert "warning: --publish will reject these calendar times:" in harness.printed()
        assert "calendar.office_hours.sessions[0].starts_at" in harness.printed()

    def test_resume_after_campaigns_skips_check(self, harness: Harness) -> None:
        harness.run()

        harness.run(from_step="send", now=datetime(2027, 2, 1, 9, 0, tzinfo=DISTRICT_TIME_ZONE))

        assert "already sent 120 messages" in harness.printed()


class TestInvitations:
    def test_invitations_follow_scheduled_release(self, harness: Harness) -> None:
        edit_cycle(harness, "send_at = 2026-12-07T09:00:00\n", "send_at = 2026-12-07T11:00:00\n")
        edit_cycle(harness, "send_now = true", "send_now = false")

        harness.run()

        office_hours = harness.deployment.posts("notifier")[2].json
        assert office_hours["send_at"] == "2026-12-07T11:30"

    def test_invite_at_overrides_default(self, harness: Harness) -> None:
        edit_cycle(
            harness,
            'title = "Partnership Fund office hours"\n',
            'title = "Partnership Fund office hours"\ninvite_at = 2026-12-07T13:15:00\n',
        )

        harness.run()

        office_hours, assistance = [request.json for request in harness.deployment.posts("notifier")[2:4]]
        assert office_hours["send_at"] == "2026-12-07T13:15"
        assert assistance["send_at"] == "2026-12-07T10:30"

    def test_late_invitations_rejected(self, harness: Harness) -> None:
        edit_cycle(harness, "send_at = 2026-12-08T09:00:00", "send_at = 2026-12-09T09:00:00")

        with pytest.raises(CycleRejected) as raised:
            harness.run(now=datetime(2026, 12, 8, 15, 10, tzinfo=DISTRICT_TIME_ZONE))

        assert harness.deployment.requests == []
        assert len(raised.value.problems) == 1
        assert raised.value.problems[0].startswith("office_hours: calendar.office_hours.invite_at is not set")
        assert "at 2026-12-08 15:40, 30 minutes after the budget release" in raised.value.problems[0]
        assert "first session at 2026-12-08 15:30;" in raised.value.problems[0]


class TestCampaignFailure:
    def test_rejected_campaign_names_kind_and_section(self, harness: Harness) -> None:
        harness.deployment.reject_next["campaign:office_hours"] = problem(
            422,
            "Invalid input",
            "send_at must be before the first session starts",
            [{"loc": ["body", "send_at"], "message": "send_at must be before the first session starts"}],
        )

        with pytest.raises(StepFailed) as raised:
            harness.run()

        failure = raised.value
        assert failure.step == "campaigns"
        assert failure.summary.startswith(
            "the office_hours campaign 'Partnership Fund office hours' was not created"
        )
        assert failure.problems == [
            "calendar.office_hours.invite_at: send_at must be before the first session starts"
        ]
        assert "[calendar.office_hours]" in failure.fix

    def test_session_problem_named_by_key(self, harness: Harness) -> None:
        harness.deployment.reject_next["campaign:technical_assistance"] = problem(
            422,
            "Invalid input",
            "the session would start in the past",
            [{"loc": ["body", "sessions", 1, "starts_at"], "message": "the session would start in the past"}],
        )

        with pytest.raises(StepFailed) as raised:
            harness.run()

        assert raised.value.problems == [
            "calendar.technical_assistance.sessions[1].starts_at: the session would start in the past"
        ]
        assert "[calendar.technical_assistance]" in raised.value.fix


class TestScoreSheetYear:
    def test_other_year_header_rejected_before_import(self, harness: Harness) -> None:
        edit_cycle(harness, "fiscal_year = 2028", "fiscal_year = 2019")

        with pytest.raises(CycleRejected) as raised:
            harness.run()

        assert harness.deployment.requests == []
        assert raised.value.problems == [
            "inputs.scores: the column 'FY28 OI Score' of need-index-fy28.csv names FY28, "
            "but [cycle] fiscal_year is 2019 (FY19)"
        ]
        assert "--allow-other-year-scores" in raised.value.fix

    def test_mapped_score_header_checked(self, harness: Harness) -> None:
        edit_cycle(harness, "fiscal_year = 2028", "fiscal_year = 2027")
        edit_cycle(
            harness,
            'path = "need-index-fy28.csv"\n',
            'path = "need-index-fy28.csv"\ncolumns = { score = "fy28 oi score" }\n',
        )

        with pytest.raises(CycleRejected) as raised:
            harness.run(publish=False)

        assert "names FY28" in raised.value.problems[0]

    def test_flag_imports_with_warning(self, harness: Harness) -> None:
        edit_cycle(harness, "fiscal_year = 2028", "fiscal_year = 2019")

        harness.run(publish=False, allow_other_year_scores=True)

        assert "warning: inputs.scores: the column 'FY28 OI Score'" in harness.printed()
        assert "imported anyway (--allow-other-year-scores)" in harness.printed()

    def test_score_and_calendar_problems_listed_together(self, harness: Harness) -> None:
        edit_cycle(harness, "fiscal_year = 2028", "fiscal_year = 2019")

        with pytest.raises(CycleRejected) as raised:
            harness.run(now=datetime(2026, 12, 8, 16, 0, tzinfo=DISTRICT_TIME_ZONE))

        assert raised.value.summary == (
            "the need-index sheet names another fiscal year; "
            "the calendar has dates in the past, which the notifier cannot schedule"
        )
        assert len(raised.value.problems) == 3
        assert "--allow-other-year-scores" in raised.value.fix
        assert "--allow-past-dates" in raised.value.fix
