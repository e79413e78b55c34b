"""Rendering of every message layout: content, escaping and the stated reason."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from notifier.messages.render import (
    AllocationLine,
    MessageTemplate,
    PortfolioProgram,
    Recipient,
    SessionView,
    explain_reason,
    format_money,
    render_message,
)

LEADER = Recipient(name="Zoë Ångström", email="zoe@example.org")
SESSION = SessionView(
    starts_at=datetime(2026, 12, 11, 14, 0, tzinfo=UTC),
    ends_at=datetime(2026, 12, 11, 15, 0, tzinfo=UTC),
    location="Bolling Building, room 2",
    video_link="https://meet.example.org/office-hours",
    capacity=25,
)


def make_line(**overrides):
    values = {
        "school_code": "0101",
        "school_name": "Hernández K-8",
        "eligible": True,
        "amount": Decimal("123456.00"),
        "per_pupil": Decimal("312.55"),
        "explanation": "Score 0.6100 is at least 0.56; 395 pupils at $312.55.",
    }
    values.update(overrides)
    return AllocationLine(**values)


def render(template, **values):
    # Release layouts also take the run's policy, and without it they explain less.
    values.setdefault("rules", None)
    return render_message(
        template,
        recipient=LEADER,
        reason="You receive this message because of a test.",
        sender_name="Partnerships Office",
        values=values,
    )


class TestBudgetRelease:
    def test_amount_appears_in_all_parts(self):
        message = render(
            MessageTemplate.BUDGET_RELEASE, fiscal_year=2028, fund="partnership", line=make_line()
        )

        assert "$123,456.00" in message.subject
        assert "$123,456.00" in message.text
        assert "$123,456.00" in message.html
        assert "FY28 Partnership Fund" in message.subject

    def test_not_eligible_variant_has_no_amount(self):
        line = make_line(
            eligible=False,
            amount=Decimal("0.00"),
            per_pupil=None,
            explanation="Score 0.41 is below 0.56.",
        )

        message = render(
            MessageTemplate.BUDGET_RELEASE_NOT_ELIGIBLE,
            fiscal_year=2028,
            fund="partnership",
            line=line,
        )

        assert "not eligible" in message.text
        assert "$" not in message.text
        assert "Score 0.41 is below 0.56." in message.text

    def test_summary_lists_each_school_and_total(self):
        lines = [
            make_line(),
            make_line(school_code="0202", school_name="Mather", amount=Decimal("1000.50")),
            make_line(school_code="0303", school_name="Eliot", eligible=False, amount=Decimal("0.00")),
        ]

        message = render(
            MessageTemplate.BUDGET_RELEASE_SUMMARY,
            fiscal_year=2028,
            fund="partnership",
            lines=lines,
            total=Decimal("124456.50"),
            eligible_count=2,
            missing_codes=["0404"],
        )

        assert "Hernández K-8 (0101): $123,456.00" in message.text
        assert "Mather (0202): $1,000.50" in message.text
        assert "Eliot (0303): not eligible" in message.text
        assert "$124,456.50" in message.text
        assert "0404" in message.text

    def test_summary_marks_missing_enrollment(self):
        lines = [
            make_line(),
            make_line(
                school_code="0202",
                school_name="Mather",
                eligible=False,
                amount=Decimal("0.00"),
                status="no_enrollment",
            ),
        ]

        message = render(
            MessageTemplate.BUDGET_RELEASE_SUMMARY,
            fiscal_year=2028,
            fund="partnership",
            lines=lines,
            total=Decimal("123456.00"),
            eligible_count=1,
            missing_codes=[],
        )

        assert "Mather (0202): qualifies by score, enrollment missing" in message.text
        assert "was left out because the enrollment data has no enrollment for it" in message.text
        assert "enrollment missing" in message.html

    def test_html_escapes_school_name(self):
        line = make_line(school_name="A & B <script>")

        message = render(MessageTemplate.BUDGET_RELEASE, fiscal_year=2028, fund="partnership", line=line)

        assert "<script>" not in message.html
        assert "A &amp; B &lt;script&gt;" in message.html
        assert "A & B <script>" in message.text


class TestEvents:
    def test_invitation_shows_local_time(self):
        message = render(
            MessageTemplate.EVENT_INVITATION,
            event_label="Office hours",
            title="Budget questions",
            sessions=[SESSION],
            session_count=1,
            description=None,
            updated=False,
        )

        # 14:00 UTC in December is 9:00 EST.
        assert "Friday, December 11, 2026, 9:00 a.m.–10:00 a.m." in message.text
        assert "Bolling Building, room 2" in message.text
        assert (
            message.subject
            == "Invitation: Office hours, Budget questions, Friday, December 11, 2026 9:00 a.m."
        )
        assert "one of" not in message.text

    def test_invitation_of_a_series_says_so(self):
        message = render(
            MessageTemplate.EVENT_INVITATION,
            event_label="Office hours",
            title="Budget questions",
            sessions=[SESSION],
            session_count=3,
            description=None,
            updated=False,
        )

        assert "This invitation is for one of 3 sessions. Each session has its own invitation" in message.text
        assert "one of 3 sessions" in message.html
        assert "adds the session to your calendar" in message.text

    def test_update_says_schedule_changed(self):
        message = render(
            MessageTemplate.EVENT_INVITATION,
            event_label="Technical assistance",
            title="Choosing partners",
            sessions=[SESSION],
            session_count=2,
            description="Bring your budget.",
            updated=True,
        )

        assert message.subject.startswith("Updated:")
        assert "has changed. The session is now:" in message.text
        assert "one of 2 sessions" not in message.text

    def test_reminder_names_start(self):
        message = render(
            MessageTemplate.EVENT_REMINDER,
            event_label="Office hours",
            title="Budget questions",
            sessions=[SESSION],
            description=None,
        )

        assert (
            message.subject == "Reminder: Office hours, Budget questions, Friday, December 11, 2026 9:00 a.m."
        )

    def test_cancellation(self):
        message = render(
            MessageTemplate.EVENT_CANCELLATION,
            event_label="Office hours",
            title="Budget questions",
            sessions=[SESSION],
        )

        assert "is cancelled" in message.text
        assert message.subject.startswith("Cancelled:")


class TestOtherKinds:
    def test_portfolio_groups_by_category(self):
        programs = [
            PortfolioProgram(name="Robotics Club", organization="Tech Goes Home", category="STEM"),
            PortfolioProgram(name="Chess", organization="Chess Ed", category="Enrichment"),
        ]

        message = render(MessageTemplate.PORTFOLIO_RELEASE, fiscal_year=2028, programs=programs)

        assert "STEM" in message.text
        assert "- Robotics Club, Tech Goes Home" in message.text
        assert "2 partner programs" in message.subject

    def test_custom_body_is_escaped_in_html(self):
        message = render(
            MessageTemplate.CUSTOM, subject="Note\nwith break", body="Line <b>one</b>\n\nLine two"
        )

        assert message.subject == "Note with break"
        assert "&lt;b&gt;" in message.html
        assert "Line <b>one</b>" in message.text

    def test_missing_value_raises(self):
        from jinja2 import UndefinedError

        with pytest.raises(UndefinedError):
            render(MessageTemplate.BUDGET_RELEASE, fiscal_year=2028, fund="partnership")


class TestReason:
    def test_every_layout_states_the_reason(self):
        message = render(MessageTemplate.CUSTOM, subject="s", body="b")

        assert "You receive this message because of a test." in message.text
        assert "You receive this message because of a test." in message.html

    def test_critical_reason_mentions_opt_out_override(self):
        reason = explain_reason(
            kind="budget_release", role="school_leader", school_names=["Mather"], critical=True
        )

        assert "school leader for Mather" in reason
        assert "even if you opted out" in reason

    def test_optional_reason_explains_opt_out(self):
        reason = explain_reason(
            kind="office_hours",
            role="instructional_superintendent",
            school_names=[],
            critical=False,
        )

        assert "an Instructional Superintendent" in reason
        assert "To stop receiving office hours notices" in reason


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        (Decimal("0"), "$0.00"),
        (Decimal("1234.5"), "$1,234.50"),
        (Decimal("5999999.99"), "$5,999,999.99"),
    ],
)
def test_money_format(amount, expected):
    assert format_money(amount) == expected


def test_release_paragraphs_have_no_hard_breaks():
    message = render(MessageTemplate.BUDGET_RELEASE, fiscal_year=2028, fund="partnership", line=make_line())

    body = message.text.split("\n--\n")[0]
    for paragraph in body.split("\n\n"):
        # A paragraph may continue only with list items, one per line.
        for line in paragraph.strip().split("\n")[1:]:
            assert line.startswith("- "), paragraph
