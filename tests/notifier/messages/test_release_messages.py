"""Budget-release messages as a school leader reads them, built through the composer.

Each test serves published lines (and, where given, the run's policy) from the allocation
stand-in on loopback, composes one ledger row with `compose_delivery`, and reads the result.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from email import message_from_bytes, policy
from typing import Any

import pytest
from pydantic import ValidationError

from notifier.campaigns.models import Campaign
from notifier.campaigns.planning import new_delivery
from notifier.contacts.models import Contact, ContactSchool
from notifier.deliveries.composer import ComposedMessage, DeliverySkipped, compose_delivery
from notifier.messages.render import MessageTemplate
from notifier.settings import Settings
from notifier.upstream import UpstreamData, open_upstream_clients
from notifier.worker.loop import serialize
from tests.notifier.support import notifier_settings, running_allocation

NOW = datetime(2027, 12, 1, 14, 0, tzinfo=UTC)
EXPLANATION = (
    "Eligible: need-index score 0.71 is at or above the minimum of 0.56. Weight 1,474 = 1,474 "
    "enrolled students. That is 2.0576% of the funded schools' total weight of 71,636. Amount "
    "before rounding $123,456.0370, rounded to whole dollars by the largest-remainder method, "
    "which keeps the total exact (-$0.0370): $123,456.00, or $83.75 per pupil."
)
POOL_POLICY = {
    "fund": "partnership",
    "mode": "pool",
    "pool": "6000000.00",
    "eligibility": {"min_score": "0.56"},
    "weighting": {"method": "flat", "tiers": []},
    "rounding": "dollar",
    "exclude_incomplete": True,
}


def make_line(code: str = "0101", name: str = "Hernández K-8", **overrides: Any) -> dict[str, Any]:
    line = {
        "school_code": code,
        "school_name": name,
        "rc_code": "101000",
        "score": "0.7100",
        "enrollment": 1474,
        "eligible": True,
        "status": "funded",
        "weight": "1474.0000",
        "share": "0.0205760000",
        "amount_before_rounding": "123456.0370",
        "rounding_adjustment": "-0.0370",
        "limit_applied": None,
        "amount": "123456.00",
        "per_pupil": "83.75",
        "explanation": EXPLANATION,
    }
    line.update(overrides)
    return line


BELOW_THRESHOLD = make_line(
    "0303",
    "Eliot K-8",
    score="0.4100",
    enrollment=300,
    eligible=False,
    status="below_threshold",
    weight="0.0000",
    amount="0.00",
    per_pupil=None,
    explanation="Not eligible: need-index score 0.41 is below the minimum of 0.56.",
)
MISSING_ENROLLMENT = make_line(
    "0202",
    "Mather Elementary",
    enrollment=None,
    eligible=False,
    status="no_enrollment",
    weight="0.0000",
    amount="0.00",
    per_pupil=None,
    explanation=(
        "Excluded: need-index score 0.71 qualifies, but the enrollment set has no enrollment "
        "for this school, and the policy excludes such schools."
    ),
)
NO_SCORE = make_line(
    "0404",
    "Quincy Upper",
    score=None,
    eligible=False,
    status="no_score",
    amount="0.00",
    per_pupil=None,
    explanation="Not eligible: the score set has no need-index score for this school.",
)


def make_campaign(**overrides: Any) -> Campaign:
    values: dict[str, Any] = {
        "id": 1,
        "kind": "budget_release",
        "title": "FY28 Partnership Fund budget release",
        "status": "scheduled",
        "fiscal_year": 2028,
        "fund": "partnership",
        "send_at": NOW,
        "critical": True,
        "not_eligible": "notify",
        "audience": {},
        "reminders": [],
        "sessions": [],
    }
    values.update(overrides)
    return Campaign(**values)


def make_leader(*codes: str) -> Contact:
    return Contact(
        id=9,
        name="Zoë Ångström",
        email="zoe@example.org",
        role="school_leader",
        schools=[ContactSchool(school_code=code) for code in codes],
        opt_outs=[],
    )


async def compose(
    lines: list[dict[str, Any]],
    *,
    school_code: str = "0101",
    policy_body: dict[str, Any] | None = POOL_POLICY,
    template: MessageTemplate = MessageTemplate.BUDGET_RELEASE,
    campaign: Campaign | None = None,
    **settings_values: Any,
) -> ComposedMessage:
    """Compose the release message of one school against the allocation stand-in."""
    campaign = campaign or make_campaign()
    contact = make_leader(school_code)
    with running_allocation(lines, policy_body) as allocation:
        settings = notifier_settings("sqlite+aiosqlite://", smtp_port=8025, allocation_url=allocation.url)
        for group, values in settings_values.items():
            for key, value in values.items():
                setattr(getattr(settings, group), key, value)
        delivery = new_delivery(
            campaign,
            contact,
            template=template,
            occurrence=f"release:{school_code}",
            scheduled_for=NOW,
            settings=settings,
            school_code=school_code,
        )
        async with open_upstream_clients(settings) as clients:
            return await compose_delivery(delivery, campaign, contact, UpstreamData(clients), settings, NOW)


def paragraphs(text: str) -> list[str]:
    return [paragraph.strip() for paragraph in text.split("\n\n")]


def paragraph_starting(text: str, start: str) -> str:
    matches = [paragraph for paragraph in paragraphs(text) if paragraph.startswith(start)]
    assert len(matches) == 1, text
    return matches[0]


def body_before_details(text: str) -> str:
    return text.split("Details from the allocation service:")[0]


class TestFundedSchool:
    async def test_states_amount_and_per_pupil(self):
        composed = await compose([make_line()])

        text = composed.rendered.text

        assert "Hernández K-8 (0101) receives $123,456.00, or $83.75 per enrolled student." in text
        assert composed.rendered.subject == "FY28 Partnership Fund allocation for Hernández K-8: $123,456.00"

    async def test_eligibility_compares_score_with_threshold(self):
        composed = await compose([make_line()])

        eligibility = paragraph_starting(composed.rendered.text, "Eligibility:")

        assert eligibility == (
            "Eligibility: Your school's need-index score is 0.71. Schools with a score of 0.56 or "
            "higher are eligible, so your school qualifies."
        )

    async def test_share_explained_in_plain_words(self):
        composed = await compose([make_line()])

        share = paragraph_starting(composed.rendered.text, "How the amount was set:")

        assert share == (
            "How the amount was set: Your school's share of the $6,000,000.00 pool is based on its "
            "1,474 enrolled students. Amounts are rounded to whole dollars so that the total "
            "equals the pool exactly."
        )

    async def test_engine_terms_only_in_details(self):
        composed = await compose([make_line()])

        main_text = body_before_details(composed.rendered.text)
        details = paragraph_starting(composed.rendered.text, "Details from the allocation service:")

        assert "Weight 1,474" not in main_text
        assert "largest-remainder" not in main_text
        assert "-$0.0370" not in main_text
        assert details == f"Details from the allocation service: {EXPLANATION}"

    async def test_details_come_last_in_html(self):
        composed = await compose([make_line()])

        html = composed.rendered.html

        assert html.index("How the amount was set") < html.index("Next steps")
        assert html.index("Next steps") < html.index("Details from the allocation service")
        assert "largest-remainder" in html

    async def test_next_steps_name_portfolio_and_help(self):
        composed = await compose(
            [make_line()], contact={"portfolio_url": "https://partners.example.org/portfolio"}
        )

        text = composed.rendered.text

        assert "Next steps:\n- Choose partner programs from the FY28 Opportunity Portfolio" in text
        assert "(https://partners.example.org/portfolio)" in text
        assert "by June 30, 2028, the end of the fiscal year" in text
        assert "office hours or technical-assistance sessions" in text
        assert 'href="https://partners.example.org/portfolio"' in composed.rendered.html

    async def test_need_weighting_is_named(self):
        weighted = {**POOL_POLICY, "weighting": {"method": "need_weighted", "tiers": []}}

        composed = await compose([make_line()], policy_body=weighted)

        share = paragraph_starting(composed.rendered.text, "How the amount was set:")
        assert "based on its 1,474 enrolled students, weighted by its need-index score." in share

    async def test_floor_is_explained(self):
        with_floor = {**POOL_POLICY, "floor": "150000.00"}
        line = make_line(limit_applied="floor", amount="150000.00", per_pupil="101.76")

        composed = await compose([line], policy_body=with_floor)

        share = paragraph_starting(composed.rendered.text, "How the amount was set:")
        assert "less than the minimum of $150,000.00 per funded school" in share
        assert "receives $150,000.00, or $101.76 per enrolled student" in composed.rendered.text

    async def test_top_n_rule_names_lowest_qualifying_score(self):
        top_n = {**POOL_POLICY, "eligibility": {"top_n": 2}}
        lines = [
            make_line(),
            make_line("0505", "Tobin K-8", score="0.6200"),
            make_line("0606", "Lyndon K-8", score="0.5000", eligible=False, status="outside_top_n"),
        ]

        composed = await compose(lines, policy_body=top_n)

        eligibility = paragraph_starting(composed.rendered.text, "Eligibility:")
        assert eligibility == (
            "Eligibility: Your school's need-index score is 0.71. The 2 highest-scoring schools "
            "are eligible, down to a score of 0.62, so your school qualifies."
        )

    async def test_without_policy_still_plain(self):
        composed = await compose([make_line()], policy_body=None)

        text = composed.rendered.text

        assert "meets this year's eligibility rule" in paragraph_starting(text, "Eligibility:")
        assert paragraph_starting(text, "How the amount was set:") == (
            "How the amount was set: Your school's share depends on its 1,474 enrolled students."
        )
        assert "Weight 1,474" not in body_before_details(text)


class TestNotEligibleSchool:
    async def test_reason_is_not_repeated(self):
        composed = await compose(
            [BELOW_THRESHOLD], school_code="0303", template=MessageTemplate.BUDGET_RELEASE
        )

        text = composed.rendered.text

        assert "Reason:" not in text
        assert "Not eligible:" not in body_before_details(text)
        assert text.count("not eligible") == 1
        assert paragraph_starting(text, "Why:") == (
            "Why: Your school's need-index score is 0.41. Schools need a score of 0.56 or higher "
            "to be eligible."
        )
        assert composed.rendered.subject.endswith(": not eligible")

    async def test_names_whom_to_ask(self):
        composed = await compose(
            [BELOW_THRESHOLD],
            school_code="0303",
            contact={"name": "Ana Lopes", "email": "ana.lopes@bps.example.org", "phone": "617-635-0000"},
        )

        next_steps = paragraph_starting(composed.rendered.text, "Next steps:")

        assert "Opportunity Portfolio" in next_steps
        assert "contact Ana Lopes at ana.lopes@bps.example.org or 617-635-0000" in next_steps
        assert "$" not in body_before_details(composed.rendered.text)

    async def test_school_without_score(self):
        composed = await compose([NO_SCORE], school_code="0404")

        why = paragraph_starting(composed.rendered.text, "Why:")

        assert why.startswith("Why: This year's need-index scores have no score for your school.")

    async def test_skip_sends_nothing(self):
        with pytest.raises(DeliverySkipped):
            await compose([BELOW_THRESHOLD], school_code="0303", campaign=make_campaign(not_eligible="skip"))


class TestMissingEnrollment:
    async def test_says_it_qualifies_by_score(self):
        composed = await compose([MISSING_ENROLLMENT], school_code="0202")

        text = composed.rendered.text

        assert (
            "Mather Elementary (0202) qualifies for a Partnership Fund allocation by its "
            "need-index score, but it could not be funded because its enrollment is missing."
        ) in text
        assert "is not eligible" not in text
        assert "Schools with a score of 0.56 or higher are eligible" in text

    async def test_subject_names_missing_enrollment(self):
        composed = await compose([MISSING_ENROLLMENT], school_code="0202")

        assert composed.rendered.subject == (
            "FY28 Partnership Fund allocation for Mather Elementary: not funded, enrollment missing"
        )

    async def test_names_whom_to_contact(self):
        composed = await compose(
            [MISSING_ENROLLMENT],
            school_code="0202",
            contact={"name": "Ana Lopes", "email": "ana.lopes@bps.example.org"},
        )

        what_to_do = paragraph_starting(composed.rendered.text, "What to do:")

        assert what_to_do.startswith(
            "What to do: Contact Ana Lopes at ana.lopes@bps.example.org to correct your school's "
            "enrollment record"
        )
        assert "ana.lopes@bps.example.org" in composed.rendered.html


class TestContact:
    async def test_every_release_names_contact(self):
        composed = await compose(
            [make_line()],
            contact={"name": "Ana Lopes", "email": "ana.lopes@bps.example.org", "phone": "617-635-0000"},
        )

        contact = paragraph_starting(composed.rendered.text, "Questions?")

        assert contact == (
            "Questions? Contact: Ana Lopes, ana.lopes@bps.example.org, 617-635-0000. "
            "You can also reply to this message."
        )

    async def test_reply_to_is_contact_by_default(self):
        composed = await compose([make_line()], contact={"name": "Ana Lopes", "email": "ana@bps.example.org"})

        parsed = message_from_bytes(serialize(composed.message), policy=policy.default)

        assert parsed["Reply-To"].addresses[0].addr_spec == "ana@bps.example.org"
        assert parsed["Reply-To"].addresses[0].display_name == "Ana Lopes"
        assert parsed["From"].addresses[0].addr_spec == "partnerships@partnerfund.localhost"

    async def test_sender_reply_to_wins(self):
        composed = await compose([make_line()], sender={"reply_to": "help@bps.example.org"})

        parsed = message_from_bytes(serialize(composed.message), policy=policy.default)

        assert parsed["Reply-To"].addresses[0].addr_spec == "help@bps.example.org"


@pytest.mark.parametrize(
    ("lines", "school_code"),
    [([make_line()], "0101"), ([BELOW_THRESHOLD], "0303"), ([MISSING_ENROLLMENT], "0202")],
)
async def test_release_paragraphs_have_no_hard_breaks(lines, school_code):
    composed = await compose(lines, school_code=school_code)

    body = composed.rendered.text.split("\n--\n")[0]
    for paragraph in paragraphs(body):
        for line in paragraph.split("\n")[1:]:
            assert line.startswith("- "), paragraph
    assert not re.search(r"\n{3,}", composed.rendered.text)


class TestContactSettings:
    def test_read_from_environment(self, monkeypatch):
        monkeypatch.setenv("NOTIFIER_CONTACT__NAME", "Ana Lopes")
        monkeypatch.setenv("NOTIFIER_CONTACT__EMAIL", "ana@bps.example.org")
        monkeypatch.setenv("NOTIFIER_SENDER__REPLY_TO", "help@bps.example.org")

        settings = Settings()

        assert settings.contact.name == "Ana Lopes"
        assert settings.contact.email == "ana@bps.example.org"
        assert settings.sender.reply_to == "help@bps.example.org"
        assert settings.sender.email == "partnerships@partnerfund.localhost"

    @pytest.mark.parametrize("address", ["nope", "ana@", "ana lopes@bps.example.org"])
    def test_invalid_address_rejected(self, address):
        with pytest.raises(ValidationError, match="invalid e-mail address"):
            Settings(contact={"email": address})

        with pytest.raises(ValidationError, match="invalid e-mail address"):
            Settings(sender={"reply_to": address})
