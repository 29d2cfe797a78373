"""check_facts: a reworded reply may not state a figure the catalog result does not hold."""

from __future__ import annotations

from decimal import Decimal

import pytest

from rephraser.guard import check_facts, extract_facts

CATALOG = ["04465-60320", Decimal("185.00"), 4, "Toyota", "Camry", 2015]


@pytest.mark.parametrize(
    "reply",
    [
        "Good news! Brake pads 04465-60320 for your 2015 Camry: 185 AED, 4 in stock.",
        "Brake pads 0446560320 – AED 185.00 – 4 available",  # same facts, other formatting
        "فحمات فرامل ٠٤٤٦٥-٦٠٣٢٠ لكامري ٢٠١٥: ١٨٥ درهم، متوفر ٤",  # Arabic-Indic digits
        "Yes, we have them. 185AED.",
        "Yes, we have them for your Camry, want me to reserve one?",  # no figures at all
    ],
)
def test_replies_with_only_catalog_figures_pass(reply):
    assert check_facts(reply, CATALOG).ok


@pytest.mark.parametrize(
    ("reply", "culprit"),
    [
        ("Brake pads 04465-60320: 1 AED, 4 in stock.", "1"),  # hallucinated price
        ("Brake pads 04465-60320: 158 AED.", "158"),  # digits swapped
        ("Brake pads 04465-60321: 185 AED.", "04465-60321"),  # wrong part number
        ("Brake pads 04465-60320: 185 AED, 40 in stock.", "40"),  # stock figure changed
        ("Brake pads: 185 AED, 10% off today!", "10"),  # invented discount
        ("Brake pads: one hundred eighty-five dirhams", "hundred"),  # price in words
        ("الفحمات بمية وخمسين درهم", "خمسين"),  # Arabic number words
        ("Price 1,850.00 AED", "1,850.00"),
    ],
)
def test_replies_with_unknown_figures_are_rejected(reply, culprit):
    verdict = check_facts(reply, CATALOG)
    assert not verdict.ok
    assert culprit in verdict.unknown


def test_required_figures_must_survive():
    canned = "Brake pads 04465-60320: 185 AED, 4 in stock."
    verdict = check_facts("Brake pads 04465-60320 are in stock!", CATALOG, required=[canned])
    assert not verdict.ok
    assert set(verdict.missing) == {"185", "4"}


def test_facts_can_be_given_as_canned_text():
    canned = "We open 9:00 to 21:00, call 04 123 4567."
    assert check_facts("Open 9:00-21:00. Call us: 04 123 4567", [canned]).ok
    assert not check_facts("Open 8:00-21:00.", [canned]).ok


def test_extract_facts_keys():
    keys = [(f.raw, f.key) for f in extract_facts("GRJ200 1KD-FTV, 2,500.50 AED x2 ٣")]
    assert keys == [
        ("GRJ200", "GRJ200"),
        ("1KD-FTV", "1KDFTV"),
        ("2,500.50", "2500.5"),
        ("x2", "2"),
        ("٣", "3"),
    ]
