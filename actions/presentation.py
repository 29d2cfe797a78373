"""How search results are shown: plain text for any channel, and WhatsApp interactive payloads.

WhatsApp Cloud API limits (checked here, not hoped for): reply buttons 1-3 with titles of at
most 20 characters; a list of at most 10 rows with row titles of at most 24 and descriptions
of at most 72 characters, a button label of at most 20 and a section title of at most 24.
Row ids and button payloads are Rasa intents with entities, e.g.
``/choose_part{"sku":"TOY-BP-0001"}``, so a tap is understood without NLU.
"""

from __future__ import annotations

from catalog.links import part_url
from conversation.items import ShownItem, choose_payload

MAX_BUTTONS = 3
BUTTON_TITLE = 20
MAX_ROWS = 10
ROW_TITLE = 24
ROW_DESCRIPTION = 72
LIST_BUTTON = 20
SECTION_TITLE = 24
BODY = 1024


def item_line(number: int, item: ShownItem, url_template: str | None = None) -> str:
    """``1. Front Brake Pads – Toyota Genuine – 04465-60320 – AED 245 – ✅ 4``, and the part's
    page on the shop's website on the next line when ``PART_URL_TEMPLATE`` is set (WhatsApp makes
    it a link)."""
    line = (
        f"{number}. {item.name} – {item.brand} – {item.part_number} – "
        f"AED {item.price_label} – {item.stock_mark}"
    )
    url = part_url(url_template, item.sku)
    return f"{line}\n   {url}" if url else line


def fit(text: str, limit: int) -> str:
    """Cut to a WhatsApp field limit, marking the cut with an ellipsis."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _row_description(item: ShownItem, url: str | None) -> str:
    """Price, stock, number and name; with a website link, price, stock and the whole link
    instead (a link cut to fit would be a broken link: then it is left out)."""
    with_url = f"AED {item.price_label} · {item.stock_mark} · {url}" if url else ""
    if with_url and len(with_url) <= ROW_DESCRIPTION:
        return with_url
    text = f"AED {item.price_label} · {item.stock_mark} · {item.part_number} · {item.name}"
    return fit(text, ROW_DESCRIPTION)


def buttons(items: list[ShownItem]) -> list[dict[str, str]]:
    """Up to three reply buttons: number, brand and price in 20 characters."""
    out = []
    for number, item in enumerate(items[:MAX_BUTTONS], start=1):
        prefix, price = f"{number}. ", f" {item.price_label}"
        brand = fit(item.brand, BUTTON_TITLE - len(prefix) - len(price))
        out.append({"title": f"{prefix}{brand}{price}"[:BUTTON_TITLE], "payload": choose_payload(item.sku)})
    return out


def whatsapp_list(
    items: list[ShownItem], body: str, button_label: str, section_title: str, url_template: str | None = None
) -> dict:
    """The ``interactive`` object of a WhatsApp list message (type ``list``)."""
    rows = []
    for number, item in enumerate(items[:MAX_ROWS], start=1):
        rows.append(
            {
                "id": choose_payload(item.sku),
                "title": fit(f"{number}. {item.brand}", ROW_TITLE),
                "description": _row_description(item, part_url(url_template, item.sku)),
            }
        )
    return {
        "type": "list",
        "body": {"text": fit(body, BODY)},
        "action": {
            "button": fit(button_label, LIST_BUTTON),
            "sections": [{"title": fit(section_title, SECTION_TITLE), "rows": rows}],
        },
    }
