"""Policy and input problems that make an allocation impossible, each rendered as a 422 problem."""

from __future__ import annotations

from partnerfund_shared.errors import InvalidInput


class AllocationNotPossible(InvalidInput):
    slug = "allocation-not-possible"
    title = "Allocation not possible"


class PoolNotPositive(AllocationNotPossible):
    slug = "pool-not-positive"
    title = "Pool is not a positive amount"


class AmountNotWholeUnits(AllocationNotPossible):
    """A pool, floor, cap or ceiling has cents while the policy rounds to whole dollars."""

    slug = "amount-not-whole-units"
    title = "Amount does not fit the rounding"


class NoEligibleSchool(AllocationNotPossible):
    slug = "no-eligible-school"
    title = "No eligible school"


class NoWeightToShare(AllocationNotPossible):
    """Eligible schools exist, but every one has weight zero, so the pool has nothing to follow."""

    slug = "no-weight-to-share"
    title = "Eligible schools have no weight"


class FloorsExceedPool(AllocationNotPossible):
    slug = "floors-exceed-pool"
    title = "Floors exceed the pool"


class CapsBelowPool(AllocationNotPossible):
    slug = "caps-below-pool"
    title = "Caps leave part of the pool unallocated"


class IncompleteSchools(AllocationNotPossible):
    """Schools that qualify by score have no enrollment and the policy does not exclude them."""

    slug = "incomplete-schools"
    title = "Eligible schools without enrollment"


class InvalidSchoolRecord(InvalidInput):
    """An engine input is malformed: a duplicate code, a negative enrollment, a score out of range."""

    slug = "invalid-school-record"
    title = "Invalid school record"
