"""WhatsApp limits hold for any catalog text (long names, Arabic, many results)."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from hypothesis import given
from hypothesis import strategies as st

from actions.presentation import ItemCopy, buttons, item_line, whatsapp_list
from conversation.items import ShownItem

DOMAIN = yaml.safe_load((Path(__file__).resolve().parents[2] / "domain.yml").read_text(encoding="utf-8"))
ENGLISH, ARABIC = ItemCopy.from_domain(DOMAIN, "en"), ItemCopy.from_domain(DOMAIN, "ar")

words = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=80)


def item(sku: str, brand: str, name: str, stock: int = 3, fits: str = "") -> ShownItem:
    return ShownItem(sku=sku, part_id=1, name=name, brand=brand, part_number="04465-60320",
                     price_aed="1245.50", stock=stock, condition="genuine", fits=fits,
                     short_name=name.split(" - ")[0])  # fmt: skip


@given(brand=words, name=words, fits=words, count=st.integers(min_value=1, max_value=14))
def test_lists_and_buttons_respect_whatsapp_limits(brand, name, fits, count):
    items = [item(f"SKU-{i}", brand, name, stock=i % 2, fits=fits if i % 3 else "") for i in range(count)]
    copy = ARABIC if count % 2 else ENGLISH
    label = "See parts " * 4
    listed = whatsapp_list(items, body=name * 30, button_label=label, section_title=name, copy=copy)
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
    line = item_line(2, item("TOY-1", "Toyota Genuine", "Front Brake Pads", stock=0), ENGLISH)
    assert line == "2. Front Brake Pads – Toyota Genuine – 04465-60320 – AED 1245.50 – ⏳"


SHOP = "https://carpartsdubai.example/p/{sku}"


def test_text_line_links_the_website_when_configured():
    line = item_line(1, item("BP-100001", "Toyota Genuine", "Front Brake Pads"), ENGLISH, SHOP)
    first, second = line.split("\n")
    assert first == "1. Front Brake Pads – Toyota Genuine – 04465-60320 – AED 1245.50 – ✅ 3"
    assert second.strip() == "https://carpartsdubai.example/p/BP-100001"
    odd = item_line(1, item("BP 1/2", "Denso", "Oil Filter"), ENGLISH, SHOP)
    assert odd.endswith("/p/BP%201%2F2")  # a sku with a space or slash stays one working link


def _rows(items, template):
    listed = whatsapp_list(items, body="b", button_label="See", section_title="Parts", copy=ENGLISH,
                           url_template=template)  # fmt: skip
    return listed["action"]["sections"][0]["rows"]


def test_list_rows_carry_the_whole_link_or_none():
    rows = _rows([item("BP-100001", "Toyota Genuine", "Front Brake Pads")] * 4, SHOP)
    assert rows[0]["description"] == "AED 1245.50 · ✅ 3 · https://carpartsdubai.example/p/BP-100001"
    long_site = "https://www.carpartsdubai-genuine-and-aftermarket-parts.example/catalogue/item/{sku}"
    rows = _rows([item("BP-100001", "Toyota Genuine", "Front Brake Pads")], long_site)
    assert "http" not in rows[0]["description"]  # a cut link would be a broken link
    assert rows[0]["description"].startswith("AED 1245.50 · ✅ 3 · 04465-60320")


@given(brand=words, name=words, sku=st.text(min_size=1, max_size=40))
def test_limits_hold_with_links(brand, name, sku):
    listed = whatsapp_list([item(sku, brand, name)], body=name, button_label="See", section_title="Parts",
                           copy=ARABIC, url_template=SHOP)  # fmt: skip
    assert len(listed["action"]["sections"][0]["rows"][0]["description"]) <= 72


def test_line_names_the_customers_car_not_the_car_in_the_part_name():
    name = "Front Brake Pads - GMC Yukon K2UG 2015-2020"
    hit = item("GM-1", "ACDelco", name, fits="Chevrolet Tahoe 2015-2020")
    line = item_line(1, hit, ENGLISH)
    assert line.startswith("1. Front Brake Pads (fits Chevrolet Tahoe 2015-2020) – ACDelco")
    assert "Yukon" not in line
    arabic = item_line(1, hit, ARABIC)
    assert "يركب على Chevrolet Tahoe 2015-2020" in arabic and "درهم" in arabic and "AED" not in arabic
