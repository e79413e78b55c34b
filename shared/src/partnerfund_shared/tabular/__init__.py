"""Reading CSV and XLSX uploads for every import, and writing CSV and XLSX exports.

`read_table` turns an upload into parsed rows described by `ColumnSpec`s, or raises
`ImportRejected` listing every problem in the file. The parsers in `cells` cover the values
the platform imports (school codes, money, scores, counts, lists, email addresses).
"""

from partnerfund_shared.tabular.cells import (
    EXCEL_ERROR_VALUES,
    CellError,
    CellValue,
    ValueWithWarning,
    cell_text,
    parse_choice,
    parse_decimal,
    parse_digit_code,
    parse_email,
    parse_money,
    parse_multi,
    parse_non_negative_int,
    parse_school_code,
    parse_score,
    parse_text,
)
from partnerfund_shared.tabular.columns import ColumnSpec
from partnerfund_shared.tabular.export import neutralise_text, write_csv, write_xlsx
from partnerfund_shared.tabular.headers import parse_columns_mapping
from partnerfund_shared.tabular.labels import normalise_label
from partnerfund_shared.tabular.reader import Row, Table, import_rejected, read_table

__all__ = [
    "EXCEL_ERROR_VALUES",
    "CellError",
    "CellValue",
    "ColumnSpec",
    "Row",
    "Table",
    "ValueWithWarning",
    "cell_text",
    "import_rejected",
    "neutralise_text",
    "normalise_label",
    "parse_choice",
    "parse_columns_mapping",
    "parse_decimal",
    "parse_digit_code",
    "parse_email",
    "parse_money",
    "parse_multi",
    "parse_non_negative_int",
    "parse_school_code",
    "parse_score",
    "parse_text",
    "read_table",
    "write_csv",
    "write_xlsx",
]
