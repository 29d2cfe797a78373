"""Rasa SDK actions: thin adapters that read slots, call the ``catalog`` domain and reply.

Loaded by ``python -m rasa_sdk --actions actions``. Customer-facing copy lives in domain.yml
(English default + Arabic variation per response); these modules only pass values.
"""
