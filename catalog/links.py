"""Links to the shop's storefront: the product page of a part (``PART_URL_TEMPLATE``).

Used by the public API (each part's ``url``) and by the assistant's result lists, so a customer
and a website see the same link.
"""

from __future__ import annotations

from urllib.parse import quote

from shopkernel.env import EnvReader, SettingsError


def part_url(template: str | None, sku: str) -> str | None:
    """``https://shop.example/parts/{sku}`` with the sku URL-encoded; None when no template is set."""
    if not template or not sku:
        return None
    return template.replace("{sku}", quote(sku, safe=""))


def part_url_template(read: EnvReader) -> str | None:
    """``PART_URL_TEMPLATE`` from the environment; it must say where the sku goes."""
    template = read.text("PART_URL_TEMPLATE") or None
    if template and "{sku}" not in template:
        raise SettingsError("PART_URL_TEMPLATE must contain {sku}, e.g. https://shop.example/parts/{sku}")
    return template
