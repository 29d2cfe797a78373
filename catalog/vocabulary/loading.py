"""Where a vocabulary's names and spellings come from: the catalog database, or the YAML seed.

Both return :class:`VocabularyInputs`, the keyword arguments of
:class:`catalog.vocabulary.matching.Vocabulary`, so loading never depends on matching.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from catalog.normalize import normalize_text
from catalog.schema import Category, CategorySynonym, Fitment, Make, MakeAlias, Model, ModelAlias
from catalog.vocabulary.seed import LANGS, load_seed


@dataclass
class VocabularyInputs:
    """Names with their aliases, database ids and Arabic display names."""

    makes: dict[str, list[str]]
    models: dict[tuple[str, str], list[str]]
    categories: dict[str, list[str]]
    ids: dict[tuple[str, ...], int] = field(default_factory=dict)
    arabic_names: dict[tuple[str, ...], str] = field(default_factory=dict)
    needs_make: set[tuple[str, str]] = field(default_factory=set)
    # (make, model) -> the year spans its parts fit, merged: [(2008, 2026), ...]
    model_years: dict[tuple[str, str], list[tuple[int, int]]] = field(default_factory=dict)


def from_database(session: Session, seed: dict | None = None) -> VocabularyInputs:
    """Read makes, models, categories and every alias from the database (six small queries)."""
    seed = load_seed() if seed is None else seed
    makes = {row.id: row for row in session.execute(select(Make.id, Make.name, Make.name_ar))}
    models = {
        row.id: row for row in session.execute(select(Model.id, Model.make_id, Model.name, Model.name_ar))
    }
    cats = {row.id: row for row in session.execute(select(Category.id, Category.name, Category.name_ar))}
    make_aliases: dict[str, list[str]] = {row.name: [] for row in makes.values()}
    for make_id, alias in session.execute(select(MakeAlias.make_id, MakeAlias.alias)):
        make_aliases[makes[make_id].name].append(alias)
    model_aliases: dict[tuple[str, str], list[str]] = {
        (makes[row.make_id].name, row.name): [] for row in models.values()
    }
    for model_id, alias in session.execute(select(ModelAlias.model_id, ModelAlias.alias)):
        row = models[model_id]
        model_aliases[(makes[row.make_id].name, row.name)].append(alias)
    cat_aliases: dict[str, list[str]] = {row.name: [] for row in cats.values()}
    for cat_id, term in session.execute(select(CategorySynonym.category_id, CategorySynonym.term)):
        cat_aliases[cats[cat_id].name].append(term)
    # The Arabic display names are spellings too.
    for row in makes.values():
        if row.name_ar:
            make_aliases[row.name].append(row.name_ar)
    for row in models.values():
        if row.name_ar:
            model_aliases[(makes[row.make_id].name, row.name)].append(row.name_ar)
    for row in cats.values():
        if row.name_ar:
            cat_aliases[row.name].append(row.name_ar)
    ids: dict[tuple[str, ...], int] = {("make", r.name): i for i, r in makes.items()}
    ids.update({("model", makes[r.make_id].name, r.name): i for i, r in models.items()})
    ids.update({("part", r.name): i for i, r in cats.items()})
    arabic: dict[tuple[str, ...], str] = {("make", r.name): r.name_ar for r in makes.values() if r.name_ar}
    arabic.update({("model", makes[r.make_id].name, r.name): r.name_ar for r in models.values() if r.name_ar})
    arabic.update({("part", r.name): r.name_ar for r in cats.values() if r.name_ar})
    spans: dict[tuple[str, str], list[tuple[int, int]]] = {}
    stmt = select(Fitment.model_id, Fitment.year_from, Fitment.year_to).distinct()
    for model_id, first, last in session.execute(stmt):
        row = models.get(model_id)
        if row is not None:
            spans.setdefault((makes[row.make_id].name, row.name), []).append((first, last))
    return VocabularyInputs(
        make_aliases,
        model_aliases,
        cat_aliases,
        ids=ids,
        arabic_names=arabic,
        needs_make=needs_make(seed, model_aliases),
        model_years={key: merge_spans(value) for key, value in spans.items()},
    )


def merge_spans(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Touching or overlapping year spans become one: (2008, 2014) + (2015, 2021) -> (2008, 2021)."""
    merged: list[list[int]] = []
    for first, last in sorted(spans):
        if merged and first <= merged[-1][1] + 1:
            merged[-1][1] = max(merged[-1][1], last)
        else:
            merged.append([first, last])
    return [(a, b) for a, b in merged]


def from_seed(seed: dict | None = None) -> VocabularyInputs:
    """Names and spellings straight from the YAML (no database): for the NLU export and tools."""
    seed = load_seed() if seed is None else seed

    def spellings(spell: dict) -> list[str]:
        return [t for lang in LANGS for t in spell.get(lang, [])]

    makes = {name: spellings(sp) for name, sp in seed.get("makes", {}).items()}
    models = {
        (make, model): spellings(sp)
        for make, entries in seed.get("models", {}).items()
        for model, sp in entries.items()
    }
    for make, _ in models:
        makes.setdefault(make, [])
    cats = {name: spellings(sp) for name, sp in seed.get("parts", {}).items()}
    return VocabularyInputs(makes, models, cats, needs_make=needs_make(seed, dict.fromkeys(models, [])))


def needs_make(seed: dict, models: dict[tuple[str, str], list[str]]) -> set[tuple[str, str]]:
    """Models flagged ``needs_make`` in the seed (a name like "ES" is a model only after "Lexus")."""
    flagged = set()
    by_norm = {(normalize_text(make), normalize_text(model)): (make, model) for make, model in models}
    for make, entries in seed.get("models", {}).items():
        for model, spell in entries.items():
            if spell.get("needs_make"):
                key = (normalize_text(make), normalize_text(model))
                if key in by_norm:
                    flagged.add(by_norm[key])
    return flagged
