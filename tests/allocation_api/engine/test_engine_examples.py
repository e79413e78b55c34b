from __future__ import annotations

from decimal import Decimal

import pytest

from allocation_api.engine import AllocationLine, AllocationResult, compute_allocation
from allocation_api.engine.errors import (
    AmountNotWholeUnits,
    CapsBelowPool,
    FloorsExceedPool,
    IncompleteSchools,
    InvalidSchoolRecord,
    NoEligibleSchool,
    NoWeightToShare,
    PoolNotPositive,
)
from tests.allocation_api.engine.builders import make_policy, make_school


def amounts(result: AllocationResult) -> dict[str, Decimal]:
    return {line.school_code: line.amount for line in result.lines}


def line_of(result: AllocationResult, code: str) -> AllocationLine:
    return next(line for line in result.lines if line.school_code == code)


class TestEligibility:
    def test_min_score_is_inclusive(self) -> None:
        schools = [make_school("0101", score="0.56"), make_school("0102", score="0.5599")]

        result = compute_allocation(make_policy(), schools)

        assert line_of(result, "0101").eligible
        assert not line_of(result, "0102").eligible
        assert line_of(result, "0102").status == "below_threshold"

    def test_top_n_includes_ties_at_cut(self) -> None:
        schools = [
            make_school("0101", score="0.90"),
            make_school("0102", score="0.80"),
            make_school("0103", score="0.80"),
            make_school("0104", score="0.70"),
        ]

        result = compute_allocation(make_policy(eligibility={"top_n": 2}), schools)

        assert [line.eligible for line in result.lines] == [True, True, True, False]
        assert line_of(result, "0104").status == "outside_top_n"
        assert "0.80" in line_of(result, "0104").explanation

    def test_top_n_larger_than_scored_schools_takes_all(self) -> None:
        schools = [make_school("0101", score="0.10"), make_school("0102", score=None)]

        result = compute_allocation(make_policy(eligibility={"top_n": 60}), schools)

        assert line_of(result, "0101").amount == Decimal("1000.00")
        assert line_of(result, "0102").status == "no_score"

    def test_blank_score_is_never_eligible_and_listed(self) -> None:
        schools = [make_school("0101"), make_school("0102", score=None)]

        result = compute_allocation(make_policy(), schools)

        assert not line_of(result, "0102").eligible
        assert [exclusion.school_code for exclusion in result.excluded] == ["0102"]

    def test_zero_enrollment_gets_zero_and_says_why(self) -> None:
        schools = [make_school("0101"), make_school("0102", enrollment=0)]

        result = compute_allocation(make_policy(), schools)

        empty = line_of(result, "0102")
        assert empty.eligible
        assert empty.status == "zero_weight"
        assert empty.amount == Decimal("0.00")
        assert "0 enrolled students" in empty.explanation
        assert line_of(result, "0101").amount == Decimal("1000.00")

    def test_floor_skips_zero_enrollment_school(self) -> None:
        schools = [make_school("0101"), make_school("0102", enrollment=0)]

        result = compute_allocation(make_policy(floor="600.00"), schools)

        assert amounts(result) == {"0101": Decimal("1000.00"), "0102": Decimal("0.00")}


class TestIncompleteSchools:
    def test_rejected_naming_schools(self) -> None:
        schools = [
            make_school("0101"),
            make_school("0102", enrollment=None),
            make_school("0103", enrollment=None),
        ]

        with pytest.raises(IncompleteSchools) as caught:
            compute_allocation(make_policy(), schools)

        assert caught.value.extra["school_codes"] == ["0102", "0103"]
        assert "0102, 0103" in caught.value.detail
        assert caught.value.status == 422

    def test_excluded_when_policy_says_so(self) -> None:
        schools = [make_school("0101"), make_school("0102", enrollment=None)]

        result = compute_allocation(make_policy(exclude_incomplete=True), schools)

        assert line_of(result, "0102").status == "no_enrollment"
        assert not line_of(result, "0102").eligible
        assert [exclusion.school_code for exclusion in result.excluded] == ["0102"]
        assert result.eligible_schools == 1
        assert result.total == Decimal("1000.00")

    def test_ineligible_school_without_enrollment_is_no_problem(self) -> None:
        schools = [make_school("0101"), make_school("0102", score="0.10", enrollment=None)]

        result = compute_allocation(make_policy(), schools)

        assert line_of(result, "0102").status == "below_threshold"
        assert result.excluded == ()


class TestWeighting:
    def test_flat_splits_by_enrollment(self) -> None:
        schools = [make_school("0101", enrollment=300), make_school("0102", enrollment=100)]

        result = compute_allocation(make_policy(), schools)

        assert amounts(result) == {"0101": Decimal("750.00"), "0102": Decimal("250.00")}
        assert line_of(result, "0101").share == Decimal("0.7500000000")
        assert line_of(result, "0101").per_pupil == Decimal("2.50")

    def test_need_weighted_multiplies_by_score(self) -> None:
        schools = [
            make_school("0101", score="0.90", enrollment=100),
            make_school("0102", score="0.60", enrollment=100),
        ]

        result = compute_allocation(make_policy(weighting={"method": "need_weighted"}), schools)

        assert amounts(result) == {"0101": Decimal("600.00"), "0102": Decimal("400.00")}
        assert line_of(result, "0101").weight == Decimal("90.0000")

    def test_tiers_use_band_weight(self) -> None:
        tiers = [{"min_score": "0.56", "weight": "1"}, {"min_score": "0.80", "weight": "2"}]
        schools = [
            make_school("0101", score="0.85", enrollment=100),
            make_school("0102", score="0.60", enrollment=100),
            make_school("0103", score="0.80", enrollment=100),
        ]

        result = compute_allocation(
            make_policy(pool="500.00", weighting={"method": "tiers", "tiers": tiers}), schools
        )

        assert amounts(result) == {
            "0101": Decimal("200.00"),
            "0102": Decimal("100.00"),
            "0103": Decimal("200.00"),
        }
        assert "tier starting at score 0.80" in line_of(result, "0101").explanation

    def test_score_below_lowest_tier_gets_zero(self) -> None:
        tiers = [{"min_score": "0.70", "weight": "1"}]
        schools = [make_school("0101", score="0.90"), make_school("0102", score="0.60")]

        result = compute_allocation(make_policy(weighting={"method": "tiers", "tiers": tiers}), schools)

        assert line_of(result, "0102").status == "zero_weight"
        assert "below the lowest tier" in line_of(result, "0102").explanation
        assert line_of(result, "0101").amount == Decimal("1000.00")


class TestRounding:
    def test_remainder_goes_to_higher_score(self) -> None:
        schools = [
            make_school("0101", score="0.60"),
            make_school("0102", score="0.70"),
            make_school("0103", score="0.65"),
        ]

        result = compute_allocation(make_policy(pool="100.00"), schools)

        assert amounts(result) == {
            "0101": Decimal("33.00"),
            "0102": Decimal("34.00"),
            "0103": Decimal("33.00"),
        }

    def test_equal_scores_break_by_school_code(self) -> None:
        schools = [make_school(code, score="0.60") for code in ("0103", "0101", "0102")]

        result = compute_allocation(make_policy(pool="200.00"), schools)

        assert amounts(result) == {
            "0101": Decimal("67.00"),
            "0102": Decimal("67.00"),
            "0103": Decimal("66.00"),
        }

    def test_larger_remainder_wins_before_score(self) -> None:
        # 10 / 13 of 10 dollars is 7.69 and 3 / 13 is 2.31: the larger remainder takes the dollar.
        schools = [
            make_school("0101", score="0.99", enrollment=3),
            make_school("0102", score="0.60", enrollment=10),
        ]

        result = compute_allocation(make_policy(pool="10.00"), schools)

        assert amounts(result) == {"0101": Decimal("2.00"), "0102": Decimal("8.00")}
        assert line_of(result, "0102").rounding_adjustment == Decimal("0.3077")

    def test_cent_rounding(self) -> None:
        schools = [make_school(code) for code in ("0101", "0102", "0103")]

        result = compute_allocation(make_policy(pool="100.00", rounding="cent"), schools)

        assert sorted(amounts(result).values()) == [
            Decimal("33.33"),
            Decimal("33.33"),
            Decimal("33.34"),
        ]
        assert result.total == Decimal("100.00")

    def test_pool_with_cents_needs_cent_rounding(self) -> None:
        with pytest.raises(AmountNotWholeUnits):
            compute_allocation(make_policy(pool="100.50"), [make_school()])


class TestFloorAndCap:
    def test_floor_raises_small_school(self) -> None:
        schools = [make_school("0101", enrollment=990), make_school("0102", enrollment=10)]

        result = compute_allocation(make_policy(floor="100.00"), schools)

        assert amounts(result) == {"0101": Decimal("900.00"), "0102": Decimal("100.00")}
        assert line_of(result, "0102").limit_applied == "floor"
        assert "floor of $100.00" in line_of(result, "0102").explanation

    def test_cap_redistributes_until_stable(self) -> None:
        # Capping 0101 at 400 lifts 0102 above 400 too, so both end at the cap.
        schools = [
            make_school("0101", enrollment=600),
            make_school("0102", enrollment=300),
            make_school("0103", enrollment=100),
        ]

        result = compute_allocation(make_policy(cap="400.00"), schools)

        assert amounts(result) == {
            "0101": Decimal("400.00"),
            "0102": Decimal("400.00"),
            "0103": Decimal("200.00"),
        }
        assert line_of(result, "0103").limit_applied is None

    def test_floor_and_cap_together(self) -> None:
        schools = [
            make_school("0101", enrollment=800),
            make_school("0102", enrollment=150),
            make_school("0103", enrollment=40),
            make_school("0104", enrollment=10),
        ]

        result = compute_allocation(make_policy(pool="1000.00", floor="100.00", cap="500.00"), schools)

        assert amounts(result) == {
            "0101": Decimal("500.00"),
            "0102": Decimal("300.00"),
            "0103": Decimal("100.00"),
            "0104": Decimal("100.00"),
        }

    def test_floors_exceeding_pool_rejected(self) -> None:
        schools = [make_school(code) for code in ("0101", "0102", "0103")]

        with pytest.raises(FloorsExceedPool) as caught:
            compute_allocation(make_policy(floor="400.00"), schools)

        assert "$1,200.00" in caught.value.detail

    def test_caps_below_pool_rejected(self) -> None:
        schools = [make_school(code) for code in ("0101", "0102")]

        with pytest.raises(CapsBelowPool):
            compute_allocation(make_policy(cap="400.00"), schools)

    def test_floor_equal_cap_gives_everyone_the_same(self) -> None:
        schools = [make_school("0101", enrollment=1), make_school("0102", enrollment=99)]

        result = compute_allocation(make_policy(floor="500.00", cap="500.00"), schools)

        assert amounts(result) == {"0101": Decimal("500.00"), "0102": Decimal("500.00")}


class TestRateMode:
    def test_rate_times_enrollment(self) -> None:
        schools = [make_school("0101", enrollment=312), make_school("0102", enrollment=10)]

        result = compute_allocation(
            make_policy(pool=None, mode="rate", rate="85.50", rounding="cent"), schools
        )

        assert amounts(result) == {"0101": Decimal("26676.00"), "0102": Decimal("855.00")}
        assert result.total == Decimal("27531.00")

    def test_dollar_rounding_is_half_up_per_line(self) -> None:
        schools = [make_school("0101", enrollment=3)]

        result = compute_allocation(make_policy(pool=None, mode="rate", rate="0.50"), schools)

        assert line_of(result, "0101").amount == Decimal("2.00")
        assert line_of(result, "0101").amount_before_rounding == Decimal("1.5000")

    def test_tier_rates(self) -> None:
        tiers = [
            {"min_score": "0.56", "rate": "100.00"},
            {"min_score": "0.80", "rate": "150.00"},
        ]
        schools = [
            make_school("0101", score="0.85", enrollment=10),
            make_school("0102", score="0.60", enrollment=10),
        ]

        result = compute_allocation(
            make_policy(pool=None, mode="rate", weighting={"method": "tiers", "tiers": tiers}),
            schools,
        )

        assert amounts(result) == {"0101": Decimal("1500.00"), "0102": Decimal("1000.00")}

    def test_ceiling_prorates_to_exact_total(self) -> None:
        schools = [
            make_school("0101", enrollment=200),
            make_school("0102", enrollment=100),
            make_school("0103", enrollment=1),
        ]

        result = compute_allocation(
            make_policy(pool=None, mode="rate", rate="10.00", ceiling="1000.00"), schools
        )

        # 664.45, 332.23 and 3.32 before rounding: the largest remainder takes the last dollar.
        assert result.total == Decimal("1000.00")
        assert amounts(result) == {
            "0101": Decimal("665.00"),
            "0102": Decimal("332.00"),
            "0103": Decimal("3.00"),
        }
        assert "prorated" in line_of(result, "0101").explanation

    def test_ceiling_not_reached_keeps_rates(self) -> None:
        result = compute_allocation(
            make_policy(pool=None, mode="rate", rate="10.00", ceiling="5000.00"),
            [make_school(enrollment=100)],
        )

        assert result.total == Decimal("1000.00")


class TestRejectedPolicies:
    def test_no_eligible_school(self) -> None:
        with pytest.raises(NoEligibleSchool):
            compute_allocation(make_policy(), [make_school(score="0.10")])

    def test_no_eligible_after_exclusions_says_so(self) -> None:
        with pytest.raises(NoEligibleSchool) as caught:
            compute_allocation(make_policy(exclude_incomplete=True), [make_school(enrollment=None)])

        assert "missing enrollment" in caught.value.detail

    def test_only_zero_weight_schools(self) -> None:
        with pytest.raises(NoWeightToShare):
            compute_allocation(make_policy(), [make_school(enrollment=0)])

    @pytest.mark.parametrize("pool", ["0.00", "-100.00"])
    def test_pool_not_positive(self, pool: str) -> None:
        with pytest.raises(PoolNotPositive) as caught:
            compute_allocation(make_policy(pool=pool), [make_school()])

        assert caught.value.status == 422

    def test_duplicate_school_code(self) -> None:
        with pytest.raises(InvalidSchoolRecord):
            compute_allocation(make_policy(), [make_school("0101"), make_school("0101")])

    def test_negative_enrollment(self) -> None:
        with pytest.raises(InvalidSchoolRecord):
            compute_allocation(make_policy(), [make_school(enrollment=-1)])


class TestExplanation:
    def test_funded_line_names_every_step(self) -> None:
        schools = [make_school("0101", enrollment=2), make_school("0102", enrollment=1)]

        result = compute_allocation(make_policy(pool="100.00"), schools)

        text = line_of(result, "0101").explanation
        assert "at or above the minimum of 0.56" in text
        assert "Weight 2 = 2 enrolled students" in text
        assert "66.6667%" in text
        assert "$66.6667" in text
        assert "largest-remainder" in text
        assert "$67.00" in text
        assert "$33.50 per pupil" in text
