"""WhatsApp Cloud API channel for Rasa 3.6.

Register it in credentials.yml by module path::

    connectors.whatsapp.WhatsAppInput:

Settings come from ``WHATSAPP_*`` environment variables (docs/whatsapp.md).
The classes are imported lazily so that light users of this package (the
simulator, the signature helpers) do not pay for importing Rasa.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from connectors.whatsapp.channel import WhatsAppInput
    from connectors.whatsapp.output import WhatsAppOutput

__all__ = ["WhatsAppInput", "WhatsAppOutput"]


def __getattr__(name: str) -> Any:
    if name == "WhatsAppInput":
        from connectors.whatsapp.channel import WhatsAppInput

        return WhatsAppInput
    if name == "WhatsAppOutput":
        from connectors.whatsapp.output import WhatsAppOutput

        return WhatsAppOutput
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
