"""WhatsApp limits hold for any catalog text (long names, Arabic, many results)."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from actions.presentation import buttons, item_line, whatsapp_list
from conversation.items import ShownItem

words = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=80)


def item(sku: str, brand: str, name: str, stock: int = 3) -> ShownItem:
    return ShownItem(sku=sku, part_id=1, name=name, brand=brand, part_number="04465-60320",
                     price_aed="1245.50", stock=stock, condition="genuine")  # fmt: skip


@given(brand=words, name=words, count=st.integers(min_value=1, max_value=14))
def test_lists_and_buttons_respect_whatsapp_limits(brand, name, count):
    items = [item(f"SKU-{i}", brand, name, stock=i % 2) for i in range(count)]
    listed = whatsapp_list(items, body=name * 30, button_label="See parts " * 4, section_title=name)
    rows = listed["action"]["sections"][0]["rows"]
    assert len(rows) == min(count, 10)
    assert all(len(r["title"]) <= 24 and len(r["description"]) <= 72 and len(r["id"]) <= 200 for r in rows)
    assert len(listed["action"]["button"]) <= 20 and len(listed["body"]["text"]) <= 1024
    assert [json.loads(r["id"].removeprefix("/choose_part"))["sku"] for r in rows] == [
        i.sku for i in items[:10]
    ]
    shown = buttons(items)
    assert len(shown) == min(count, 3)
    assert all(1 <= len(b["title"]) <= 20 for b in shown)
    assert len({b["title"] for b in shown}) == len(shown)  # titles must be unique


def test_text_line_has_what_a_customer_needs():
    line = item_line(2, item("TOY-1", "Toyota Genuine", "Front Brake Pads", stock=0))
    assert line == "2. Front Brake Pads – Toyota Genuine – 04465-60320 – AED 1245.50 – ⏳"
