"""How messy-but-unambiguous values from real exports are read, and which are refused."""

from __future__ import annotations

from decimal import Decimal

import pytest

from catalog.csv_format import (
    MappingError,
    RowError,
    parse_condition,
    parse_mapping,
    parse_price,
    parse_stock,
    parse_years,
)


@pytest.mark.parametrize(
    ("text", "price"),
    [
        ("350", "350.00"),
        ("1,250.00", "1250.00"),
        ("AED 350", "350.00"),
        ("350 AED", "350.00"),
        ("350 dhs", "350.00"),
        ("12,345,678.5", "12345678.50"),
        ("0", "0.00"),
    ],
)
def test_prices_shops_write(text, price):
    assert parse_price(text) == Decimal(price)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "missing price_aed"),
        ("abc", "is not a number"),
        ("1.250,00", "is not a number"),  # European decimal comma: ambiguous, refused
        ("12,50", "is not a number"),
        ("-5", "is negative"),
        ("9.999", "more than two decimals"),
        ("NaN", "is not a number"),
    ],
)
def test_prices_refused(text, reason):
    with pytest.raises(RowError, match=reason):
        parse_price(text)


@pytest.mark.parametrize(("text", "stock"), [("", 0), ("7", 7), ("7.0", 7), ("1,200", 1200)])
def test_stock(text, stock):
    assert parse_stock(text) == stock


@pytest.mark.parametrize("text", ["-1", "2.5", "many", "3 pcs"])
def test_stock_refused(text):
    with pytest.raises(RowError):
        parse_stock(text)


@pytest.mark.parametrize(
    ("text", "condition"),
    [("Genuine", "genuine"), (" OEM ", "oem"), ("After Market", "aftermarket"), ("USED", "used"),
     ("وكالة", "genuine"), ("مستعمل", "used")],
)  # fmt: skip
def test_condition_variants(text, condition):
    assert parse_condition(text) == condition


@pytest.mark.parametrize(
    ("text", "years"),
    [
        ("2008-2015", (2008, 2015)),
        ("2008 - 2015", (2008, 2015)),
        ("2008–2015", (2008, 2015)),
        ("2008 to 2015", (2008, 2015)),
        ("2015", (2015, 2015)),
        ("2022+", (2022, 2027)),
        ("2022-present", (2022, 2027)),
    ],
)
def test_years_column(text, years):
    assert parse_years(text, max_year=2027) == years


@pytest.mark.parametrize("text", ["", "08-15", "2008-15", "since 2008"])
def test_years_column_refused(text):
    with pytest.raises(RowError):
        parse_years(text, max_year=2027)


def test_mapping_text():
    assert parse_mapping("Item Code=sku, Description = name,Fits=Years") == {
        "Item Code": "sku",
        "Description": "name",
        "Fits": "years",
    }
    with pytest.raises(MappingError, match="not of the form"):
        parse_mapping("Item Code")
    with pytest.raises(MappingError, match="several columns are mapped to sku"):
        parse_mapping("A=sku,B=sku")
