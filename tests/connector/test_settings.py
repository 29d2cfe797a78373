"""Settings from the environment, credentials.yml overlay, masking."""

from __future__ import annotations

import pytest

from connectors.whatsapp.channel import WhatsAppInput
from connectors.whatsapp.settings import DEFAULT_API_VERSION, WhatsAppSettings
from shopkernel.env import SettingsError

ENV = {
    "WHATSAPP_VERIFY_TOKEN": "v",
    "WHATSAPP_APP_SECRET": "s",
    "WHATSAPP_ACCESS_TOKEN": "t",
    "WHATSAPP_PHONE_NUMBER_ID": "123",
    "WHATSAPP_GRAPH_BASE_URL": "http://localhost:8999/",
    "WHATSAPP_RETRY_BASE_DELAY": "0.5",
    "DATABASE_URL": "postgresql://db/x",
    "WHATSAPP_INBOX_LEASE_SECONDS": "12",
}


def test_from_env_reads_everything_and_pins_a_version():
    s = WhatsAppSettings.from_env(ENV)
    assert (s.verify_token, s.app_secret, s.access_token, s.phone_number_id) == ("v", "s", "t", "123")
    assert s.api_version == DEFAULT_API_VERSION
    assert s.messages_url == f"http://localhost:8999/{DEFAULT_API_VERSION}/123/messages"
    assert s.retry_base_delay == 0.5
    assert s.database_url == "postgresql://db/x" and s.inbox_lease_seconds == 12.0
    assert s.missing() == []


def test_secrets_are_not_in_the_repr():
    text = repr(
        WhatsAppSettings.from_env({"WHATSAPP_APP_SECRET": "supersecret", "WHATSAPP_ACCESS_TOKEN": "tok123"})
    )
    assert "supersecret" not in text and "tok123" not in text


def test_bad_numbers_are_a_clear_config_error():
    with pytest.raises(SettingsError, match="WHATSAPP_HTTP_TIMEOUT"):
        WhatsAppSettings.from_env({"WHATSAPP_HTTP_TIMEOUT": "ten"})


def test_missing_lists_what_to_set():
    assert WhatsAppSettings.from_env({}).missing() == [
        "WHATSAPP_ACCESS_TOKEN", "WHATSAPP_PHONE_NUMBER_ID", "WHATSAPP_APP_SECRET"
    ]  # fmt: skip
    insecure = WhatsAppSettings.from_env({"WHATSAPP_INSECURE_SKIP_SIGNATURE": "1"})
    assert "WHATSAPP_APP_SECRET" not in insecure.missing()


def test_credentials_overlay_non_empty_values_only():
    s = WhatsAppSettings.from_env(ENV).with_credentials(
        {"phone_number_id": 456, "access_token": "", "bogus": 1}
    )
    assert s.phone_number_id == "456" and s.access_token == "t"


@pytest.mark.parametrize("credentials", [None, {}])
def test_from_credentials_works_with_environment_only(monkeypatch, credentials):
    for key, value in ENV.items():
        monkeypatch.setenv(key, value)
    channel = WhatsAppInput.from_credentials(credentials)
    assert channel.settings.phone_number_id == "123"
    assert WhatsAppInput.name() == "whatsapp"
