"""Rasa's command line with the measured speed-ups of ops/rasa_speedups.py installed first.

    .venv/bin/python -m ops.rasa_cli test core --model … --stories tests/stories   # = rasa test core …

The Rasa server gets them from the ops channel (credentials.yml); commands without channels
(``rasa test``, ``rasa shell``) load the model through this wrapper to get the fast model load.
"""

from __future__ import annotations

import sys

from ops.rasa_speedups import (
    install_cached_action_validation,
    install_fast_model_load,
    install_shared_past_states,
    install_ted_prediction_cache,
)


def main() -> None:
    install_fast_model_load()
    install_cached_action_validation()
    install_ted_prediction_cache()
    install_shared_past_states()
    from rasa.__main__ import main as rasa_main

    sys.argv[0] = "rasa"
    rasa_main()


if __name__ == "__main__":
    main()
