"""English, Arabic and Arabizi as customers of a Dubai parts shop write them."""

from __future__ import annotations

import pytest

from insights.language import ARABIC, ARABIZI, ENGLISH, conversation_language, detect_language


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("need brake pads for my 2015 land cruiser", ENGLISH),
        ("price of lx570 oil filter?", ENGLISH),  # a model code is not Arabizi
        ("rav4 x5 f-150 cr-v pads", ENGLISH),
        ("3rd gen prado headlight", ENGLISH),  # an ordinal is not Arabizi
        ("2k19 camry radiator", ENGLISH),
        ("salam, since the oman trip my cruiser squeaks at the roundabout, can u sort", ENGLISH),
        ("ابي فحمات لاندكروزر 2015", ARABIC),
        ("عندكم رديتر باترول ٢٠١٨؟", ARABIC),
        ("need فحمات for lc", ARABIC),  # any Arabic letters: the customer reads Arabic
        ("abi fa7mat patrol 2018", ARABIZI),
        ("3ndk filter zait?", ARABIZI),
        ("kam el se3r w ab8ah", ARABIZI),
        ("shlonak, abi radiator for my patrol", ARABIZI),
        ("salam", ARABIZI),
    ],
)
def test_language_of_a_message(text, language):
    assert detect_language(text) == language


@pytest.mark.parametrize("text", ["2015", "  ", "", '/choose_part{"sku":"X"}', "👍"])
def test_no_language_in_numbers_taps_and_emoji(text):
    assert detect_language(text) is None


def test_a_conversation_takes_the_language_of_most_messages():
    assert conversation_language(["abi fa7mat", "patrol", "2018", "ok"]) == ENGLISH  # 1 Arabizi vs 2 English
    assert conversation_language(["abi fa7mat", "3ndk patrol?", "ok"]) == ARABIZI
    assert conversation_language(["ابي فحمات", "lc", "2015"]) == ARABIC  # "lc" alone is a tie → Arabic
    assert conversation_language([]) == ENGLISH
