"""The YAML seed, its sync into the alias tables, loading and caching the vocabulary."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import func, select

from catalog.schema import Category, CategorySynonym, Make, MakeAlias, Model, ModelAlias
from catalog.vocabulary import SeedError, Vocabulary, VocabularyCache, load_seed, sync_vocabulary


def count(session, table) -> int:
    return session.execute(select(func.count()).select_from(table)).scalar()


def test_sync_is_idempotent(session):
    before = (count(session, MakeAlias), count(session, ModelAlias), count(session, CategorySynonym))
    assert before[0] > 0 and before[1] > 0 and before[2] > 0
    report = sync_vocabulary(session)
    session.commit()
    assert (report.aliases_added, report.arabic_names_set) == (0, 0)
    assert (count(session, MakeAlias), count(session, ModelAlias), count(session, CategorySynonym)) == before


def test_sync_creates_no_makes_models_or_categories(session):
    assert count(session, Make) == 5  # the catalog's, although the seed lists 13 makes
    assert session.execute(select(Make).where(Make.name == "Mitsubishi")).first() is None
    assert session.execute(select(Model).where(Model.name == "Fortuner")).first() is None
    assert session.execute(select(Category).where(Category.name == "Radiator")).first() is None


def test_sync_fills_arabic_names_but_never_overwrites_them(session):
    toyota = session.execute(select(Make).where(Make.name == "Toyota")).scalar_one()
    assert toyota.name_ar == "تويوتا"
    pads = session.execute(select(Category).where(Category.name == "Brake Pads")).scalar_one()
    pads.name_ar = "فحمات بريك"  # staff's own wording, e.g. from the CSV
    session.commit()
    sync_vocabulary(session)
    session.commit()
    assert pads.name_ar == "فحمات بريك"


def test_seed_entry_finds_a_catalog_name_spelled_differently(session):
    """The seed says "Land Cruiser Prado", the catalog says "Prado": aliases still attach."""
    prado = session.execute(select(Model).where(Model.name == "Prado")).scalar_one()
    aliases = {a.alias_norm for a in prado.aliases}
    assert {"برادو", "land cruiser prado", "brado"} <= aliases


def test_new_catalog_name_gets_its_aliases_on_the_next_sync(session):
    toyota = session.execute(select(Make).where(Make.name == "Toyota")).scalar_one()
    session.add(Model(make_id=toyota.id, name="Fortuner"))
    session.commit()
    assert Vocabulary.load(session).match_model("فورتشنر").value is None
    report = sync_vocabulary(session)
    session.commit()
    assert report.aliases_added > 0
    assert Vocabulary.load(session).match_model("فورتشنر").value == "Fortuner"


def test_prune_removes_spellings_taken_out_of_the_seed(session):
    seed = load_seed()
    trimmed = {
        **seed,
        "parts": {**seed["parts"], "Brake Pads": {**seed["parts"]["Brake Pads"], "arabizi": []}},
    }
    report = sync_vocabulary(session, seed=trimmed, prune=True)
    session.commit()
    assert report.aliases_removed == len(set(seed["parts"]["Brake Pads"]["arabizi"]))
    vocab = Vocabulary.load(session)
    assert vocab.match_part("fa7mat").value is None
    assert vocab.match_part("فحمات").value == "Brake Pads"


def test_vocabulary_load_reads_the_database(session):
    vocab = Vocabulary.load(session)
    m = vocab.parse("ابي فحمات لاندكروزر 2015")
    assert (m.make, m.model, m.year, m.part) == ("Toyota", "Land Cruiser", 2015, "Brake Pads")
    assert vocab.model_id("Toyota", "Land Cruiser") is not None
    assert vocab.arabic_name("part", "Brake Pads") == "فحمات فرامل"


def test_staff_alias_added_in_the_database_is_used(session):
    patrol = session.execute(select(Model).where(Model.name == "Patrol")).scalar_one()
    session.add(ModelAlias(model_id=patrol.id, alias="Nismo", alias_norm="nismo", lang="en"))
    session.commit()
    assert Vocabulary.load(session).match_model("nismo").value == "Patrol"


def test_cache_reuses_then_reloads(catalog):
    cache = VocabularyCache(catalog, ttl_seconds=300)
    first = cache.get()
    assert cache.get() is first
    with catalog() as s:
        sunny = s.execute(select(Model).where(Model.name == "Sunny")).scalar_one()
        s.add(ModelAlias(model_id=sunny.id, alias="Almera", alias_norm="almera", lang="en"))
        s.commit()
    assert cache.get().match_model("almera").value is None  # still the cached one
    cache.invalidate()
    assert cache.get().match_model("almera").value == "Sunny"


def test_cache_expires_after_ttl(catalog):
    cache = VocabularyCache(catalog, ttl_seconds=0.05)
    first = cache.get()
    time.sleep(0.06)
    assert cache.get() is not first


def test_seed_shape_for_the_nlu_export():
    seed = load_seed()
    assert set(seed) == {"makes", "models", "parts"}
    assert "تويوتا" in seed["makes"]["Toyota"]["ar"]
    assert seed["models"]["Toyota"]["Rush"]["needs_make"] is True
    assert "fa7mat" in seed["parts"]["Brake Pads"]["arabizi"]
    for spellings in seed["parts"].values():
        assert set(spellings) == {"ar", "en", "arabizi", "needs_make"}


def test_malformed_seed_is_reported_with_the_entry(tmp_path):
    (tmp_path / "makes.yml").write_text("Toyota:\n  ar: تويوتا\n  english: [toyta]\n", encoding="utf-8")
    with pytest.raises(SeedError, match="makes.yml: Toyota.*english"):
        load_seed(tmp_path)
    (tmp_path / "makes.yml").write_text("Toyota: [\n", encoding="utf-8")
    with pytest.raises(SeedError, match="not valid YAML"):
        load_seed(tmp_path)


def test_single_string_instead_of_a_list_is_accepted(tmp_path):
    (tmp_path / "makes.yml").write_text("Toyota:\n  ar: تويوتا\n", encoding="utf-8")
    assert load_seed(tmp_path)["makes"]["Toyota"]["ar"] == ["تويوتا"]


def test_vocabulary_from_seed_alone():
    vocab = Vocabulary.from_seed()
    assert vocab.match_model("pajero").value == "Pajero"
    assert vocab.match_make("ميتسوبيشي").value == "Mitsubishi"


def test_staff_command_syncs_and_parses(catalog, database_url):
    from typer.testing import CliRunner

    from catalog_loader.cli import app

    runner = CliRunner()
    synced = runner.invoke(app, ["vocabulary", "sync", "--database-url", database_url])
    assert synced.exit_code == 0 and "aliases added 0" in synced.output  # already synced by the fixture
    parsed = runner.invoke(app, ["vocabulary", "parse", "فحمات لبرادو 2015", "--database-url", database_url])
    assert parsed.exit_code == 0
    out = parsed.output
    assert "model='Prado'" in out and "part='Brake Pads'" in out and "year=2015" in out
