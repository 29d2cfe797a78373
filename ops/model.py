"""The trained Rasa model: trained only when its inputs changed (``python -m ops.model``).

    .venv/bin/python -m ops.model               # train if needed, print the path
    .venv/bin/python -m ops.model --print-path  # only print where the model is/will be
    .venv/bin/python -m ops.model --force       # retrain even if cached

The cache key is a SHA-256 of config.yml, domain.yml, every file under data/ (path and bytes)
and the installed Rasa version; the model is ``.cache/models/<key>.tar.gz``. Concurrent callers
(the test suite, the run script) wait on a lock file instead of training twice.
"""

from __future__ import annotations

import argparse
import fcntl
import hashlib
import os
import subprocess
import sys
import time
from importlib.metadata import version
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / ".cache" / "models"
KEEP = 3  # cached models kept (newest first)


class TrainingError(RuntimeError):
    """``rasa train`` failed; the message holds the end of its output."""


def training_inputs(root: Path = ROOT) -> list[Path]:
    files = [root / "config.yml", root / "domain.yml"]
    files += sorted(p for p in (root / "data").rglob("*") if p.is_file() and not p.name.startswith("."))
    return files


def model_key(root: Path = ROOT) -> str:
    digest = hashlib.sha256()
    digest.update(f"rasa={version('rasa')}\n".encode())
    for path in training_inputs(root):
        digest.update(str(path.relative_to(root)).encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def model_path(root: Path = ROOT) -> Path:
    return CACHE / f"{model_key(root)}.tar.gz"


def ensure_model(force: bool = False, quiet: bool = False) -> Path:
    """The trained model for the current inputs, training it first if needed."""
    target = model_path()
    if target.exists() and not force:
        return target
    CACHE.mkdir(parents=True, exist_ok=True)
    with (CACHE / ".train.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another process may be training the same model
        if target.exists() and not force:
            return target
        _train(target, quiet)
    _prune()
    return target


def _train(target: Path, quiet: bool) -> None:
    env = dict(os.environ, RASA_TELEMETRY_ENABLED="false", SQLALCHEMY_SILENCE_UBER_WARNING="1")
    rasa = Path(sys.executable).with_name("rasa")
    cmd = [
        str(rasa), "train",
        "--config", "config.yml", "--domain", "domain.yml", "--data", "data",
        "--out", str(target.parent), "--fixed-model-name", target.name[: -len(".tar.gz")],
    ]  # fmt: skip
    started = time.monotonic()
    if not quiet:
        print(f"training {target.name} (inputs changed) ...", file=sys.stderr, flush=True)
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)  # noqa: S603
    if proc.returncode != 0 or not target.exists():
        tail = "\n".join((proc.stdout + proc.stderr).splitlines()[-40:])
        raise TrainingError(f"rasa train failed (exit {proc.returncode}):\n{tail}")
    if not quiet:
        print(f"trained in {time.monotonic() - started:.0f} s: {target}", file=sys.stderr, flush=True)


def _prune() -> None:
    models = sorted(CACHE.glob("*.tar.gz"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in models[KEEP:]:
        old.unlink(missing_ok=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--print-path", action="store_true", help="print the model path, do not train")
    parser.add_argument("--force", action="store_true", help="retrain even when a cached model exists")
    args = parser.parse_args(argv)
    if args.print_path:
        print(model_path())
        return 0
    try:
        print(ensure_model(force=args.force))
    except TrainingError as exc:
        print(exc, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
