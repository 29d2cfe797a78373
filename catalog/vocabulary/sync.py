"""Copy the staff-editable spellings (the YAML seed) into the catalog's alias tables."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from catalog.normalize import normalize_text, singular
from catalog.schema import Category, CategorySynonym, Make, MakeAlias, Model, ModelAlias
from catalog.vocabulary.seed import LANGS, load_seed


@dataclass
class SyncReport:
    """What :func:`sync_vocabulary` changed (all zero on a second run)."""

    aliases_added: int = 0
    aliases_removed: int = 0
    arabic_names_set: int = 0
    unmatched: list[str] = field(default_factory=list)  # seed names the catalog does not have


def sync_vocabulary(session: Session, seed: dict | None = None, prune: bool = False) -> SyncReport:
    """Copy the YAML spellings into the alias tables for what the catalog has. Idempotent.

    Creates no makes, models or categories. Fills ``name_ar`` only where it is empty (an Arabic
    name from the CSV wins). With ``prune`` also deletes aliases of seeded names that are no
    longer in the YAML (how staff remove a bad spelling). Flushes; the caller commits.
    """
    seed = load_seed() if seed is None else seed
    report = SyncReport()
    makes = list(session.execute(select(Make)).scalars())
    make_by_key = _by_key(makes, lambda m: m.name)
    for seed_name, spell in seed.get("makes", {}).items():
        make = _find(make_by_key, seed_name, spell)
        if make is None:
            report.unmatched.append(f"make {seed_name}")
            continue
        _sync_one(session, make, seed_name, spell, MakeAlias, "make_id", "alias", report, prune)
    models = list(session.execute(select(Model)).scalars())
    for seed_make, entries in seed.get("models", {}).items():
        make = _find(make_by_key, seed_make, seed.get("makes", {}).get(seed_make, {}))
        if make is None:
            continue
        by_key = _by_key([m for m in models if m.make_id == make.id], lambda m: m.name)
        for seed_name, spell in entries.items():
            model = _find(by_key, seed_name, spell)
            if model is None:
                report.unmatched.append(f"model {seed_make} {seed_name}")
                continue
            _sync_one(session, model, seed_name, spell, ModelAlias, "model_id", "alias", report, prune)
    cats = list(session.execute(select(Category)).scalars())
    cat_by_key = _by_key(cats, lambda c: c.name)
    for seed_name, spell in seed.get("parts", {}).items():
        cat = _find(cat_by_key, seed_name, spell)
        if cat is None:
            report.unmatched.append(f"category {seed_name}")
            continue
        _sync_one(session, cat, seed_name, spell, CategorySynonym, "category_id", "term", report, prune)
    session.flush()
    return report


def _match_key(text: str) -> str:
    return "".join(singular(w) for w in normalize_text(text).split())


def _by_key(rows: list, name: Callable) -> dict[str, object]:
    return {_match_key(name(r)): r for r in rows}


def _find(by_key: dict, seed_name: str, spell: dict):  # noqa: ANN202 - returns an ORM row
    """The catalog row for a seed entry: by its name, else by an English spelling of it."""
    for text in (seed_name, *spell.get("en", [])):
        row = by_key.get(_match_key(text))
        if row is not None:
            return row
    return None


def _sync_one(
    session: Session,
    row,  # noqa: ANN001 - Make | Model | Category
    seed_name: str,
    spell: dict,
    alias_cls: type,
    fk: str,
    column: str,
    report: SyncReport,
    prune: bool,
) -> None:
    ar = spell.get("ar", [])
    if ar and not row.name_ar:
        row.name_ar = ar[0][:64]
        report.arabic_names_set += 1
    wanted: dict[str, tuple[str, str]] = {}
    own = normalize_text(row.name)
    spellings = [(seed_name, "en")] + [(text, lang) for lang in LANGS for text in spell.get(lang, [])]
    for text, lang in spellings:
        norm = normalize_text(text)[:64]
        if norm and norm != own and norm not in wanted:
            wanted[norm] = (text[:64], lang)
    existing = {
        r.alias_norm if hasattr(r, "alias_norm") else r.term_norm: r
        for r in session.execute(select(alias_cls).where(getattr(alias_cls, fk) == row.id)).scalars()
    }
    norm_col = "alias_norm" if column == "alias" else "term_norm"
    for norm, (text, lang) in wanted.items():
        if norm not in existing:
            session.add(alias_cls(**{fk: row.id, column: text, norm_col: norm, "lang": lang}))
            report.aliases_added += 1
    if prune:
        stale = [r.id for norm, r in existing.items() if norm not in wanted]
        if stale:
            session.execute(delete(alias_cls).where(alias_cls.id.in_(stale)))
            report.aliases_removed += len(stale)
