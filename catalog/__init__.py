"""The shop's catalog domain: schema, search, vehicle identification and leads.

Plain Python on SQLAlchemy; imports nothing from Rasa, actions or connectors, so
it is unit-testable on its own and shared by ``actions/`` and ``catalog_loader/``.
"""
