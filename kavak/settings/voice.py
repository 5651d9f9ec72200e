"""Voice notes: download limits, accepted types, transcription, and the time budget of a turn's
notes.

Part of ``kavak.settings.base``, which imports every module in order.
"""

from __future__ import annotations

from kavak.env import env
from kavak.settings.celery_config import CELERY_TASK_SOFT_TIME_LIMIT
from kavak.settings.llm import LLM_WHATSAPP_BUDGET_S

# --- Voice notes (issue 20) ---------------------------------------------------------------------
# With LLM_ENABLED (and the conversation in the rollout's model group), a WhatsApp voice note is
# downloaded with the provider's credentials and transcribed (OpenAI audio transcriptions) in the
# turn's Celery task; its text is the customer's message. Off, or on any failure, the customer gets
# one polite request to write instead. VOICE_NOTES_ENABLED=false keeps the LLM without audio.
VOICE_NOTES_ENABLED = env.bool("VOICE_NOTES_ENABLED", default=True)
# Enforced while streaming (a bigger file is abandoned at this byte), and before when the provider
# states the size. WhatsApp voice notes are Opus at ~16 kbit/s: 5 MB is about 40 minutes.
VOICE_NOTE_MAX_BYTES = env.int("VOICE_NOTE_MAX_BYTES", default=5 * 1024 * 1024)
# Checked when the file tells its length (OGG/Opus, what WhatsApp records), before transcribing.
VOICE_NOTE_MAX_SECONDS = env.int("VOICE_NOTE_MAX_SECONDS", default=300)
# Types the transcription API accepts. AMR and raw AAC are left out on purpose: OpenAI rejects them
# (it takes flac, mp3, mp4, mpeg, mpga, m4a, ogg, wav, webm), so downloading them would be wasted.
VOICE_NOTE_CONTENT_TYPES = tuple(
    env.list(
        "VOICE_NOTE_CONTENT_TYPES",
        default=[
            "audio/ogg", "audio/opus", "audio/mpeg", "audio/mp3", "audio/mp4", "audio/m4a",
            "audio/x-m4a", "audio/webm", "audio/wav", "audio/x-wav", "audio/flac",
        ],
    )
)  # fmt: skip
# Whole download (connect, redirects, body) of one file.
VOICE_NOTE_DOWNLOAD_TIMEOUT_S = env.float("VOICE_NOTE_DOWNLOAD_TIMEOUT_S", default=8.0)
# Everything the voice notes of one turn may take (downloads and transcriptions, retries included),
# on top of LLM_WHATSAPP_BUDGET_S and within the task's soft time limit.
VOICE_NOTE_BUDGET_S = env.float("VOICE_NOTE_BUDGET_S", default=25.0)
OPENAI_TRANSCRIPTION_MODEL = env.str("OPENAI_TRANSCRIPTION_MODEL", default="gpt-4o-mini-transcribe")
OPENAI_TRANSCRIPTION_LANGUAGE = env.str("OPENAI_TRANSCRIPTION_LANGUAGE", default="es")
OPENAI_TRANSCRIPTION_TIMEOUT_S = env.float("OPENAI_TRANSCRIPTION_TIMEOUT_S", default=15.0)
OPENAI_TRANSCRIPTION_MAX_RETRIES = env.int("OPENAI_TRANSCRIPTION_MAX_RETRIES", default=1)
_VOICE_RULES = (
    (10_000 <= VOICE_NOTE_MAX_BYTES <= 25 * 1024 * 1024,
     "VOICE_NOTE_MAX_BYTES must be between 10000 and 26214400 (the transcription API's 25 MB)."),
    (VOICE_NOTE_MAX_SECONDS >= 5, "VOICE_NOTE_MAX_SECONDS must be at least 5."),
    (all("/" in t for t in VOICE_NOTE_CONTENT_TYPES),
     "VOICE_NOTE_CONTENT_TYPES: comma-separated MIME types (audio/ogg,audio/mpeg)."),
    (0 < VOICE_NOTE_DOWNLOAD_TIMEOUT_S <= VOICE_NOTE_BUDGET_S,
     "Need 0 < VOICE_NOTE_DOWNLOAD_TIMEOUT_S <= VOICE_NOTE_BUDGET_S."),
    (0 < OPENAI_TRANSCRIPTION_TIMEOUT_S <= VOICE_NOTE_BUDGET_S,
     "Need 0 < OPENAI_TRANSCRIPTION_TIMEOUT_S <= VOICE_NOTE_BUDGET_S."),
    (0 <= OPENAI_TRANSCRIPTION_MAX_RETRIES <= 3,
     "OPENAI_TRANSCRIPTION_MAX_RETRIES must be between 0 and 3."),
    (VOICE_NOTE_BUDGET_S + LLM_WHATSAPP_BUDGET_S <= CELERY_TASK_SOFT_TIME_LIMIT - 5,
     "Need VOICE_NOTE_BUDGET_S + LLM_WHATSAPP_BUDGET_S <= CELERY_TASK_SOFT_TIME_LIMIT - 5."),
)  # fmt: skip
for _ok, _message in _VOICE_RULES:
    if not _ok:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(_message)
