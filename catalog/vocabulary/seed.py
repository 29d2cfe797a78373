"""The staff-editable spellings (``makes.yml``, ``models.yml``, ``parts.yml``): reading and checking."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

SEED_DIR = Path(__file__).resolve().parent
LANGS = ("en", "ar", "arabizi")


class SeedError(ValueError):
    """The YAML seed is malformed; the message names the file and the entry."""


def load_seed(directory: Path | str | None = None) -> dict:
    """Read and validate ``makes.yml``, ``models.yml`` and ``parts.yml``.

    Shape: ``{"makes": {make: spellings}, "models": {make: {model: spellings}},
    "parts": {category: spellings}}`` where spellings is ``{"ar": [...], "en": [...],
    "arabizi": [...], "needs_make": bool}`` (lists always present, strings stripped).
    """
    directory = Path(directory) if directory else SEED_DIR
    files = [directory / f"{name}.yml" for name in ("makes", "models", "parts")]
    stamp = tuple((str(f), f.stat().st_mtime_ns) for f in files if f.exists())
    return _load_seed_cached(stamp, str(directory))


@lru_cache(maxsize=4)
def _load_seed_cached(stamp: tuple, directory: str) -> dict:
    folder = Path(directory)
    makes = _read_yaml(folder / "makes.yml")
    models = _read_yaml(folder / "models.yml")
    parts = _read_yaml(folder / "parts.yml")
    return {
        "makes": {str(k): _spellings(v, f"makes.yml: {k}") for k, v in makes.items()},
        "models": {
            str(make): {
                str(model): _spellings(v, f"models.yml: {make} / {model}")
                for model, v in _mapping(entries, f"models.yml: {make}").items()
            }
            for make, entries in models.items()
        },
        "parts": {str(k): _spellings(v, f"parts.yml: {k}") for k, v in parts.items()},
    }


def _read_yaml(path: Path) -> dict:
    if not path.exists():
        return {}
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=loader)  # noqa: S506 - safe loader
    except yaml.YAMLError as exc:
        raise SeedError(f"{path.name}: not valid YAML ({exc})") from exc
    return _mapping(data or {}, path.name)


def _mapping(value: object, where: str) -> dict:
    if not isinstance(value, dict):
        raise SeedError(f"{where}: expected a mapping of names, got {type(value).__name__}")
    return value


def _spellings(value: object, where: str) -> dict:
    value = _mapping(value or {}, where)
    unknown = set(value) - {*LANGS, "needs_make"}
    if unknown:
        raise SeedError(f"{where}: unknown key(s) {sorted(unknown)}; use en, ar, arabizi, needs_make")
    out: dict = {"needs_make": bool(value.get("needs_make", False))}
    for lang in LANGS:
        items = value.get(lang) or []
        if isinstance(items, str):
            items = [items]
        if not isinstance(items, list):
            raise SeedError(f"{where}: '{lang}' must be a list like [word, other word]")
        out[lang] = [str(item).strip() for item in items if str(item).strip()]
    return out
