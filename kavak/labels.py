"""Spanish labels for the codes the engine and the models store (staff never read raw codes)."""

from __future__ import annotations

STEP_LABELS = {
    "need": "Necesidad",
    "budget": "Presupuesto",
    "options": "Opciones",
    "financing": "Financiamiento",
    "lead_capture": "Datos de contacto",
    "handoff": "Con asesor",
    "done": "Terminada",
}

ACTION_LABELS = {
    "ask_need": "Preguntar qué busca",
    "ask_budget": "Preguntar presupuesto",
    "choose_option": "Elegir un auto",
    "confirm_suggestion": "Confirmar sugerencia",
    "ask_down_payment": "Preguntar enganche",
    "ask_term": "Preguntar plazo",
    "offer_appointment": "Ofrecer cita",
    "ask_name": "Preguntar nombre",
    "ask_phone": "Preguntar teléfono",
    "ask_contact_time": "Preguntar horario",
    "offer_help": "Ofrecer ayuda",
    "answer_faq": "Responder pregunta",
    "handoff_to_human": "Con asesor",
}

CHANNEL_LABELS = {"api": "API", "web": "Chat web", "whatsapp": "WhatsApp", "cli": "Terminal"}

NOTIFICATION_REASON_LABELS = {"lead_captured": "Dejó sus datos", "handoff": "Pidió un asesor"}


def step_label(code: str) -> str:
    return STEP_LABELS.get(code, code or "—")


def action_label(code: str) -> str:
    return ACTION_LABELS.get(code, code or "—")


def channel_label(code: str) -> str:
    return CHANNEL_LABELS.get(code, code or "—")
