"""The cycle runner's steps against an in-memory deployment: request shapes and step logic.

The services' own behaviour is not modelled here beyond the contracts.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from rich.console import Console

from partnerfund_shared.cycle.client import ServiceClients
from partnerfund_shared.cycle.config import CycleFile, load_cycle_file
from partnerfund_shared.cycle.runner import (
    CycleOptions,
    CycleOutcome,
    CycleRunner,
    Reporter,
    StepFailed,
    StepName,
)
from partnerfund_shared.cycle.sample import SampleSizes, generate_sample_district
from partnerfund_shared.cycle.settings import CycleSettings
from tests.cycle.fake_deployment import FakeDeployment, problem

REPOSITORY = Path(__file__).resolve().parents[2]
SAMPLE_CYCLE = REPOSITORY / "deploy" / "cycles" / "sample.toml"
SMALL = SampleSizes(schools=20, organizations=30, programs=50, partnerships=300, superintendents=2)


@pytest.fixture
def cycle_path(tmp_path: Path) -> Path:
    """Write the shipped sample cycle file next to a small generated district."""
    generate_sample_district(tmp_path / "sample", seed=5, sizes=SMALL)
    text = SAMPLE_CYCLE.read_text(encoding="utf-8").replace("../../var/sample/", "sample/")
    path = tmp_path / "sample.toml"
    path.write_text(text, encoding="utf-8")
    return path


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
    ) -> CycleOutcome:
        options = CycleOptions(
            publish=publish,
            from_step=from_step,
            supersede_reason=supersede_reason,
            command=f"partnerfund cycle run {self.cycle_path}",
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

        policy = harness.deployment.posts()[6].json
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
        assert release["send_at"] == "2026-12-08T09:00"
        assert release["not_eligible"] == "notify"
        assert "not_eligible" not in portfolio
        assert release["fiscal_year"] == 2028
        assert release["audience"] == {"roles": ["school_leader", "instructional_superintendent"]}
        assert office_hours["reminders"] == ["P1D", "PT1H"]
        assert office_hours["sessions"][0] == {
            "starts_at": "2026-12-09T15:30",
            "ends_at": "2026-12-09T17:00",
            "location": "Central office, Room 2A, 2300 Example Street",
        }
        assert office_hours["sessions"][1]["video_link"] == "https://meet.example.org/partnership-fund"
        assert assistance["description"] == (
            "Technical assistance runs December 14, 2026 to January 11, 2027."
        )
        assert portfolio["send_at"] == "2026-12-08T09:30"

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
        # The school list, partnerships and contacts are stored by key, so they are resent.
        assert second == [
            "allocation /v1/schools/import",
            "catalog /v1/schools/import",
            "catalog /v1/partnerships/import",
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
