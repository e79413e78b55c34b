"""Cell parsers of the shared import reader."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from partnerfund_shared.tabular import (
    CellError,
    ValueWithWarning,
    cell_text,
    normalise_label,
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


def error_message(parser: object, value: object) -> str:
    with pytest.raises(CellError) as caught:
        parser(value)  # type: ignore[operator]
    return caught.value.message


class TestParseText:
    def test_trims(self) -> None:
        assert parse_text("  Adams  ") == "Adams"

    def test_numbers_as_shown(self) -> None:
        assert parse_text(101203) == "101203"
        assert parse_text(101203.0) == "101203"
        assert parse_text(0.1) == "0.1"

    def test_blank_is_missing(self) -> None:
        assert error_message(parse_text, "   ") == "a value is required"


class TestParseSchoolCode:
    def test_four_digit_text_is_kept(self) -> None:
        assert parse_school_code("0101") == "0101"
        assert parse_school_code(" 4361 ") == "4361"

    @pytest.mark.parametrize("text", ["101", "01010", "01a1", "１２３４", "-101", "10.1"])
    def test_text_must_be_four_digits(self, text: str) -> None:
        assert error_message(parse_school_code, text) == "school code must be 4 digits"

    def test_short_number_is_padded_with_warning(self) -> None:
        result = parse_school_code(101)

        assert isinstance(result, ValueWithWarning)
        assert result.value == "0101"
        assert result.warning.startswith("school code 101 was stored as a number; read it as 0101")

    def test_whole_float_is_padded(self) -> None:
        result = parse_school_code(7.0)

        assert isinstance(result, ValueWithWarning)
        assert result.value == "0007"

    def test_four_digit_number_has_no_warning(self) -> None:
        assert parse_school_code(4361) == "4361"
        assert parse_school_code(1010.0) == "1010"

    def test_fractional_number_is_rejected(self) -> None:
        assert error_message(parse_school_code, 101.5) == "school code must be 4 digits, not a fraction"

    @pytest.mark.parametrize("number", [0, -5, 10000, float("nan"), float("inf")])
    def test_out_of_range_number_is_rejected(self, number: float) -> None:
        assert error_message(parse_school_code, number) == "school code must be 4 digits"

    def test_boolean_is_rejected(self) -> None:
        assert error_message(parse_school_code, True) == "school code must be 4 digits"

    def test_other_lengths(self) -> None:
        parse_dese_code = parse_digit_code(8, "DESE code")

        assert parse_dese_code("00350302") == "00350302"
        padded = parse_dese_code(350302)
        assert isinstance(padded, ValueWithWarning)
        assert padded.value == "00350302"
        assert error_message(parse_dese_code, "350302") == "DESE code must be 8 digits"


class TestParseDecimal:
    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("1,234", Decimal("1234")),
            ("$1,234.00", Decimal("1234.00")),
            (" 1234.5 ", Decimal("1234.5")),
            ("(1,234.00)", Decimal("-1234.00")),
            ("($5)", Decimal("-5")),
            ("-$5.25", Decimal("-5.25")),
            ("$-5.25", Decimal("-5.25")),
            ("+7", Decimal("7")),
            (".5", Decimal("0.5")),
            ("1,234,567.891", Decimal("1234567.891")),
            ("0", Decimal("0")),
        ],
    )
    def test_accepted_text(self, text: str, expected: Decimal) -> None:
        parsed = parse_decimal(text)

        assert parsed == expected
        assert str(parsed) == str(expected)

    @pytest.mark.parametrize(
        "text",
        [
            "abc",
            "NaN",
            "nan",
            "Infinity",
            "-inf",
            "1e3",
            "1.2E+05",
            "1 234",
            "12,34,567",
            "1.2.3",
            "$",
            "--5",
            "5-",
        ],
    )
    def test_rejected_text(self, text: str) -> None:
        assert error_message(parse_decimal, text) == "must be a number"

    def test_decimal_comma_gets_hint(self) -> None:
        assert error_message(parse_decimal, "0,56") == (
            "must be a number with a dot as the decimal separator (0.56, not 0,56)"
        )

    def test_float_cell_keeps_its_shortest_form(self) -> None:
        assert str(parse_decimal(0.1)) == "0.1"
        assert str(parse_decimal(1234.5)) == "1234.5"

    def test_float_cell_reads_like_excel_shows_it(self) -> None:
        assert parse_decimal(0.1 + 0.2) == Decimal("0.3")

    @pytest.mark.parametrize("value", [float("nan"), float("inf"), Decimal("NaN"), Decimal("-Infinity")])
    def test_non_finite_cells_are_rejected(self, value: float | Decimal) -> None:
        assert error_message(parse_decimal, value) == "must be a finite number"

    def test_int_and_decimal_cells(self) -> None:
        assert parse_decimal(42) == Decimal(42)
        assert parse_decimal(Decimal("1.50")) == Decimal("1.50")

    def test_bool_and_date_cells_are_rejected(self) -> None:
        assert error_message(parse_decimal, True) == "must be a number"
        assert error_message(parse_decimal, datetime(2027, 1, 1)) == "must be a number, not a date or time"


class TestParseMoney:
    def test_returns_two_places(self) -> None:
        amount = parse_money("$1,234")

        assert amount == Decimal("1234")
        assert str(amount) == "1234.00"

    def test_negative_in_parentheses(self) -> None:
        assert parse_money("(1,234.00)") == Decimal("-1234.00")

    def test_float_cell(self) -> None:
        assert str(parse_money(1234.5)) == "1234.50"
        assert str(parse_money(0.1)) == "0.10"

    def test_three_decimals_are_rejected(self) -> None:
        assert error_message(parse_money, "1.005") == "amount can have at most 2 decimal places"

    def test_trailing_zero_decimals_are_accepted(self) -> None:
        assert str(parse_money("1.500")) == "1.50"

    def test_too_large(self) -> None:
        assert error_message(parse_money, "1,000,000,000,000") == (
            "amount must be less than 1,000,000,000,000"
        )

    @given(
        st.decimals(
            min_value=Decimal("-999999999999.99"),
            max_value=Decimal("999999999999.99"),
            places=2,
            allow_nan=False,
            allow_infinity=False,
        )
    )
    def test_round_trip_through_accounting_text(self, amount: Decimal) -> None:
        grouped = f"${abs(amount):,.2f}"
        text = f"({grouped})" if amount < 0 else grouped

        assert parse_money(text) == amount
        assert parse_money(format(amount, "f")) == amount


class TestParseScore:
    @pytest.mark.parametrize(
        ("value", "expected"),
        [
            ("0.623", Decimal("0.623")),
            ("56%", Decimal("0.56")),
            (" 56.25 % ", Decimal("0.5625")),
            ("0", Decimal("0")),
            ("1", Decimal("1")),
            (0.5, Decimal("0.5")),
            (1, Decimal("1")),
        ],
    )
    def test_accepted(self, value: object, expected: Decimal) -> None:
        assert parse_score(value) == expected  # type: ignore[arg-type]

    def test_percent_value_is_exact(self) -> None:
        assert str(parse_score("56%")) == "0.56"

    @pytest.mark.parametrize("value", ["1.5", "-0.1", "101%", 1.01])
    def test_out_of_range(self, value: object) -> None:
        assert error_message(parse_score, value) == "score must be between 0 and 1"

    def test_whole_percent_without_sign_gets_hint(self) -> None:
        assert error_message(parse_score, "56") == (
            "score must be between 0 and 1 (write 0.56 or 56%, not 56)"
        )

    def test_five_decimals_are_rejected(self) -> None:
        assert error_message(parse_score, "0.12345") == "score can have at most 4 decimal places"

    @pytest.mark.parametrize("text", ["high", "NaN", "$0.5", "%"])
    def test_not_a_number(self, text: str) -> None:
        assert error_message(parse_score, text) in {"must be a number", "a value is required"}


class TestParseNonNegativeInt:
    @pytest.mark.parametrize(
        ("value", "expected"),
        [("1,234", 1234), ("12.0", 12), (12.0, 12), (27, 27), ("0", 0), (" 2,382 ", 2382)],
    )
    def test_accepted(self, value: object, expected: int) -> None:
        parsed = parse_non_negative_int(value)  # type: ignore[arg-type]

        assert parsed == expected
        assert type(parsed) is int

    def test_negative(self) -> None:
        assert error_message(parse_non_negative_int, "-3") == "must not be negative"

    def test_fraction(self) -> None:
        assert error_message(parse_non_negative_int, "12.5") == "must be a whole number"
        assert error_message(parse_non_negative_int, 12.5) == "must be a whole number"

    def test_currency_is_rejected(self) -> None:
        assert error_message(parse_non_negative_int, "$12") == "must be a number"


class TestParseMulti:
    def test_splits_and_trims(self) -> None:
        parse = parse_multi(";")

        assert parse("Arts Programming; Literacy;;  ") == ["Arts Programming", "Literacy"]

    def test_other_separator(self) -> None:
        assert parse_multi(",")("K2, 1 ,2") == ["K2", "1", "2"]

    def test_number_cell(self) -> None:
        assert parse_multi()(7) == ["7"]

    def test_empty_separator_is_rejected(self) -> None:
        with pytest.raises(ValueError, match="separator must not be empty"):
            parse_multi("")


class TestParseEmail:
    def test_normalises_domain(self) -> None:
        assert parse_email(" Leader@Example.ORG ") == "Leader@example.org"

    @pytest.mark.parametrize("text", ["not-an-email", "a@", "@b.org", "a b@c.org"])
    def test_invalid(self, text: str) -> None:
        assert error_message(parse_email, text).startswith("must be a valid email address: ")


class TestParseChoice:
    def test_matches_like_headers(self) -> None:
        parse = parse_choice({"Yes": True, "No": False})

        assert parse(" YES ") is True
        assert parse("no") is False

    def test_unknown_lists_options(self) -> None:
        parse = parse_choice({"Yes": "yes", "No": "no", "Unknown": "unknown"})

        assert error_message(parse, "Maybe") == "must be one of: Yes, No, Unknown"


class TestLabels:
    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("School Code", "schoolcode"),
            ("school_code", "schoolcode"),
            ("  SCHOOL-CODE ", "schoolcode"),
            ("FY27 OI Score", "fy27oiscore"),
            ("École", "ecole"),
            ("Fees (Y/N)", "feesyn"),
            ("\ufeffName", "name"),
            ("Straße", "strasse"),
        ],
    )
    def test_normalise_label(self, text: str, expected: str) -> None:
        assert normalise_label(text) == expected

    def test_cell_text(self) -> None:
        assert cell_text(None) == ""
        assert cell_text(True) == "TRUE"
        assert cell_text(Decimal("1E+2")) == "100"
        assert cell_text(datetime(2027, 12, 8)) == "2027-12-08"
        assert cell_text(datetime(2027, 12, 8, 9, 30)) == "2027-12-08T09:30:00"
