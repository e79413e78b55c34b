"""Query parameters of the public program search."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query

from catalog_api.programs.search import ProgramSearch
from partnerfund_shared.schemas.catalog import Fees
from partnerfund_shared.types import MAX_PAGE_LIMIT, FiscalYear

DEFAULT_PAGE_LIMIT = 50


async def program_search_params(
    q: Annotated[
        str | None, Query(max_length=200, description="Words that must all occur; empty lists all.")
    ] = None,
    area: Annotated[list[str], Query(description="Program area label or synonym.")] = [],  # noqa: B006
    subarea: Annotated[list[str], Query()] = [],  # noqa: B006
    grade: Annotated[list[str], Query(description='Grade label: "K1", "5".')] = [],  # noqa: B006
    time_of_day: Annotated[list[str], Query()] = [],  # noqa: B006
    language: Annotated[list[str], Query()] = [],  # noqa: B006
    fees: Annotated[list[Fees], Query()] = [],  # noqa: B006
    school_code: Annotated[list[str], Query(description="Programs with a partnership there.")] = [],  # noqa: B006
    neighborhood: Annotated[list[str], Query()] = [],  # noqa: B006
    portfolio: Annotated[
        FiscalYear | None, Query(description="Approved in the portfolio of this fiscal year.")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_LIMIT)] = DEFAULT_PAGE_LIMIT,
    cursor: Annotated[str | None, Query(max_length=2000)] = None,
) -> ProgramSearch:
    return ProgramSearch(
        q=q,
        area=area,
        subarea=subarea,
        grade=grade,
        time_of_day=time_of_day,
        language=language,
        fees=fees,
        school_code=school_code,
        neighborhood=neighborhood,
        portfolio=portfolio,
        limit=limit,
        cursor=cursor,
    )


ProgramSearchDep = Annotated[ProgramSearch, Depends(program_search_params)]
