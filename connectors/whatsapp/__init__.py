"""WhatsApp Cloud API channel for Rasa 3.6.

Register it in credentials.yml by module path::

    connectors.whatsapp.WhatsAppInput:

Settings come from ``WHATSAPP_*`` environment variables (docs/whatsapp.md).
"""

from connectors.whatsapp.channel import WhatsAppInput
from connectors.whatsapp.output import WhatsAppOutput

__all__ = ["WhatsAppInput", "WhatsAppOutput"]
