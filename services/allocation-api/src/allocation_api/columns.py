"""Columns of the three imports, with the header synonyms each one accepts.

Headers match case-, space- and punctuation-insensitively, so "School Code", "school_code" and
"SCHOOL-CODE" are one header. A file with another layout names its headers in the `columns`
form field instead.

Rules the imports follow:
- School codes are text. A numeric XLSX cell such as 101 is read as "0101" with a warning,
  because spreadsheets drop leading zeros. Text such as "101" is rejected as not four digits.
- Score and enrollment files may only name schools of the school list. A row with an unknown
  code rejects the file (see `imports.reject_unknown_schools`).
- A blank score is stored as "no score" and listed as a warning, and that school is never
  eligible. A blank enrollment is an error. A school missing from the enrollment file has no
  enrollment, which a run reports, or rejects unless the policy sets `exclude_incomplete`.
- The school list import adds new schools and updates known ones. It never deletes a school,
  because score sets, enrollment sets and runs refer to them.
"""

from __future__ import annotations

from partnerfund_shared.tabular import (
    ColumnSpec,
    parse_digit_code,
    parse_non_negative_int,
    parse_school_code,
    parse_score,
    parse_text,
)

SCHOOL_CODE = ColumnSpec(
    name="school_code",
    parse=parse_school_code,
    synonyms=("School Code", "BPS Code", "BPS School Code", "School ID", "Code"),
    unique=True,
    description="BPS four-digit school code, as text.",
)

SCHOOL_NAME = ColumnSpec(
    name="school_name",
    parse=parse_text,
    synonyms=("School Name", "Name", "School"),
)

SCHOOL_COLUMNS = (
    SCHOOL_CODE,
    SCHOOL_NAME,
    ColumnSpec(
        name="rc_code",
        parse=parse_text,
        synonyms=("RC Code", "RC", "Responsibility Center", "Budget Code"),
        allow_blank=True,
        description="BPS budget responsibility-center code; blank when the school has none.",
    ),
    ColumnSpec(
        name="dese_code",
        parse=parse_digit_code(8, "DESE code"),
        synonyms=("DESE Code", "DESE School ID", "DESE ID", "Org Code"),
        required=False,
        allow_blank=True,
    ),
)

NEED_INDEX_COLUMNS = (
    SCHOOL_CODE,
    ColumnSpec(
        name="score",
        parse=parse_score,
        synonyms=("Score", "OI Score", "Opportunity Index", "Opportunity Index Score", "OI"),
        # "FY27 OI Score", "OI Score FY2027", "FY27 Opportunity Index" as the district writes them
        header_patterns=(r"fy\d{2,4}oiscore", r"oiscorefy\d{2,4}", r"fy\d{2,4}opportunityindex"),
        allow_blank=True,
        description="Need-index score from 0 to 1; blank for schools without a score.",
    ),
    ColumnSpec(
        name="school_name",
        parse=parse_text,
        synonyms=("School Name", "Name", "School"),
        required=False,
        allow_blank=True,
    ),
)

ENROLLMENT_COLUMNS = (
    SCHOOL_CODE,
    ColumnSpec(
        name="enrollment",
        parse=parse_non_negative_int,
        synonyms=("Enrollment", "Total Enrollment", "Projected Enrollment", "Students"),
        header_patterns=(r"(total|projected)?enrollment(sy|fy)?\d{0,4}",),
        description="Number of students, a whole number.",
    ),
)
