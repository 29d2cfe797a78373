"""Rasa graph components of this project, named in config.yml's NLU pipeline (loaded by the Rasa server)."""
