"""How search results are shown: plain text for any channel, and WhatsApp interactive payloads.

WhatsApp Cloud API limits (checked here, not hoped for): reply buttons 1-3 with titles of at
most 20 characters; a list of at most 10 rows with row titles of at most 24 and descriptions
of at most 72 characters, a button label of at most 20 and a section title of at most 24.
Row ids and button payloads are Rasa intents with entities, e.g.
``/choose_part{"sku":"TOY-BP-0001"}``, so a tap is understood without NLU. The wording of a line
and a row is in domain.yml (``utter_item_*``), in the customer's language.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from actions.domain_copy import response_text
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
COPY_RESPONSES = (
    "utter_item_line", "utter_item_line_fits", "utter_item_row", "utter_item_row_fits", "utter_item_row_link",
)  # fmt: skip


@dataclass(frozen=True)
class ItemCopy:
    """The wording of an item line and a list row (from domain.yml, in the customer's language)."""

    line: str
    line_fits: str
    row: str
    row_fits: str
    row_link: str

    @classmethod
    def from_domain(cls, domain: dict[str, Any], language: str) -> ItemCopy:
        return cls(*(response_text(domain, name, language) for name in COPY_RESPONSES))


def item_values(number: int, item: ShownItem, url: str | None = None) -> dict[str, str]:
    """What a line or list row about one item may show."""
    return {
        "number": str(number),
        "name": item.label,
        "fits": item.fits,
        "brand": item.brand,
        "part_number": item.part_number,
        "price": item.price_label,
        "stock": item.stock_mark,
        "url": url or "",
    }


def item_line(number: int, item: ShownItem, copy: ItemCopy, url_template: str | None = None) -> str:
    """One line of a result list, e.g.
    ``1. Front Brake Pads (fits Chevrolet Tahoe 2015-2020) – Brembo – P 83 676 – AED 260 – ✅ 8``,
    and the part's page on the shop's website on the next line when ``PART_URL_TEMPLATE`` is set."""
    line = (copy.line_fits if item.fits else copy.line).format(**item_values(number, item))
    url = part_url(url_template, item.sku)
    return f"{line}\n   {url}" if url else line


def item_lines(items: list[ShownItem], copy: ItemCopy, url_template: str | None = None) -> str:
    return "\n".join(item_line(n, item, copy, url_template) for n, item in enumerate(items, start=1))


def fit(text: str, limit: int) -> str:
    """Cut to a WhatsApp field limit, marking the cut with an ellipsis."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _row_description(number: int, item: ShownItem, copy: ItemCopy, url: str | None) -> str:
    """Price, stock, the customer's car and the number; with a website link, price, stock and the
    whole link instead (a link cut to fit would be a broken link: then it is left out)."""
    with_url = copy.row_link.format(**item_values(number, item, url)) if url else ""
    if with_url and len(with_url) <= ROW_DESCRIPTION:
        return with_url
    text = (copy.row_fits if item.fits else copy.row).format(**item_values(number, item))
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
    items: list[ShownItem],
    body: str,
    button_label: str,
    section_title: str,
    copy: ItemCopy,
    url_template: str | None = None,
) -> dict:
    """The ``interactive`` object of a WhatsApp list message (type ``list``)."""
    rows = []
    for number, item in enumerate(items[:MAX_ROWS], start=1):
        rows.append(
            {
                "id": choose_payload(item.sku),
                "title": fit(f"{number}. {item.brand}", ROW_TITLE),
                "description": _row_description(number, item, copy, part_url(url_template, item.sku)),
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
