"""Messaging channels that connect customers to the Rasa server (see docs/whatsapp.md)."""
