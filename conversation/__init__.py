"""Conversation decisions in plain Python (no Rasa): what a message means in the current state.

The Rasa adapters in ``actions/`` read the tracker, call these functions and turn what they
return into events and responses. Word lists live in
``catalog/vocabulary/conversation_words.yml`` (see ``words.py``).
"""
