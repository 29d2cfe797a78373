"""config/customer_copy.yml: complete in both languages, and what the code asks for exists."""

from __future__ import annotations

import re

import pytest

from catalog.vehicle_ids import decode, friendly_problem
from connectors.whatsapp import outbound
from media.replies import heard_reply, reply_for
from shopkernel.copy import DEFAULT_COPY_PATH, CopyError, CustomerCopy, customer_copy, say
from shopkernel.language import has_arabic
from shopkernel.paths import PROJECT_ROOT

COPY = customer_copy()
_KEY_IN_CODE = re.compile(r"""(?:say|copy_key=|text)\(\s*["']([a-z_]+\.[a-z_]+)["']""")


@pytest.mark.parametrize("key", sorted(COPY.entries))
def test_every_entry_reads_in_both_languages_with_the_same_placeholders(key):
    entry = COPY.entries[key]
    assert entry["en"] and entry["ar"], key
    assert has_arabic(entry["ar"]) or key.startswith("media_durations"), f"{key}: 'ar' is not Arabic"
    assert not has_arabic(entry["en"]), f"{key}: 'en' has Arabic letters"
    assert COPY.placeholders(key, "en") == COPY.placeholders(key, "ar"), key


def test_whatsapp_limits_hold():
    assert all(len(COPY.text("lists.list_button", lang)) <= outbound.LIST_BUTTON_MAX for lang in ("en", "ar"))


def test_every_entry_the_code_names_exists():
    named = set()
    for package in ("connectors", "media", "catalog", "actions", "conversation"):
        for path in (PROJECT_ROOT / package).rglob("*.py"):
            named |= set(_KEY_IN_CODE.findall(path.read_text(encoding="utf-8")))
    assert named, "the scan found no copy keys at all"
    assert named - set(COPY.entries) == set()


def test_unknown_language_sends_both_english_first():
    both = say("connector.unsupported_type")
    en, ar = both.split("\n\n")
    assert en == say("connector.unsupported_type", "en") and ar == say("connector.unsupported_type", "ar")


def test_a_broken_copy_file_is_a_clear_error(tmp_path):
    path = tmp_path / "copy.yml"
    path.write_text("connector:\n  hello:\n    en: Hello {name}\n", encoding="utf-8")
    with pytest.raises(CopyError, match="connector.hello needs an 'en' and an 'ar' text"):
        CustomerCopy.load(path)
    path.write_text("connector:\n  hello:\n    en: Hello {name}\n    ar: مرحبا {name}\n", encoding="utf-8")
    copy = CustomerCopy.load(path)
    with pytest.raises(CopyError, match="placeholder 'name'"):
        copy.text("connector.hello", "en")
    with pytest.raises(CopyError, match="'connector.bye' is not in"):
        copy.text("connector.bye", "en")
    assert DEFAULT_COPY_PATH.name == "customer_copy.yml"


def test_media_replies_follow_the_customers_language():
    ar = reply_for("too_long", "audio", "ar", max_audio_seconds=90)
    assert has_arabic(ar) and "1:30" in ar and "Sorry" not in ar
    en = reply_for("too_long", "audio", "en", max_audio_seconds=120)
    assert en.startswith("Sorry") and "2 minutes" in en and not has_arabic(en)
    both = reply_for("corrupt", "image")
    assert both.startswith("Sorry") and has_arabic(both)
    assert "16 MB" in reply_for("too_large", "audio", "en")
    assert "5 MB" in reply_for("too_large", "image", "ar")
    assert reply_for("no_such_reason", "audio", "en") == say(
        "media.fallback", "en", what=say("media_names.voice_note", "en")
    )


def test_voice_note_echo_is_in_the_language_heard():
    assert heard_reply("ابي فحمات", "ar") == "🎤 فهمت: «ابي فحمات»"
    assert heard_reply("brake pads", None) == '🎤 I heard: "brake pads"'


def test_chassis_problems_come_from_the_copy_file():
    vid = decode("JTMHV05J50412345")  # 16 characters
    assert friendly_problem(vid, "ar") == say("vehicle_ids.length", "ar", count=16, letters="", digits="")
    assert friendly_problem(vid, "fr") == friendly_problem(vid, "en")


def test_list_words_follow_the_language_of_the_assistants_reply():
    choices = [outbound.Choice(title=f"قطعة {i}", payload=f"/pick{{\"n\": {i}}}") for i in range(12)]
    first, second = outbound.interactive_messages("اختر القطعة:", choices)
    assert first["interactive"]["action"]["button"] == say("lists.list_button", "ar")
    assert second["interactive"]["body"]["text"] == say("lists.more_options", "ar", page=2, pages=2)
    [english] = outbound.interactive_messages("Pick one:", choices[:3] * 4)[:1]
    assert english["interactive"]["action"]["button"] == say("lists.list_button", "en")
