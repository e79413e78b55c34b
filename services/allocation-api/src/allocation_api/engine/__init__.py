"""The allocation engine: pure functions from a policy and school records to exact lines."""

from allocation_api.engine.compute import compute_allocation
from allocation_api.engine.hashing import content_hash
from allocation_api.engine.records import (
    AllocationLine,
    AllocationResult,
    Exclusion,
    SchoolRecord,
)

__all__ = [
    "AllocationLine",
    "AllocationResult",
    "Exclusion",
    "SchoolRecord",
    "compute_allocation",
    "content_hash",
]
