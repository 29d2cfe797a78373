"""Local stand-in for Meta: a fake Graph API and a terminal chat (docs/whatsapp.md, "Simulator")."""
