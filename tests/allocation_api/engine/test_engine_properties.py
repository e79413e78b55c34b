"""Properties of the engine that must hold for every input, checked with hypothesis."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from allocation_api.engine import AllocationResult, SchoolRecord, compute_allocation
from allocation_api.engine.errors import AllocationNotPossible
from partnerfund_shared.schemas.allocation import AllocationPolicy

PROPERTY_SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

scores = st.one_of(
    st.none(),
    st.integers(min_value=0, max_value=10_000).map(lambda value: Decimal(value).scaleb(-4)),
    # Coarse scores make ties, which exercise the tie-breaking rules.
    st.integers(min_value=0, max_value=10).map(lambda value: Decimal(value).scaleb(-1)),
)
enrollments = st.one_of(
    st.none(),
    st.integers(min_value=0, max_value=3_000),
    st.sampled_from([100, 250]),
)


@st.composite
def school_lists(draw: st.DrawFn, min_size: int = 1, max_size: int = 40) -> list[SchoolRecord]:
    codes = draw(
        st.lists(
            st.integers(min_value=1, max_value=9_999).map(lambda value: f"{value:04d}"),
            min_size=min_size,
            max_size=max_size,
            unique=True,
        )
    )
    return [
        SchoolRecord(
            code=code,
            name=f"School {code}",
            rc_code=None,
            score=draw(scores),
            enrollment=draw(enrollments),
        )
        for code in codes
    ]


@st.composite
def pool_policies(draw: st.DrawFn, method: str | None = None) -> AllocationPolicy:
    rounding = draw(st.sampled_from(["dollar", "cent"]))
    unit = Decimal(1) if rounding == "dollar" else Decimal("0.01")
    pool = Decimal(draw(st.integers(min_value=1, max_value=10_000_000))) * unit
    document: dict[str, Any] = {
        "pool": f"{pool:.2f}",
        "rounding": rounding,
        "exclude_incomplete": True,
        "weighting": {"method": method or draw(st.sampled_from(["flat", "need_weighted"]))},
    }
    if draw(st.booleans()):
        document["eligibility"] = {"top_n": draw(st.integers(min_value=1, max_value=40))}
    else:
        threshold = draw(st.integers(min_value=0, max_value=100))
        document["eligibility"] = {"min_score": str(Decimal(threshold).scaleb(-2))}
    if draw(st.booleans()):
        document["floor"] = f"{Decimal(draw(st.integers(0, 200_000))) * unit:.2f}"
    if draw(st.booleans()):
        low = int(Decimal(document.get("floor", "0")) / unit)
        document["cap"] = f"{Decimal(draw(st.integers(low, 2_000_000))) * unit:.2f}"
    return AllocationPolicy.model_validate(document)


def compute_or_reject(policy: AllocationPolicy, schools: list[SchoolRecord]) -> AllocationResult:
    """Compute, discarding examples the policy cannot meet (no eligible school, floors too big)."""
    try:
        return compute_allocation(policy, schools)
    except AllocationNotPossible:
        assume(False)
        raise


class TestPoolProperties:
    @PROPERTY_SETTINGS
    @given(policy=pool_policies(), schools=school_lists())
    def test_total_equals_pool(self, policy: AllocationPolicy, schools: list[SchoolRecord]) -> None:
        result = compute_or_reject(policy, schools)

        assert result.total == policy.pool
        assert sum(line.amount for line in result.lines) == policy.pool

    @PROPERTY_SETTINGS
    @given(policy=pool_policies(), schools=school_lists(), data=st.data())
    def test_order_independence(
        self, policy: AllocationPolicy, schools: list[SchoolRecord], data: st.DataObject
    ) -> None:
        shuffled = data.draw(st.permutations(schools))

        first = compute_or_reject(policy, schools)
        second = compute_allocation(policy, shuffled)

        assert first == second

    @PROPERTY_SETTINGS
    @given(policy=pool_policies(method="need_weighted"), schools=school_lists(min_size=2))
    def test_need_weighted_monotone_in_score(
        self, policy: AllocationPolicy, schools: list[SchoolRecord]
    ) -> None:
        result = compute_or_reject(policy, schools)

        funded = [line for line in result.lines if line.status == "funded"]
        for higher in funded:
            for lower in funded:
                if higher.enrollment == lower.enrollment and higher.score > lower.score:  # type: ignore[operator]
                    assert higher.amount >= lower.amount, (higher, lower)

    @PROPERTY_SETTINGS
    @given(policy=pool_policies(), schools=school_lists())
    def test_floors_and_caps_hold(self, policy: AllocationPolicy, schools: list[SchoolRecord]) -> None:
        result = compute_or_reject(policy, schools)

        for line in result.lines:
            if line.status != "funded":
                continue
            if policy.floor is not None:
                assert line.amount >= policy.floor
            if policy.cap is not None:
                assert line.amount <= policy.cap

    @PROPERTY_SETTINGS
    @given(policy=pool_policies(), schools=school_lists())
    def test_ineligible_get_zero(self, policy: AllocationPolicy, schools: list[SchoolRecord]) -> None:
        result = compute_or_reject(policy, schools)

        for line in result.lines:
            if not line.eligible:
                assert line.amount == 0
            if line.status != "funded":
                assert line.amount == 0

    @PROPERTY_SETTINGS
    @given(policy=pool_policies(), schools=school_lists())
    def test_rounding_moves_each_amount_less_than_one_unit(
        self, policy: AllocationPolicy, schools: list[SchoolRecord]
    ) -> None:
        unit = Decimal(1) if policy.rounding == "dollar" else Decimal("0.01")

        result = compute_or_reject(policy, schools)

        for line in result.lines:
            assert abs(line.rounding_adjustment) < unit
            assert line.amount % unit == 0

    @PROPERTY_SETTINGS
    @given(policy=pool_policies(), schools=school_lists())
    def test_every_school_has_one_line(self, policy: AllocationPolicy, schools: list[SchoolRecord]) -> None:
        result = compute_or_reject(policy, schools)

        assert [line.school_code for line in result.lines] == sorted(school.code for school in schools)


class TestRateProperties:
    @PROPERTY_SETTINGS
    @given(
        schools=school_lists(),
        rate=st.integers(min_value=1, max_value=100_000),
        ceiling=st.one_of(st.none(), st.integers(min_value=1, max_value=5_000_000)),
    )
    def test_total_never_exceeds_ceiling(
        self, schools: list[SchoolRecord], rate: int, ceiling: int | None
    ) -> None:
        policy = AllocationPolicy.model_validate(
            {
                "mode": "rate",
                "rate": f"{Decimal(rate).scaleb(-2):.2f}",
                "ceiling": None if ceiling is None else f"{ceiling}.00",
                "eligibility": {"min_score": "0.30"},
                "exclude_incomplete": True,
            }
        )

        result = compute_or_reject(policy, schools)

        if ceiling is not None:
            assert result.total <= ceiling
        uncapped = sum(
            Decimal(rate).scaleb(-2) * (line.enrollment or 0)
            for line in result.lines
            if line.status == "funded"
        )
        if ceiling is None or uncapped <= ceiling - len(result.lines):
            # No proration: each amount is the rate times enrollment rounded half up.
            for line in result.lines:
                if line.status == "funded":
                    assert abs(line.amount - Decimal(rate).scaleb(-2) * line.enrollment) <= Decimal(  # type: ignore[operator]
                        "0.5"
                    )
