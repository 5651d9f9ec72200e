"""The WhatsApp adapter of ``leads.ports.LeadNotifier``: the approved salesperson template sent
from the business's default number, through the same exactly-once outbound path as replies."""

from __future__ import annotations

from channels.services import template_message_send
from channels.wiring import whatsapp_default_address, whatsapp_template


class WhatsAppLeadNotifier:
    """Sends through the provider of the default business number (Twilio or Meta)."""

    def _template(self) -> str:
        # The provider's own reference: a Twilio ContentSid or a Meta ``<name>:<language>``.
        return whatsapp_template(purpose="sales", business_address=whatsapp_default_address())

    def enabled(self) -> bool:
        return bool(self._template())

    def send(self, *, key: str, to_phone: str, variables: dict[str, str]) -> str:
        return template_message_send(
            key=key, to_phone=to_phone, content_sid=self._template(), variables=variables
        )
