"""Conversation review and shop analytics from the Rasa tracker store (issue 16).

Plain Python, no Rasa and no web imports: the staff console (webservice/console/review.py,
analytics.py) and the staff CLI (catalog_loader/review_cli.py) are thin front ends over it.

* :mod:`insights.conversation` turns tracker events into conversations, turns and replies;
* :mod:`insights.store` reads the events from Rasa's SQL tracker store (SQLite or PostgreSQL);
* :mod:`insights.markers` flags conversations worth a designer's look;
* :mod:`insights.language` tells English, Arabic and Arabizi apart;
* :mod:`insights.annotations`, :mod:`insights.corrections` write reviewed NLU examples;
* :mod:`insights.stories` writes a conversation as a Rasa test story;
* :mod:`insights.funnel`, :mod:`insights.demand`, :mod:`insights.metrics` compute the shop's
  numbers, as :class:`insights.tables.Table` objects that export to CSV.
"""
