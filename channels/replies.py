"""Spanish copy the WhatsApp channel itself sends (the agent's replies live in the engine).

These are channel rules, not conversation steps: media we cannot read (voice notes we could not
transcribe included), the rate-limit notice and the opt-out/opt-in confirmations. Placeholders
are what staff read in the transcript.
"""

from __future__ import annotations


def text_only() -> str:
    return (
        "¡Gracias por tu mensaje! Por ahora solo puedo leer texto 🙂. "
        "¿Me escribes en un mensaje lo que necesitas?"
    )


def voice_note_unheard(*, can_listen: bool) -> str:
    """A voice note we did not turn into text: the LLM is off (``can_listen=False``) or
    downloading or transcribing it failed. Either way: one request to write it instead."""
    if can_listen:
        return (
            "¡Gracias por tu nota de voz! No logré escucharla bien 🙏. "
            "¿Me escribes en un mensaje lo que necesitas?"
        )
    return (
        "¡Gracias por tu nota de voz! Por ahora no puedo escuchar audios 🙂. "
        "¿Me escribes en un mensaje lo que necesitas?"
    )


def voice_note_transcript(text: str) -> str:
    """How a transcribed voice note appears in the transcript staff read."""
    return f"🎤 nota de voz: {text}"


def rate_limited() -> str:
    return (
        "Recibí muchos mensajes tuyos en muy poco tiempo, así que haré una pausa breve. "
        "En unos minutos podemos seguir con gusto."
    )


def opted_out() -> str:
    return (
        "Listo, ya no te enviaremos mensajes por este medio. "
        "Si quieres retomar la conversación, escribe *ALTA*."
    )


def opted_in() -> str:
    return "¡Qué gusto tenerte de vuelta! Ya puedo responderte otra vez. ¿En qué te ayudo?"


_KIND_LABELS = {
    "image": "imagen",
    "sticker": "sticker",
    "audio": "nota de voz",
    "video": "video",
    "document": "documento",
    "location": "ubicación",
    "contacts": "contacto",
}


def placeholder(*, kind: str, detail: str = "") -> str:
    """How a message we cannot read appears in the transcript, e.g. ``[nota de voz]``."""
    label = _KIND_LABELS.get(kind, "mensaje sin texto")
    return f"[{label}: {detail}]" if detail else f"[{label}]"
