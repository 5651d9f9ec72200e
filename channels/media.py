"""Download an inbound media file (a voice note) with the provider's credentials, within limits.

Twilio: ``GET MediaUrl`` with HTTP basic auth (account SID, auth token); Twilio answers with a
redirect to its storage, which we follow ourselves *without* the credentials (they go with the
first request only, whatever host a redirect names). The credentials only ever go to Twilio's own
API host: a media URL elsewhere is refused, so a forged or unsigned webhook cannot make us send
them to a server of its choosing. Meta: ``GET /{version}/{media_id}`` on the Graph API gives a
short-lived URL, fetched with the bearer token.

Limits: a content-type allow-list (declared in the webhook and served by the provider), a size cap
enforced while streaming (the download stops at the first byte over it, whatever
``Content-Length`` said or did not say), one deadline for the whole download, redirects included,
and the duration when the file tells it (OGG: what WhatsApp records).
"""

from __future__ import annotations

import struct
import time
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import requests
from django.conf import settings

META_MEDIA_PREFIX = "meta-media:"  # how channels.meta.parsing stores a Meta media id

UNSUPPORTED_TYPE = "unsupported_type"
TOO_LARGE = "too_large"
TOO_LONG = "too_long"
DOWNLOAD_TIMEOUT = "download_timeout"
DOWNLOAD_FAILED = "download_failed"
UNTRUSTED_URL = "untrusted_url"

_CHUNK = 64 * 1024
_MAX_REDIRECTS = 3
# Storage servers often label every object generically; the webhook's declared type then counts.
_GENERIC_TYPES = frozenset({"", "application/octet-stream", "binary/octet-stream"})
_EXTENSIONS = {
    "audio/ogg": "ogg",
    "audio/opus": "ogg",
    "audio/mpeg": "mp3",
    "audio/mp3": "mp3",
    "audio/mp4": "m4a",
    "audio/m4a": "m4a",
    "audio/x-m4a": "m4a",
    "audio/webm": "webm",
    "audio/wav": "wav",
    "audio/x-wav": "wav",
    "audio/flac": "flac",
}


class MediaError(Exception):
    """The file was not fetched; ``reason`` is one of the constants above."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason


@dataclass(frozen=True)
class MediaLimits:
    max_bytes: int
    content_types: frozenset[str]
    timeout_s: float

    @classmethod
    def from_settings(cls) -> MediaLimits:
        return cls(
            max_bytes=settings.VOICE_NOTE_MAX_BYTES,
            content_types=frozenset(base_type(t) for t in settings.VOICE_NOTE_CONTENT_TYPES),
            timeout_s=settings.VOICE_NOTE_DOWNLOAD_TIMEOUT_S,
        )


@dataclass(frozen=True)
class MediaFile:
    data: bytes
    content_type: str

    @property
    def filename(self) -> str:
        """The transcription API tells the format by the file name's extension."""
        ext = _EXTENSIONS.get(self.content_type) or self.content_type.rsplit("/", 1)[-1]
        return f"nota.{ext}"


def base_type(content_type: str) -> str:
    """``audio/ogg; codecs=opus`` → ``audio/ogg``."""
    return content_type.split(";", 1)[0].strip().lower()


def media_download(
    *, url: str, content_type: str, limits: MediaLimits, deadline: float
) -> MediaFile:
    """Fetch one stored media reference (a Twilio ``MediaUrl`` or ``meta-media:<id>``).

    ``deadline`` is a ``time.monotonic()`` value; the download also stops after
    ``limits.timeout_s``. Raises ``MediaError`` and nothing else.
    """
    declared = base_type(content_type)
    if declared not in limits.content_types:
        raise MediaError(UNSUPPORTED_TYPE, declared or "none")
    deadline = min(deadline, time.monotonic() + limits.timeout_s)
    session = requests.Session()
    try:
        if url.startswith(META_MEDIA_PREFIX):
            return _meta_download(
                session, url.removeprefix(META_MEDIA_PREFIX), declared, limits, deadline
            )
        return _twilio_download(session, url, declared, limits, deadline)
    except MediaError:
        raise
    except requests.Timeout as exc:
        raise MediaError(DOWNLOAD_TIMEOUT) from exc
    except requests.RequestException as exc:
        raise MediaError(DOWNLOAD_FAILED, type(exc).__name__) from exc
    except ValueError as exc:  # a Graph answer that is not the JSON object we expect
        raise MediaError(DOWNLOAD_FAILED, type(exc).__name__) from exc
    finally:
        session.close()


def _twilio_download(
    session: requests.Session, url: str, declared: str, limits: MediaLimits, deadline: float
) -> MediaFile:
    parts = urlsplit(url)
    api = urlsplit(settings.TWILIO_API_BASE_URL or "https://api.twilio.com")
    if (parts.scheme, parts.hostname, parts.port) != (api.scheme, api.hostname, api.port):
        raise MediaError(UNTRUSTED_URL, parts.hostname or "")
    auth = (settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN)
    return _stream(session, url, declared, limits, deadline, auth=auth)


def _meta_download(
    session: requests.Session, media_id: str, declared: str, limits: MediaLimits, deadline: float
) -> MediaFile:
    if not media_id.isdigit():
        raise MediaError(DOWNLOAD_FAILED, "bad media id")
    headers = {"Authorization": f"Bearer {settings.META_ACCESS_TOKEN}"}
    base = settings.META_GRAPH_BASE_URL.rstrip("/")
    left = _left(deadline)
    response = session.get(
        f"{base}/{settings.META_GRAPH_VERSION}/{media_id}",
        headers=headers,
        timeout=(left, left),
        allow_redirects=False,
    )
    if response.status_code != 200:
        raise MediaError(DOWNLOAD_FAILED, f"graph status={response.status_code}")
    info = response.json()
    if not isinstance(info, dict) or not isinstance(info.get("url"), str):
        raise MediaError(DOWNLOAD_FAILED, "graph answer without url")
    mime = base_type(str(info.get("mime_type") or declared))
    if mime not in limits.content_types:
        raise MediaError(UNSUPPORTED_TYPE, mime)
    size = info.get("file_size")
    if isinstance(size, int) and size > limits.max_bytes:
        raise MediaError(TOO_LARGE, f"file_size={size}")
    if urlsplit(info["url"]).scheme not in ("https", urlsplit(base).scheme):
        raise MediaError(UNTRUSTED_URL, "scheme")
    return _stream(session, info["url"], mime, limits, deadline, headers=headers)


def _left(deadline: float) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise MediaError(DOWNLOAD_TIMEOUT)
    return left


def _stream(
    session: requests.Session,
    url: str,
    declared: str,
    limits: MediaLimits,
    deadline: float,
    *,
    auth: tuple[str, str] | None = None,
    headers: dict[str, str] | None = None,
) -> MediaFile:
    for _ in range(_MAX_REDIRECTS + 1):
        left = _left(deadline)
        response = session.get(
            url,
            auth=auth,
            headers=headers,
            stream=True,
            timeout=(left, left),
            allow_redirects=False,
        )
        if not response.is_redirect:
            break
        url = urljoin(url, response.headers.get("Location", ""))
        response.close()
        auth, headers = None, None  # the provider's credentials never follow a redirect
    else:
        raise MediaError(DOWNLOAD_FAILED, "too many redirects")
    with response:
        if response.status_code != 200:
            raise MediaError(DOWNLOAD_FAILED, f"status={response.status_code}")
        served = base_type(response.headers.get("Content-Type", ""))
        content_type = declared if served in _GENERIC_TYPES else served
        if content_type not in limits.content_types:
            raise MediaError(UNSUPPORTED_TYPE, content_type)
        length = response.headers.get("Content-Length", "")
        if length.isdigit() and int(length) > limits.max_bytes:
            raise MediaError(TOO_LARGE, f"content-length={length}")
        data = bytearray()
        # Counted after decoding (a gzip bomb counts at its real size), stopped at the first
        # chunk over the cap or past the deadline.
        for chunk in response.iter_content(_CHUNK):
            data += chunk
            if len(data) > limits.max_bytes:
                raise MediaError(TOO_LARGE, f"over {limits.max_bytes} bytes")
            if time.monotonic() > deadline:
                raise MediaError(DOWNLOAD_TIMEOUT)
    if not data:
        raise MediaError(DOWNLOAD_FAILED, "empty file")
    return MediaFile(data=bytes(data), content_type=content_type)


def audio_duration_s(data: bytes) -> float | None:
    """Length of an OGG (Opus or Vorbis) file from its headers and last page; None when unknown.

    The last page's granule position counts samples at 48 kHz for Opus (minus the pre-skip) and at
    the stream's sample rate for Vorbis. Other containers: unknown (the size cap still applies).
    """
    if not data.startswith(b"OggS"):
        return None
    head = data[:512]
    last = data.rfind(b"OggS")
    if last < 0 or len(data) < last + 14 or data[last + 4] != 0:
        return None
    granule: int
    (granule,) = struct.unpack_from("<q", data, last + 6)
    if granule < 0:
        return None
    opus = head.find(b"OpusHead")
    if opus >= 0 and len(head) >= opus + 12:
        pre_skip: int
        (pre_skip,) = struct.unpack_from("<H", head, opus + 10)
        return max(granule - pre_skip, 0) / 48_000
    vorbis = head.find(b"\x01vorbis")
    if vorbis >= 0 and len(head) >= vorbis + 16:
        (rate,) = struct.unpack_from("<I", head, vorbis + 12)
        return granule / rate if rate else None
    return None
