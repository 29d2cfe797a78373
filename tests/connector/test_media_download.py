"""Media id → metadata URL → bytes, both with the bearer token, within size limits."""

from __future__ import annotations

import pytest

from connectors.whatsapp.errors import MediaDownloadError, MediaNotFoundError, MediaTooLargeError
from connectors.whatsapp.graph_client import GraphClient
from connectors.whatsapp.media import MediaFetcher


@pytest.fixture
async def client(settings):
    graph = GraphClient(settings)
    yield graph
    await graph.aclose()


async def test_download_returns_bytes_and_mime_type(client, fake_graph):
    media_id = fake_graph.register_media(b"\xff\xd8 a jpeg", "image/jpeg")
    media = await client.download_media(media_id, max_bytes=1024)
    assert media.data == b"\xff\xd8 a jpeg"
    assert media.mime_type == "image/jpeg"
    assert media.media_id == media_id


async def test_declared_size_over_the_limit_is_refused_before_downloading(client, fake_graph):
    media_id = fake_graph.register_media(b"x" * 2000, "image/jpeg")
    with pytest.raises(MediaTooLargeError):
        await client.download_media(media_id, max_bytes=1000)


async def test_size_is_enforced_while_streaming_when_metadata_understates_it(client, fake_graph):
    media_id = fake_graph.register_media(b"x" * 200_000, "audio/ogg", reported_size=10)
    with pytest.raises(MediaTooLargeError):
        await client.download_media(media_id, max_bytes=100_000)


async def test_unknown_or_expired_media_id(client):
    with pytest.raises(MediaNotFoundError):
        await client.download_media("1234567890", max_bytes=1000)


async def test_wrong_token_is_a_download_error(client, fake_graph):
    media_id = fake_graph.register_media(b"abc", "image/png")
    fake_graph.access_token = "rotated"
    with pytest.raises(MediaDownloadError):
        await client.download_media(media_id, max_bytes=1000)


async def test_fetcher_applies_the_limit_for_each_kind(fake_graph, settings):
    from dataclasses import replace

    graph = GraphClient(replace(settings, max_image_bytes=100, max_audio_bytes=1000))
    fetcher = MediaFetcher(graph, replace(settings, max_image_bytes=100, max_audio_bytes=1000))
    try:
        media_id = fake_graph.register_media(b"y" * 500, "audio/ogg")
        assert len((await fetcher.fetch("audio", media_id)).data) == 500
        with pytest.raises(MediaTooLargeError):
            await fetcher.fetch("image", media_id)
    finally:
        await graph.aclose()
