"""Offline speech to text with PocketSphinx, run as its own process.

PocketSphinx holds the GIL while it decodes (measured: the event loop got 7 ticks in 9 s), so
running it in a thread would freeze the web server. ``python -m media.sphinx_worker`` reads
16 kHz mono s16le PCM on stdin and prints ``{"text": ...}``; the caller kills it at its
deadline. The US-English acoustic model and language model ship inside the pocketsphinx
wheel: nothing is downloaded.
"""

from __future__ import annotations

import json
import sys


def transcribe_pcm(pcm: bytes) -> str:
    from pocketsphinx import Decoder

    decoder = Decoder(samprate=16000, loglevel="FATAL")
    decoder.start_utt()
    decoder.process_raw(pcm, full_utt=True)
    decoder.end_utt()
    hyp = decoder.hyp()
    return hyp.hypstr if hyp is not None else ""


def main() -> int:
    pcm = sys.stdin.buffer.read()
    json.dump({"text": transcribe_pcm(pcm)}, sys.stdout)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
