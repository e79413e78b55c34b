"""The yearly cycle as steps over the services' HTTP APIs, each safe to run twice.

How each step avoids doing its work twice:
- school list, partnerships, portfolio and contacts: the services store these by key (school
  code, school × program, program × fiscal year, e-mail), so sending the same file again
  changes no record;
- scores and enrollment: every import makes a new set. So the file is uploaded under a name
  that carries a SHA-256 of its bytes and column mapping (`need-index-fy28.sha256-<16 hex>.csv`),
  and a set already stored under that name is reused;
- run: a draft or published run of the fiscal year with the same policy and the same sets is
  reused;
- publish: a run already published is left alone; publishing over another run needs a reason;
- campaigns: a scheduled campaign of the same kind, fiscal year and title is reused;
- send: a campaign with deliveries already sent or sending is not sent again.

Every POST also carries an `Idempotency-Key` derived from its content, for services that honour
it.

Before the first step the runner checks the calendar against the clock and the score sheet's
header against the fiscal year (see `checks`), so a file that would fail late fails before
anything is imported.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

from rich.console import Console

from partnerfund_shared.cycle.campaigns import CampaignPlan, campaign_plans
from partnerfund_shared.cycle.checks import (
    event_series,
    late_invitations,
    other_year_score_headers,
    past_dates,
)
from partnerfund_shared.cycle.client import ServiceClients, ServiceError
from partnerfund_shared.cycle.config import (
    DISTRICT_TIME_ZONE,
    CycleFile,
    InputFile,
)
from partnerfund_shared.cycle.settings import ServiceName
from partnerfund_shared.schemas.allocation import AllocationPolicy

# The command line that starts `partnerfund` in a checkout, as resume hints and messages print it.
COMMAND = "uv run partnerfund"

STEP_NAMES = (
    "schools",
    "scores",
    "enrollment",
    "partnerships",
    "portfolio",
    "contacts",
    "run",
    "publish",
    "campaigns",
    "send",
)

StepName = Literal[
    "schools",
    "scores",
    "enrollment",
    "partnerships",
    "portfolio",
    "contacts",
    "run",
    "publish",
    "campaigns",
    "send",
]

CONTENT_TYPES = {
    ".csv": "text/csv",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

# How many listed problems of a rejected request the output shows before summarising the rest.
SHOWN_PROBLEMS = 25
LARGEST_ALLOCATIONS = 5


@dataclass(frozen=True)
class CycleOptions:
    publish: bool = False
    from_step: StepName = "schools"
    supersede_reason: str | None = None
    # The command line that reruns this cycle, used in the resume hints.
    command: str = f"{COMMAND} cycle run CYCLE_FILE"
    # Create campaigns with past times: past releases go out at once, past sessions are left out.
    allow_past_dates: bool = False
    # Import a need-index sheet whose score header names another fiscal year.
    allow_other_year_scores: bool = False
    # The current time for the calendar checks and invitation times; None reads the clock.
    now: datetime | None = None


@dataclass
class CycleOutcome:
    """Results of a cycle run (ids and states) for the command's summary."""

    need_index_set_id: int | None = None
    enrollment_set_id: int | None = None
    run: dict[str, Any] | None = None
    published: bool = False
    stopped_at_draft: bool = False
    campaigns: dict[str, int] = field(default_factory=dict)
    sent_now: list[int] = field(default_factory=list)


class StepFailed(Exception):
    """A step that could not finish, with what failed (`problems`) and what to change (`fix`)."""

    def __init__(
        self,
        step: StepName,
        summary: str,
        *,
        problems: list[str] | None = None,
        fix: str,
        resume_from: StepName | None = None,
    ) -> None:
        super().__init__(summary)
        self.step = step
        self.summary = summary
        self.problems = problems or []
        self.fix = fix
        self.resume_from = resume_from or step


class CycleRejected(Exception):
    """A cycle file that the checks before the first step reject; nothing was sent."""

    def __init__(self, summary: str, *, problems: list[str], fix: str) -> None:
        super().__init__(summary)
        self.summary = summary
        self.problems = problems
        self.fix = fix


class Reporter:
    """Console output of the cycle: step headers, progress lines and results."""

    def __init__(self, console: Console | None = None) -> None:
        self.console = console or Console(highlight=False, soft_wrap=True)

    def step(self, index: int, name: str, title: str) -> None:
        self.console.print(f"\n[{index}/{len(STEP_NAMES)}] {name}: {title}", markup=False, style="bold")

    def line(self, text: str) -> None:
        self.console.print(f"  {text}", markup=False)

    def skipped(self, index: int, name: str, reason: str) -> None:
        self.console.print(f"[{index}/{len(STEP_NAMES)}] {name}: skipped ({reason})", markup=False)

    @contextmanager
    def waiting(self, text: str) -> Iterator[None]:
        """Show a spinner on a terminal while one long request runs; print a line elsewhere."""
        if self.console.is_terminal:
            with self.console.status(text):
                yield
        else:
            self.line(text)
            yield


class CycleRunner:
    """Run the steps of one cycle file against one deployment."""

    def __init__(
        self,
        cycle: CycleFile,
        clients: ServiceClients,
        options: CycleOptions,
        reporter: Reporter | None = None,
    ) -> None:
        self.cycle = cycle
        self.clients = clients
        self.options = options
        self.report = reporter or Reporter()
        self.outcome = CycleOutcome()

    def run(self) -> CycleOutcome:
        """Run the steps from `options.from_step` on; raise `StepFailed` at the first failure.

        Raise `CycleRejected` before the first step when the checks find a problem.
        """
        steps: list[tuple[StepName, str, Callable[[], bool]]] = [
            ("schools", "import the school list into allocation-api and catalog-api", self.import_schools),
            ("scores", "import the need-index scores", self.import_scores),
            ("enrollment", "import the enrollment", self.import_enrollment),
            ("partnerships", "import the PartnerBPS partnerships into catalog-api", self.import_partnerships),
            (
                "portfolio",
                "import the Opportunity Portfolio decisions into catalog-api",
                self.import_portfolio,
            ),
            ("contacts", "import the staff contacts into notifier", self.import_contacts),
            ("run", "compute the allocation run", self.create_run),
            ("publish", "publish the run", self.publish_run),
            ("campaigns", "create the notification campaigns", self.create_campaigns),
            ("send", "send the campaigns marked send_now", self.send_now),
        ]
        start = STEP_NAMES.index(self.options.from_step)
        self.check_before_start(start)

        for index, (name, title, action) in enumerate(steps, start=1):
            if index - 1 < start:
                self.report.skipped(index, name, f"resuming from {self.options.from_step}")
                continue
            self.report.step(index, name, title)
            try:
                keep_going = action()
            except ServiceError as error:
                raise self.explain_service_error(name, error) from error
            if not keep_going:
                break
        return self.outcome

    # Checks before the first step

    @property
    def now(self) -> datetime:
        return self.options.now or datetime.now(DISTRICT_TIME_ZONE)

    def runs_step(self, start: int, step: StepName) -> bool:
        return start <= STEP_NAMES.index(step)

    def check_before_start(self, start: int) -> None:
        """Reject a calendar or score sheet that would fail a later step, before any request.

        Every problem found is listed in one `CycleRejected`, so one edit of the file can fix all.
        """
        rejections: list[CycleRejected] = []
        if self.runs_step(start, "scores"):
            rejections.extend(self.check_score_headers())
        if self.runs_step(start, "campaigns"):
            rejections.extend(self.check_calendar())
        if len(rejections) == 1:
            raise rejections[0]
        if rejections:
            raise CycleRejected(
                "; ".join(rejection.summary for rejection in rejections),
                problems=[problem for rejection in rejections for problem in rejection.problems],
                fix=" ".join(rejection.fix for rejection in rejections),
            )

    def check_score_headers(self) -> list[CycleRejected]:
        mismatches = other_year_score_headers(self.cycle)
        if not mismatches or self.options.allow_other_year_scores:
            return []
        return [
            CycleRejected(
                "the need-index sheet names another fiscal year",
                problems=mismatches,
                fix="Point [inputs.scores] at the sheet of this fiscal year or correct [cycle] fiscal_year; "
                "to allocate with this sheet anyway, pass --allow-other-year-scores.",
            )
        ]

    def check_calendar(self) -> list[CycleRejected]:
        """Find past dates (unless allowed) and invitations due after their first session.

        Without --publish no campaign is created, so the problems are only printed.
        """
        past = (
            [] if self.options.allow_past_dates else [str(item) for item in past_dates(self.cycle, self.now)]
        )
        late = [str(item) for item in late_invitations(self.cycle, self.now)]
        if not past and not late:
            return []
        if not self.options.publish:
            self.report.line("warning: --publish will reject these calendar times:")
            for problem in past + late:
                self.report.line(f"  {problem}")
            return []

        rejections = []
        if past:
            rejections.append(
                CycleRejected(
                    "the calendar has dates in the past, which the notifier cannot schedule",
                    problems=past,
                    fix="Move those dates to the future in the [calendar] sections named above, set "
                    "send_now = true on a release that should go out at once, or pass --allow-past-dates "
                    "to send past releases at once and leave past sessions out.",
                )
            )
        if late:
            rejections.append(
                CycleRejected(
                    "invitations would go out after their first session",
                    problems=late,
                    fix="Set invite_at in the [calendar] sections named above, "
                    "or release the budget earlier.",
                )
            )
        return rejections

    # Imports

    def import_schools(self) -> bool:
        school_list = self.cycle.inputs.school_list
        for service in ("allocation", "catalog"):
            result = self.upload(
                service, "/v1/schools/import", school_list, step="schools", form=school_list.form()
            )
            self.report.line(f"{service_title(service)}: {describe_import(result, 'schools')}")
        return True

    def import_scores(self) -> bool:
        for mismatch in other_year_score_headers(self.cycle):
            self.report.line(f"warning: {mismatch}; imported anyway (--allow-other-year-scores)")
        path = f"/v1/fiscal-years/{self.cycle.fiscal_year}/need-index"
        set_id = self.import_set("scores", path, self.cycle.inputs.scores, noun="scores")
        self.outcome.need_index_set_id = set_id
        return True

    def import_enrollment(self) -> bool:
        path = f"/v1/fiscal-years/{self.cycle.fiscal_year}/enrollment"
        enrollment = self.cycle.inputs.enrollment
        set_id = self.import_set("enrollment", path, enrollment, noun="schools", form=enrollment.form())
        self.outcome.enrollment_set_id = set_id
        return True

    def import_partnerships(self) -> bool:
        partnerships = self.cycle.inputs.partnerships
        if partnerships is None:
            self.report.line("no [inputs.partnerships] in the cycle file; nothing to import")
            return True
        result = self.upload(
            "catalog",
            "/v1/partnerships/import",
            partnerships,
            step="partnerships",
            form={"on_unmatched_school": partnerships.on_unmatched_school},
        )
        self.report.line(f"catalog-api: {describe_import(result, 'rows')}")
        skipped = result.get("skipped") if isinstance(result, dict) else None
        if isinstance(skipped, list) and skipped:
            self.report.line(f"{len(skipped)} rows match no school and were skipped:")
            for item in skipped[:SHOWN_PROBLEMS]:
                self.report.line(f"  {describe_problem(item)}")
            if len(skipped) > SHOWN_PROBLEMS:
                self.report.line(f"  ... and {len(skipped) - SHOWN_PROBLEMS} more")
        return True

    def import_portfolio(self) -> bool:
        portfolio = self.cycle.inputs.portfolio
        if portfolio is None:
            self.report.line("no [inputs.portfolio] in the cycle file; nothing to import")
            return True
        result = self.upload(
            "catalog", f"/v1/portfolio/{self.cycle.fiscal_year}/import", portfolio, step="portfolio"
        )
        self.report.line(f"catalog-api: {describe_import(result, 'decisions')}")
        return True

    def import_contacts(self) -> bool:
        contacts = self.cycle.inputs.contacts
        if contacts is None:
            self.report.line("no [inputs.contacts] in the cycle file; nothing to import")
            return True
        result = self.upload("notifier", "/v1/contacts/import", contacts, step="contacts")
        self.report.line(f"notifier: {describe_import(result, 'contacts')}")
        return True

    def import_set(
        self,
        step: StepName,
        collection: str,
        file: InputFile,
        *,
        noun: str,
        form: dict[str, str] | None = None,
    ) -> int:
        """Import a score or enrollment set once: reuse the set stored under the file's hashed name."""
        upload_name = hashed_upload_name(self.read_input(step, file), file)
        existing = self.find_set(collection, upload_name)
        if existing is not None:
            self.report.line(
                f"allocation-api already has this file as set {existing['id']} "
                f"(version {existing.get('version', '?')}); not imported again"
            )
            return int(existing["id"])

        result = self.upload(
            "allocation", f"{collection}/import", file, step=step, upload_name=upload_name, form=form
        )
        self.report.line(f"allocation-api: set {result['id']}, {describe_import(result, noun)}")
        return int(result["id"])

    def find_set(self, collection: str, upload_name: str) -> dict[str, Any] | None:
        for item in self.clients.list_all("allocation", f"{collection}/sets"):
            if item.get("filename") == upload_name:
                return item
        return None

    def upload(
        self,
        service: ServiceName,
        path: str,
        file: InputFile,
        *,
        step: StepName,
        upload_name: str | None = None,
        form: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        content = self.read_input(step, file)
        local_path = self.cycle.resolve(file.path)
        name = upload_name or local_path.name
        fields = dict(form or {})
        if file.columns:
            fields["columns"] = json.dumps(file.columns, sort_keys=True)
        key = self.idempotency_key(step, service, content_digest(content, fields))
        content_type = CONTENT_TYPES.get(local_path.suffix.lower(), "application/octet-stream")

        with self.report.waiting(f"uploading {local_path.name} to {service_title(service)}"):
            try:
                result = self.clients.request(
                    service,
                    "POST",
                    path,
                    files={"file": (name, content, content_type)},
                    data=fields,
                    headers={"Idempotency-Key": key},
                )
            except ServiceError as error:
                raise _with_file_name(error, name, local_path.name) from error
        return result if isinstance(result, dict) else {}

    def read_input(self, step: StepName, file: InputFile) -> bytes:
        path = self.cycle.resolve(file.path)
        try:
            return path.read_bytes()
        except OSError as error:
            raise StepFailed(
                step,
                f"cannot read {path}: {error.strerror}",
                fix="Correct the path in the cycle file (relative paths start at its folder), "
                f"or generate the sample district with `{COMMAND} sample-district`.",
            ) from error

    # Run and publish

    def create_run(self) -> bool:
        need_index_set_id, enrollment_set_id = self.resolve_sets()
        policy = self.cycle.policy.model_copy(
            update={"need_index_set_id": need_index_set_id, "enrollment_set_id": enrollment_set_id}
        )
        body = policy.model_dump(mode="json", exclude_none=True)

        run = self.find_run(policy)
        if run is not None:
            self.report.line(f"run {run['id']} ({run['status']}) already has this policy and these sets")
        else:
            with self.report.waiting("computing the run"):
                run = self.clients.request(
                    "allocation",
                    "POST",
                    f"/v1/fiscal-years/{self.cycle.fiscal_year}/runs",
                    json=body,
                    headers={"Idempotency-Key": self.idempotency_key("run", "allocation", stable_hash(body))},
                )
            self.report.line(f"created draft run {run['id']}")
        self.outcome.run = run

        self.print_run(run)
        if self.options.publish:
            return True

        if run["status"] == "published":
            self.outcome.published = True
            self.report.line(
                f"Run {run['id']} is already published. Run again with --publish to create "
                "the campaigns that are missing."
            )
            return False
        self.outcome.stopped_at_draft = True
        self.print_draft_hints(run)
        return False

    def resolve_sets(self) -> tuple[int, int]:
        """Return the set ids of this cycle's files, imported now or by an earlier run."""
        found: list[int] = []
        inputs: list[tuple[StepName, str, InputFile, int | None]] = [
            ("scores", "need-index", self.cycle.inputs.scores, self.outcome.need_index_set_id),
            ("enrollment", "enrollment", self.cycle.inputs.enrollment, self.outcome.enrollment_set_id),
        ]
        for step, collection, file, imported in inputs:
            if imported is not None:
                found.append(imported)
                continue
            upload_name = hashed_upload_name(self.read_input(step, file), file)
            existing = self.find_set(f"/v1/fiscal-years/{self.cycle.fiscal_year}/{collection}", upload_name)
            if existing is None:
                raise StepFailed(
                    "run",
                    f"allocation-api has no {step} set imported from {file.path.name} as it is now",
                    fix=f"Import it first: the {step} step was skipped or the file changed since.",
                    resume_from=step,
                )
            found.append(int(existing["id"]))
        self.outcome.need_index_set_id, self.outcome.enrollment_set_id = found
        return found[0], found[1]

    def find_run(self, policy: AllocationPolicy) -> dict[str, Any] | None:
        wanted = policy.model_dump(mode="json")
        runs = self.clients.list_all(
            "allocation", f"/v1/fiscal-years/{self.cycle.fiscal_year}/runs", {"fund": self.cycle.fund}
        )
        for run in runs:
            if run.get("status") not in ("draft", "published"):
                continue
            if stored_policy(run) == wanted:
                return run
        return None

    def publish_run(self) -> bool:
        if not self.options.publish:
            raise StepFailed(
                "publish",
                "publishing was not requested",
                fix="Add --publish: a run is published only when the command line says so.",
            )
        run = self.outcome.run or self.find_run_for_resume()
        if run["status"] == "published":
            self.report.line(f"run {run['id']} is already published")
            self.outcome.published = True
            return True

        body: dict[str, Any] | None = None
        current = self.published_run_id()
        if current is not None and current != run["id"]:
            if not self.options.supersede_reason:
                raise StepFailed(
                    "publish",
                    f"FY{self.cycle.fiscal_year % 100:02d} already has published run {current} "
                    f"for the {self.cycle.fund} fund",
                    fix=f"Compare the two runs (GET {self.compare_url(current, run['id'])}); "
                    "to replace the published one, pass --supersede-reason with the reason.",
                )
            body = {"supersedes": current, "reason": self.options.supersede_reason}

        run = self.clients.request("allocation", "POST", f"/v1/runs/{run['id']}/publish", json=body)
        self.outcome.run = run
        self.outcome.published = True
        replaced = f", superseding run {current}" if body else ""
        self.report.line(f"published run {run['id']}{replaced}")
        return True

    def find_run_for_resume(self) -> dict[str, Any]:
        need_index_set_id, enrollment_set_id = self.resolve_sets()
        policy = self.cycle.policy.model_copy(
            update={"need_index_set_id": need_index_set_id, "enrollment_set_id": enrollment_set_id}
        )
        run = self.find_run(policy)
        if run is None:
            raise StepFailed(
                "publish",
                "allocation-api has no run with this cycle file's policy and sets",
                fix="Create the run first.",
                resume_from="run",
            )
        self.outcome.run = run
        return run

    def published_run_id(self) -> int | None:
        published = self.clients.request(
            "allocation",
            "GET",
            f"/v1/fiscal-years/{self.cycle.fiscal_year}/allocations",
            params={"fund": self.cycle.fund},
            allow_not_found=True,
        )
        if not isinstance(published, dict) or published.get("run_id") is None:
            return None
        return int(published["run_id"])

    def print_run(self, run: dict[str, Any]) -> None:
        total = Decimal(str(run["total"]))
        self.report.line(f"eligible schools:  {run['eligible_schools']}")
        self.report.line(f"eligible students: {run['eligible_enrollment']:,}")
        self.report.line(f"total allocated:   {format_money(total)}")

        excluded = run.get("excluded") or []
        if excluded:
            self.report.line(f"left out for missing data ({len(excluded)}):")
            for item in excluded:
                name = item.get("school_name") or ""
                self.report.line(f"  {item['school_code']} {name}: {item['reason']}")

        lines = self.clients.list_all("allocation", f"/v1/runs/{run['id']}/lines")
        largest = sorted(lines, key=lambda line: (-Decimal(str(line["amount"])), line["school_code"]))
        self.report.line(f"{LARGEST_ALLOCATIONS} largest allocations:")
        for line in largest[:LARGEST_ALLOCATIONS]:
            per_pupil = line.get("per_pupil")
            per_pupil_text = f", {format_money(Decimal(str(per_pupil)))} per pupil" if per_pupil else ""
            self.report.line(
                f"  {line['school_code']} {line['school_name']}: "
                f"{format_money(Decimal(str(line['amount'])))} "
                f"({line.get('enrollment')} students{per_pupil_text})"
            )

    def print_draft_hints(self, run: dict[str, Any]) -> None:
        current = self.published_run_id()
        self.report.line(f"Run {run['id']} stays a draft: nothing is published without --publish.")
        if current is not None and current != run["id"]:
            self.report.line(f"Compare it with published run {current}:")
            self.report.line(f"  GET {self.compare_url(current, run['id'])}")
        else:
            self.report.line("Compare it with another run of the year (a is the base run):")
            self.report.line(f"  GET {self.compare_url('{a}', run['id'])}")
        self.report.line("Publish it and create the campaigns with:")
        self.report.line(f"  {self.options.command} --publish --from-step publish")

    def compare_url(self, base: object, other: object) -> str:
        return f"{self.clients.base_url('allocation')}/v1/runs/{base}/compare/{other}"

    # Campaigns

    def create_campaigns(self) -> bool:
        if not self.outcome.published and self.published_run_id() is None:
            raise StepFailed(
                "campaigns",
                f"FY{self.cycle.fiscal_year % 100:02d} has no published {self.cycle.fund} run, "
                "so the budget release would have no amounts to send",
                fix="Publish the run first with --publish.",
                resume_from="publish",
            )

        plans = self.campaign_plans()
        for kind in skipped_series(self.cycle, plans):
            self.report.line(
                f"{kind}: not created, because every session of [calendar.{kind}] is in the past "
                "(--allow-past-dates)"
            )
        for plan in plans:
            for dropped in plan.dropped_sessions:
                self.report.line(
                    f"{plan.kind}: left out {plan.section}.{dropped}, in the past (--allow-past-dates)"
                )
            campaign = self.find_campaign(plan)
            if campaign is not None:
                self.report.line(f"{plan.kind}: campaign {campaign['id']} already exists ({plan.title})")
                if not campaign.get("deliveries"):
                    # The notifier picks recipients when a campaign is created, so contacts
                    # imported later do not join it.
                    self.report.line(
                        f"  it has no recipients; if contacts were imported since, cancel it "
                        f"(POST /v1/campaigns/{campaign['id']}/cancel) and run again from step campaigns"
                    )
            else:
                campaign = self.create_campaign(plan)
                self.report.line(
                    f"{plan.kind}: created campaign {campaign['id']}, first message "
                    f"{campaign.get('send_at_local') or plan.payload.get('send_at')}, "
                    f"{describe_deliveries(campaign)}"
                )
            for warning in campaign.get("warnings") or []:
                self.report.line(f"  warning: {warning}")
            self.outcome.campaigns[plan.kind] = int(campaign["id"])
        return True

    def campaign_plans(self) -> list[CampaignPlan]:
        return campaign_plans(self.cycle, now=self.now, allow_past_dates=self.options.allow_past_dates)

    def create_campaign(self, plan: CampaignPlan) -> dict[str, Any]:
        try:
            campaign = self.clients.request(
                "notifier",
                "POST",
                "/v1/campaigns",
                json=plan.payload,
                headers={
                    "Idempotency-Key": self.idempotency_key(
                        "campaigns", "notifier", stable_hash(plan.payload)
                    )
                },
            )
        except ServiceError as error:
            raise self.explain_campaign_error(plan, error) from error
        return dict(campaign)

    def find_campaign(self, plan: CampaignPlan) -> dict[str, Any] | None:
        campaigns = self.clients.list_all(
            "notifier",
            "/v1/campaigns",
            {"fiscal_year": self.cycle.fiscal_year, "kind": plan.kind},
        )
        for campaign in campaigns:
            if (
                campaign.get("kind") == plan.kind
                and campaign.get("title") == plan.title
                and campaign.get("fiscal_year") in (self.cycle.fiscal_year, None)
                and campaign.get("status") != "cancelled"
            ):
                return campaign
        return None

    def send_now(self) -> bool:
        plans = [plan for plan in self.campaign_plans() if plan.send_now]
        if not plans:
            self.report.line("no campaign is marked send_now; the notifier sends each at its send_at")
            return True

        for plan in plans:
            campaign_id = self.outcome.campaigns.get(plan.kind)
            campaign = (
                self.clients.request("notifier", "GET", f"/v1/campaigns/{campaign_id}")
                if campaign_id is not None
                else self.find_campaign(plan)
            )
            if campaign is None:
                raise StepFailed(
                    "send",
                    f"notifier has no {plan.kind} campaign titled {plan.title!r}",
                    fix="Create the campaigns first.",
                    resume_from="campaigns",
                )
            deliveries = campaign.get("deliveries") or {}
            if not deliveries:
                self.report.line(f"{plan.kind}: campaign {campaign['id']} has no recipients; nothing to send")
                continue
            already = int(deliveries.get("sent", 0)) + int(deliveries.get("sending", 0))
            if already:
                self.report.line(f"{plan.kind}: campaign {campaign['id']} already sent {already} messages")
                continue
            self.clients.request("notifier", "POST", f"/v1/campaigns/{campaign['id']}/send-now")
            self.outcome.sent_now.append(int(campaign["id"]))
            self.report.line(
                f"{plan.kind}: campaign {campaign['id']} sends now; the worker delivers it within "
                "seconds (GET /v1/deliveries?campaign_id=" + str(campaign["id"]) + ")"
            )
        return True

    # Failures

    def explain_campaign_error(self, plan: CampaignPlan, error: ServiceError) -> StepFailed:
        """Name the campaign and the cycle file keys behind the notifier's problems."""
        failure = self.explain_service_error("campaigns", error)
        items = [{**item, "loc": cycle_file_key(plan, item.get("loc"))} for item in error.errors]
        problems = [describe_problem(item) for item in items[:SHOWN_PROBLEMS]]
        if len(items) > SHOWN_PROBLEMS:
            problems.append(f"... and {len(items) - SHOWN_PROBLEMS} more")
        fix = failure.fix
        if error.status in (400, 409, 422):
            fix = f"Change [{plan.section}] in the cycle file (the keys are named above), then resume."
        return StepFailed(
            "campaigns",
            f"the {plan.kind} campaign {plan.title!r} was not created: {failure.summary}",
            problems=problems,
            fix=fix,
        )

    def explain_service_error(self, step: StepName, error: ServiceError) -> StepFailed:
        problems = [describe_problem(item) for item in error.errors[:SHOWN_PROBLEMS]]
        if len(error.errors) > SHOWN_PROBLEMS:
            problems.append(f"... and {len(error.errors) - SHOWN_PROBLEMS} more")
        return StepFailed(
            step,
            f"{error.headline()}: {error.detail}",
            problems=problems,
            fix=self.suggest_fix(step, error),
        )

    def suggest_fix(self, step: StepName, error: ServiceError) -> str:
        service = error.service
        variable = f"PARTNERFUND_{service.upper()}_URL"
        if error.status is None:
            return (
                f"Start {error.service_title} (make run starts all services) or point {variable} "
                f"at it; now {self.clients.base_url(service)}."
            )

        if error.status == 401:
            return (
                "Set PARTNERFUND_API_KEY (or PARTNERFUND_API_KEY_FILE, by default var/admin-api-key) "
                f"to a key that {error.service_title} knows."
            )
        if error.status == 403:
            return f"Use an API key with the scope named above for {error.service_title}."
        if error.status == 404:
            return (
                f"Check that {variable} points at {error.service_title} (now "
                f"{self.clients.base_url(service)}) and that the item named above exists."
            )

        if step in (
            "schools",
            "scores",
            "enrollment",
            "partnerships",
            "portfolio",
            "contacts",
        ) and error.status in (
            400,
            422,
        ):
            section = "school_list" if step == "schools" else step
            return (
                f"Correct the rows listed above in the file of [inputs.{section}], or map its headers "
                f"with `columns` in [inputs.{section}]; nothing from the file was stored."
            )
        if step == "run" and error.status in (400, 409, 422):
            return "Change [policy] in the cycle file, or the input files it names."
        if step == "publish" and error.status == 409:
            return "Pass --supersede-reason to replace the published run, or keep it."
        if step in ("campaigns", "send") and error.status in (400, 409, 422):
            return "Change the [calendar] section of the cycle file."

        request = f"request id {error.request_id}" if error.request_id else "this request"
        return f"Look up {request} in the log of {error.service_title}, then resume."

    def idempotency_key(self, step: str, service: str, digest: str) -> str:
        return f"cycle-fy{self.cycle.fiscal_year}-{self.cycle.fund}-{step}-{service}-{digest[:32]}"


# Small helpers


def service_title(service: ServiceName) -> str:
    return {"allocation": "allocation-api", "catalog": "catalog-api", "notifier": "notifier"}[service]


def format_money(amount: Decimal) -> str:
    return f"${amount:,.2f}"


def content_digest(content: bytes, fields: dict[str, str]) -> str:
    digest = hashlib.sha256(content)
    digest.update(json.dumps(fields, sort_keys=True).encode())
    return digest.hexdigest()


def hashed_upload_name(content: bytes, file: InputFile) -> str:
    """Name an upload after its file and a hash of its bytes and column mapping."""
    fields = {"columns": json.dumps(file.columns, sort_keys=True)} if file.columns else {}
    digest = content_digest(content, fields)[:16]
    path = Path(file.path.name)
    return f"{path.stem}.sha256-{digest}{path.suffix}"


def stable_hash(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode()).hexdigest()


def stored_policy(run: dict[str, Any]) -> dict[str, Any] | None:
    """Return a stored run's policy with the sets it used, in the form our requests take."""
    try:
        policy = AllocationPolicy.model_validate(run.get("policy") or {})
    except ValueError:
        return None
    policy = policy.model_copy(
        update={
            "need_index_set_id": run.get("need_index_set_id", policy.need_index_set_id),
            "enrollment_set_id": run.get("enrollment_set_id", policy.enrollment_set_id),
        }
    )
    return policy.model_dump(mode="json")


def _with_file_name(error: ServiceError, upload_name: str, file_name: str) -> ServiceError:
    """Name the user's file in a service's problem, in place of the hashed name it was uploaded as."""
    if upload_name == file_name:
        return error
    detail = error.detail.replace(upload_name, file_name)
    problem = dict(error.problem)
    if isinstance(problem.get("detail"), str):
        problem["detail"] = problem["detail"].replace(upload_name, file_name)
    return dataclasses.replace(error, detail=detail, problem=problem)


def describe_import(result: dict[str, Any], noun: str) -> str:
    parts = [f"{result.get('rows', '?')} {noun}"]
    for counter in ("created", "updated", "unchanged"):
        counts = format_counts(result.get(counter))
        if counts:
            parts.append(f"{counter} {counts}")
    skipped = result.get("skipped")
    if isinstance(skipped, list) and skipped:
        parts.append(f"{len(skipped)} skipped")
    warnings = result.get("warnings") or []
    if warnings:
        parts.append(f"{len(warnings)} warnings")
    text = ", ".join(parts)
    shown = [describe_problem(item) for item in warnings[:5]]
    if shown:
        text += "\n    " + "\n    ".join(shown)
    return text


def format_counts(counts: Any) -> str:
    """Write an import counter, a number or per-record counts such as `{"programs": 900}`.

    Return "" for a missing or zero counter, which the output leaves out.
    """
    if isinstance(counts, dict):
        return " ".join(f"{count} {name}" for name, count in counts.items() if count)
    return str(counts) if counts else ""


def describe_problem(item: dict[str, Any]) -> str:
    """Write one listed problem as `row 14, column score, value "1.2": message`."""
    where = []
    if item.get("row") is not None:
        where.append(f"row {item['row']}")
    if item.get("column"):
        where.append(f"column {item['column']}")
    if item.get("loc"):
        where.append(".".join(str(part) for part in item["loc"]))
    if item.get("value") not in (None, ""):
        where.append(f"value {json.dumps(item['value'], ensure_ascii=False)}")
    if item.get("school_name"):
        where.append(f"site {json.dumps(item['school_name'], ensure_ascii=False)}")
    message = item.get("message") or item.get("reason") or ""
    return f"{', '.join(where)}: {message}" if where else str(message)


def skipped_series(cycle: CycleFile, plans: list[CampaignPlan]) -> list[str]:
    """Return the event series of the calendar that have no campaign, because no session is left."""
    planned = {plan.kind for plan in plans}
    return [kind for kind, _ in event_series(cycle) if kind not in planned]


def cycle_file_key(plan: CampaignPlan, loc: Any) -> list[str] | None:
    """Translate the location of a notifier problem into the cycle file key that sets it.

    `["body", "sessions", 0, "starts_at"]` of office hours becomes
    `calendar.office_hours.sessions[0].starts_at`. An event campaign's `send_at` is the
    series' `invite_at`. Sessions left out as past shift the indexes, so those are not
    translated.
    """
    if not isinstance(loc, list | tuple) or not loc:
        return None
    parts = [str(part) for part in loc]
    if parts[0] == "body":
        parts = parts[1:]
    if not parts:
        return None
    if parts[0] == "send_at" and "sessions" in plan.payload:
        parts[0] = "invite_at"
    if parts[0] == "sessions" and len(parts) > 1 and parts[1].isdigit() and not plan.dropped_sessions:
        parts = [f"sessions[{parts[1]}]", *parts[2:]]
    return [plan.section, *parts]


def describe_deliveries(campaign: dict[str, Any]) -> str:
    deliveries = campaign.get("deliveries") or {}
    if not deliveries:
        return "no deliveries yet"
    return ", ".join(f"{count} {status}" for status, count in sorted(deliveries.items()))
