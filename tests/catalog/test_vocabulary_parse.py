"""How customers really write: English, Gulf Arabic, Arabizi, typos, codes, numbers.

Each case is (message, make, model, year, part, part_number) as the shop would read it.
The vocabulary comes from a real catalog synced with the YAML seed (see conftest).
"""

from __future__ import annotations

import pytest

N = None
CASES = [
    # English
    ("need brake pads for my 2015 land cruiser", "Toyota", "Land Cruiser", 2015, "Brake Pads", N),
    ("Brake pads Land Cruiser 2015", "Toyota", "Land Cruiser", 2015, "Brake Pads", N),
    ("do you have oil filter for camry 2014?", "Toyota", "Camry", 2014, "Oil Filter", N),
    ("front shocks prado 2012", "Toyota", "Prado", 2012, "Shock Absorber", N),
    ("spark plugs lexus es 2016", "Lexus", "ES", 2016, "Spark Plugs", N),
    ("Patrol Y62 2019 brake pads", "Nissan", "Patrol", 2019, "Brake Pads", N),
    ("LC200 2012 cabin filter", "Toyota", "Land Cruiser", 2012, "Cabin Filter", N),
    ("lc 200 rotors", "Toyota", "Land Cruiser", N, "Brake Discs", N),
    ("battery for sunny 2017 please", "Nissan", "Sunny", 2017, "Battery", N),
    ("wipers accent 2015", "Hyundai", "Accent", 2015, "Wiper Blades", N),
    ("dynamo for land cruiser 2010", "Toyota", "Land Cruiser", 2010, "Alternator", N),
    ("hilux 2018 air cleaner", "Toyota", "Hilux", 2018, "Air Filter", N),
    ("camry 2020 front bumper", "Toyota", "Camry", 2020, "Front Bumper", N),
    ("toyota rush 2019 battery", "Toyota", "Rush", 2019, "Battery", N),
    # typos
    ("toyta landcrusier 2016 oil filtr", "Toyota", "Land Cruiser", 2016, "Oil Filter", N),
    ("break pads for nisan patrl 2018", "Nissan", "Patrol", 2018, "Brake Pads", N),
    ("land cruser 2014 brake pds", "Toyota", "Land Cruiser", 2014, "Brake Pads", N),
    ("shok absorber prado", "Toyota", "Prado", N, "Shock Absorber", N),
    ("camri 2013 spark plug", "Toyota", "Camry", 2013, "Spark Plugs", N),
    ("hyundia elantra 2019 battary", "Hyundai", "Elantra", 2019, "Battery", N),
    ("oil filter for corola 2016", "Toyota", "Corolla", 2016, "Oil Filter", N),
    ("alternater patrol 2012", "Nissan", "Patrol", 2012, "Alternator", N),
    # Arabic
    ("ابي فحمات لاندكروزر 2015", "Toyota", "Land Cruiser", 2015, "Brake Pads", N),
    ("فحمات للاندكروزر موديل 2015", "Toyota", "Land Cruiser", 2015, "Brake Pads", N),
    ("عندكم فلتر دهن لبرادو ٢٠١٢؟", "Toyota", "Prado", 2012, "Oil Filter", N),
    ("فلتر زيت كامري 2018", "Toyota", "Camry", 2018, "Oil Filter", N),
    ("بواجي كامري ٢٠١٥", "Toyota", "Camry", 2015, "Spark Plugs", N),
    ("مساعدات صني 2016", "Nissan", "Sunny", 2016, "Shock Absorber", N),
    ("دينمو باترول 2014", "Nissan", "Patrol", 2014, "Alternator", N),
    ("طرمبة بنزين باترول 2005", "Nissan", "Patrol", 2005, "Fuel Pump", N),
    ("طرمبة ماء لاند كروزر 2011", "Toyota", "Land Cruiser", 2011, "Water Pump", N),
    ("بطارية اكسنت 2014", "Hyundai", "Accent", 2014, "Battery", N),
    ("مساحات ريو 2015", "Kia", "Rio", 2015, "Wiper Blades", N),
    ("ديسك فرامل لاندكروزر", "Toyota", "Land Cruiser", N, "Brake Discs", N),
    ("صدام كامري ٢٠١٩", "Toyota", "Camry", 2019, "Front Bumper", N),
    ("السلام عليكم ابغى فلتر مكيف حق اللاندكروزر ٢٠١٣", "Toyota", "Land Cruiser", 2013, "Cabin Filter", N),
    ("والفحمات حق التيما 2017", "Nissan", "Altima", 2017, "Brake Pads", N),
    ("فحمات هايلكس", "Toyota", "Hilux", N, "Brake Pads", N),
    # Arabizi
    ("abi fa7mat patrol 2018", "Nissan", "Patrol", 2018, "Brake Pads", N),
    ("3ndkm msa3dat prado 2015?", "Toyota", "Prado", 2015, "Shock Absorber", N),
    ("filter zait camry 2016", "Toyota", "Camry", 2016, "Oil Filter", N),
    ("bawaji land cruiser 2012", "Toyota", "Land Cruiser", 2012, "Spark Plugs", N),
    ("abgha dinamo batrol", "Nissan", "Patrol", N, "Alternator", N),
    ("fahmat lc200 model 15", "Toyota", "Land Cruiser", 2015, "Brake Pads", N),
    # glued and mixed
    ("patrol2018 shocks", "Nissan", "Patrol", 2018, "Shock Absorber", N),
    ("Land Cruiser 2015-2018 brake pads", "Toyota", "Land Cruiser", 2015, "Brake Pads", N),
    ("فحمات Land Cruiser 2015", "Toyota", "Land Cruiser", 2015, "Brake Pads", N),
    # part numbers in every format
    ("04465-60320", N, N, N, N, "04465-60320"),
    ("price for 04465 60320 pls", N, N, N, N, "04465 60320"),
    ("0446560320 available?", N, N, N, N, "0446560320"),
    ("كم سعر ٠٤٤٦٥-٦٠٣٢٠", N, N, N, N, "04465-60320"),
    ("90915-YZZD1 for camry 2015", "Toyota", "Camry", 2015, N, "90915-YZZD1"),
    # nothing to find
    ("yes", N, N, N, N, N),
    ("hello", N, N, N, N, N),
    ("شكرا", N, N, N, N, N),
]


@pytest.mark.parametrize(
    ("text", "make", "model", "year", "part", "number"), CASES, ids=[c[0] for c in CASES]
)
def test_parse_reads_the_message_like_a_salesman(sqlite_vocab, text, make, model, year, part, number):
    m = sqlite_vocab.parse(text)
    assert (m.make, m.model, m.year, m.part if m.part_matched else None, m.part_number) == (
        make,
        model,
        year,
        part,
        number,
    )


def test_cruiser_alone_is_ambiguous_not_a_guess(sqlite_vocab):
    m = sqlite_vocab.match_model("cruiser")
    assert m.value is None
    assert {"Land Cruiser", "Prado", "FJ Cruiser"} <= set(m.candidates)


def test_parse_reports_model_candidates_when_ambiguous(sqlite_vocab):
    m = sqlite_vocab.parse("cruiser brake pads 2015")
    assert m.model is None and m.part == "Brake Pads" and m.year == 2015
    assert "Land Cruiser" in m.model_candidates and "Prado" in m.model_candidates


def test_make_narrows_an_ambiguous_word(sqlite_vocab):
    assert sqlite_vocab.match_model("lexus lx").value == "LX570"


@pytest.mark.parametrize("text", ["yes", "es?", "is it", "x", "ok thanks", "same", "rushing"])
def test_short_words_never_become_models_by_fuzz(sqlite_vocab, text):
    m = sqlite_vocab.match_model(text)
    # "es" alone is the Lexus ES; nothing else here may turn into a model
    if text == "es?":
        assert (m.value, m.make) == ("ES", "Lexus")
    else:
        assert m.value is None


def test_ordinary_word_model_needs_its_make(sqlite_vocab):
    assert sqlite_vocab.parse("in a rush, need battery").model is None
    assert sqlite_vocab.match_model("rush", make="Toyota").value == "Rush"
    assert sqlite_vocab.match_model("kia rio").value == "Rio"


def test_model_gives_the_make(sqlite_vocab):
    m = sqlite_vocab.match_model("patrol")
    assert (m.value, m.make) == ("Patrol", "Nissan")


def test_model_wins_over_a_wrong_make(sqlite_vocab):
    m = sqlite_vocab.parse("nissan land cruiser brake pads")
    assert (m.make, m.model) == ("Toyota", "Land Cruiser")


def test_typo_below_cutoff_is_only_a_suggestion(sqlite_vocab):
    m = sqlite_vocab.match_model("petrol")  # the fuel, not the Nissan: ask, don't assume
    assert m.value is None
    assert m.candidates == ("Patrol",)
    assert 70 <= m.score < 85


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("filter", {"Oil Filter", "Air Filter", "Cabin Filter"}),
        ("فلتر", {"Oil Filter", "Air Filter", "Cabin Filter"}),
        ("brake", {"Brake Pads", "Brake Discs"}),
        ("طرمبة", {"Fuel Pump", "Water Pump"}),
    ],
)
def test_generic_part_word_offers_choices(sqlite_vocab, text, expected):
    m = sqlite_vocab.match_part(text)
    assert m.value is None
    assert expected <= set(m.candidates)


@pytest.mark.parametrize(
    ("text", "make"),
    [("toyta", "Toyota"), ("تويوتا", "Toyota"), ("نيسان", "Nissan"), ("nisan", "Nissan"),
     ("my car is a hyundai", "Hyundai"), ("لكزس", "Lexus"), ("KIA", "Kia")],
)  # fmt: skip
def test_match_make(sqlite_vocab, text, make):
    assert sqlite_vocab.match_make(text).value == make


def test_free_part_text_is_kept_when_no_category_matches(sqlite_vocab):
    m = sqlite_vocab.parse("do you have side step for patrol 2015")
    assert (m.model, m.year) == ("Patrol", 2015)
    assert m.part == "side step" and not m.part_matched


def test_position_words_stay_in_part_text(sqlite_vocab):
    m = sqlite_vocab.parse("front brake pads land cruiser 2015")
    assert m.part == "Brake Pads" and m.part_text == "front brake pads"


def test_condition_is_read(sqlite_vocab):
    assert sqlite_vocab.parse("genuine brake pads patrol").condition == "genuine"
    assert sqlite_vocab.parse("فحمات مستعمل لاندكروزر").condition == "used"
    assert sqlite_vocab.parse("فحمات تجاري").condition == "aftermarket"


def test_two_digit_number_is_not_a_year_without_a_year_word(sqlite_vocab):
    assert sqlite_vocab.parse("land cruiser 70 brake pads").year is None
    assert sqlite_vocab.parse("land cruiser 70 brake pads").model == "Land Cruiser 70"
    assert sqlite_vocab.parse("prado model 12").year == 2012
    assert sqlite_vocab.parse("prado موديل ٩٨").year == 1998


def test_phone_number_is_not_a_part_number(sqlite_vocab):
    assert sqlite_vocab.parse("call me 0501234567 for brake pads").part_number is None
    assert sqlite_vocab.parse("whatsapp +971501234567").part_number is None


def test_lists_come_from_the_catalog(sqlite_vocab):
    assert "Land Cruiser" in sqlite_vocab.models_for("Toyota")
    assert sqlite_vocab.models_for("toyta") == sqlite_vocab.models_for("Toyota")
    assert "Patrol" not in sqlite_vocab.models_for("Toyota")
    assert "Brake Pads" in sqlite_vocab.categories()
    assert sqlite_vocab.makes() == sorted(sqlite_vocab.makes())
    # seeded but not in this catalog: never offered
    assert "Mitsubishi" not in sqlite_vocab.makes()
    assert sqlite_vocab.match_model("pajero").value is None
