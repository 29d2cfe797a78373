"""What is accepted as a photo or a voice note: the bytes decide, not the declared MIME type."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from media.errors import CorruptMedia, MediaTooLarge, UnsupportedMedia
from media.limits import AUDIO_MAX_BYTES, IMAGE_MAX_BYTES, check_media, sniff
from tests.media.voice import silence_ogg


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "white").save(out, format="PNG")
    return out.getvalue()


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "white").save(out, format="JPEG")
    return out.getvalue()


@pytest.mark.parametrize(
    ("data", "kind", "fmt"),
    [
        (_jpeg(), "image", "jpeg"),
        (_png(), "image", "png"),
        (silence_ogg(1.0), "audio", "ogg"),
        (b"#!AMR\n" + b"\x00" * 20, "audio", "amr"),
        (b"\x00\x00\x00\x20ftypM4A \x00\x00\x00\x00", "audio", "m4a"),
        (b"ID3\x04\x00" + b"\x00" * 20, "audio", "mp3"),
        (b"\xff\xf1\x50\x80" + b"\x00" * 20, "audio", "aac"),
        (b"%PDF-1.7\n...", "other", "pdf"),
        (b"RIFF\x00\x00\x00\x00WEBPVP8 ", "other", "webp"),
        (b"\x00\x00\x00\x18ftypheic\x00\x00", "other", "heic"),
        (b"just some text", "other", "unknown"),
    ],
)
def test_real_type_comes_from_the_bytes(data, kind, fmt):
    real = sniff(data)
    assert (real.kind, real.format) == (kind, fmt)


def test_jpeg_declared_as_png_is_still_accepted_as_what_it_is():
    assert check_media("image", _jpeg(), "image/png").format == "jpeg"


def test_pdf_sent_as_a_photo_is_refused_and_named():
    with pytest.raises(UnsupportedMedia, match="image/jpeg is really pdf"):
        check_media("image", b"%PDF-1.4 invoice", "image/jpeg")


def test_garbage_declared_as_jpeg_is_refused():
    with pytest.raises(UnsupportedMedia):
        check_media("image", b"\x13\x37 not an image at all", "image/jpeg")


def test_photo_sent_as_a_voice_note_is_refused():
    with pytest.raises(UnsupportedMedia):
        check_media("audio", _jpeg(), "audio/ogg")


def test_empty_file_is_corrupt():
    with pytest.raises(CorruptMedia):
        check_media("image", b"", "image/jpeg")


def test_size_limits_are_whatsapps():
    with pytest.raises(MediaTooLarge, match="5 MB"):
        check_media("image", _jpeg() + b"\x00" * IMAGE_MAX_BYTES, "image/jpeg")
    with pytest.raises(MediaTooLarge, match="16 MB"):
        check_media("audio", b"OggS" + b"\x00" * AUDIO_MAX_BYTES, "audio/ogg")
    # just under the image limit is fine
    assert check_media("image", _jpeg() + b"\x00" * (IMAGE_MAX_BYTES - 10_000), "image/jpeg").kind == "image"


def test_unknown_kind_is_refused():
    with pytest.raises(UnsupportedMedia):
        check_media("sticker", b"RIFF\x00\x00\x00\x00WEBP", "image/webp")
