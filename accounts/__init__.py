"""Who may use the shop's web service: staff accounts (console) and API keys (public API).

Plain Python on SQLAlchemy, like the catalog domain: nothing here imports Rasa, the actions,
the connector or the web service.
"""
