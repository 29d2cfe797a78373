"""Customers' data: erasure on request ("delete my data", the staff CLI) and retention limits.

Plain Python over the catalog database (customers, vehicles, leads, staff messages, the
WhatsApp connector's tables) and Rasa's tracker store (table ``events``). Imports the catalog
domain only; no Rasa, actions, connector or web-service code. What is stored where and for how
long: docs/privacy.md.
"""
