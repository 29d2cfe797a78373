"""Links to the shop's storefront: the product page of a part (``PART_URL_TEMPLATE``).

Used by the public API (each part's ``url``) and by the assistant's result lists, so a customer
and a website see the same link.
"""

from __future__ import annotations

from urllib.parse import quote


def part_url(template: str | None, sku: str) -> str | None:
    """``https://shop.example/parts/{sku}`` with the sku URL-encoded; None when no template is set."""
    if not template or not sku:
        return None
    return template.replace("{sku}", quote(sku, safe=""))
