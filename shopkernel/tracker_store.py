"""The layout of Rasa's SQL tracker store, for every reader of it (console, live feed, review).

Rasa's ``SQLTrackerStore`` (rasa/core/tracker_store.py, ``SQLEvent``) writes one row per event
to ``events``: ``id`` (autoincrement), ``sender_id``, ``type_name``, ``timestamp``,
``intent_name``, ``action_name`` and ``data`` (the event as JSON). Only Rasa writes it; the
web service and the review read it, without importing Rasa.
"""

from __future__ import annotations

from sqlalchemy import Column, Float, Integer, MetaData, String, Table, Text

metadata = MetaData()

EVENTS = Table(
    "events",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("sender_id", String(255), nullable=False),
    Column("type_name", String(255), nullable=False),
    Column("timestamp", Float),
    Column("intent_name", String(255)),
    Column("action_name", String(255)),
    Column("data", Text),
)
