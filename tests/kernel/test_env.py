"""One rule set for every environment variable of every process."""

from __future__ import annotations

import pytest

from actions.settings import AssistantSettings
from catalog.chassis_lookup import LookupSettings
from catalog.settings import Settings
from connectors.whatsapp.settings import WhatsAppSettings
from media.settings import MediaSettings
from ops.settings import OpsSettings
from rephraser.settings import RephraserSettings
from shopkernel.db import default_database_url
from shopkernel.env import EnvReader, SettingsError
from webservice.settings import WebSettings

ALL_SETTINGS = [
    Settings, AssistantSettings, LookupSettings, WhatsAppSettings, MediaSettings, OpsSettings,
    RephraserSettings, WebSettings,
]  # fmt: skip


@pytest.mark.parametrize("raw", ["1", "true", "YES", " on "])
def test_yes_words(raw):
    assert EnvReader({"X": raw}).flag("X", False) is True


@pytest.mark.parametrize("raw", ["0", "false", "No", "OFF"])
def test_no_words(raw):
    assert EnvReader({"X": raw}).flag("X", True) is False


@pytest.mark.parametrize("raw", [None, "", "   "])
def test_blank_means_default_for_every_type(raw):
    env = {} if raw is None else {"X": raw}
    read = EnvReader(env)
    assert read.flag("X", True) is True
    assert read.integer("X", 7) == 7
    assert read.number("X", 2.5) == 2.5
    assert read.text("X", "d") == "d"
    assert read.url("X", "http://h") == "http://h"


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda r: r.flag("X", True), "not a yes/no value"),
        (lambda r: r.integer("X", 1), "not a whole number"),
        (lambda r: r.number("X", 1.0), "not a number"),
        (lambda r: r.url("X"), "must be a URL"),
        (lambda r: r.choice("X", "a", ("a", "b")), "must be one of a, b"),
    ],
)
def test_garbage_is_a_settings_error_naming_the_variable(call, message):
    with pytest.raises(SettingsError, match=rf"X='maybe'.*{message}|X='maybe' {message}"):
        call(EnvReader({"X": "maybe"}))


def test_ranges_are_checked():
    with pytest.raises(SettingsError, match="X='0' must be at least 1"):
        EnvReader({"X": "0"}).integer("X", 5, minimum=1)
    with pytest.raises(SettingsError, match="must be at most 10"):
        EnvReader({"X": "11"}).integer("X", 5, maximum=10)
    with pytest.raises(SettingsError, match="finite"):
        EnvReader({"X": "nan"}).number("X", 1.0)


def test_urls_lose_their_trailing_slash_and_need_a_host():
    assert EnvReader({"U": " https://graph.example.com/ "}).url("U") == "https://graph.example.com"
    with pytest.raises(SettingsError):
        EnvReader({"U": "https://"}).url("U")
    with pytest.raises(SettingsError):
        EnvReader({"U": "ftp://x"}).url("U")


def test_first_set_variable_wins():
    read = EnvReader({"A": " ", "B": "redis://b"})
    assert read.first("A", "B") == "redis://b"
    assert read.first("C", default="x") == "x"


@pytest.mark.parametrize("settings", ALL_SETTINGS, ids=lambda s: s.__name__)
def test_every_settings_class_builds_from_an_empty_environment(settings):
    assert settings.from_env({}) is not None


def test_database_url_is_the_same_everywhere():
    """DATABASE_URL is read in one place; every process agrees on it and on its default."""
    for env, expected in [({}, default_database_url()), ({"DATABASE_URL": " postgresql://db/x "}, "postgresql://db/x")]:
        urls = {
            Settings.from_env(env).database_url,
            AssistantSettings.from_env(env).catalog.database_url,
            WhatsAppSettings.from_env(env).database_url,
            OpsSettings.from_env(env).database_url,
            RephraserSettings.from_env(env).database_url,
            WebSettings.from_env(env).database_url,
        }
        assert urls == {expected}


@pytest.mark.parametrize(
    ("settings", "name"),
    [
        (AssistantSettings, "RESULTS_SHOWN"),
        (LookupSettings, "CHASSIS_LOOKUP_TIMEOUT"),
        (WhatsAppSettings, "WHATSAPP_MARK_READ"),
        (MediaSettings, "MEDIA_OCR_TIMEOUT_S"),
        (OpsSettings, "READY_TIMEOUT_SECONDS"),
        (RephraserSettings, "OPENAI_TIMEOUT"),
        (WebSettings, "SHOP_API_PORT"),
    ],
)
def test_a_bad_value_in_any_package_is_the_same_error(settings, name):
    with pytest.raises(SettingsError, match=name):
        settings.from_env({name: "lots"})
