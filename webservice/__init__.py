"""The shop's web service: the public parts API (``/api/v1``) and the staff console (``/console``).

One process beside the Rasa server (never inside it: Rasa pins Sanic and its own CORS). It imports
the domain packages (``catalog``) and talks to Rasa over its authenticated HTTP API; it never
imports ``actions`` or Rasa itself. Start it with ``python -m webservice`` (``./scripts/run`` does).
"""
