"""Photos and voice notes: registration-card OCR and speech to text for the WhatsApp channel.

Plain Python (no Rasa imports). :class:`media.pipeline.MediaPipeline` turns downloaded media
bytes into the user message Rasa should see; :mod:`media.whatsapp_handler` plugs it into the
WhatsApp connector's media hook by configuration, so the connector never imports the catalog.
"""
