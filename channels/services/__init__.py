"""WhatsApp channel services: intake exactly once, turns in arrival order, sends exactly once.

The flow (docs/ARCHITECTURE.md, "A WhatsApp message"): ``inbound`` stores each Twilio delivery
once and runs the customer's pending messages as one turn under their row lock; ``outbound``
sends each reply part at most once, in order, reconciling ambiguous outcomes; ``staff`` covers the
back office (replies within the 24-hour window, templates outside it, return to bot).
"""

from channels.services.inbound import (
    ReceiveResult,
    inbound_message_fail,
    inbound_message_process,
    inbound_message_receive,
    whatsapp_pending_sweep,
)
from channels.services.outbound import (
    SendLater,
    outbound_group_abandon,
    outbound_group_answer_in_twiml,
    outbound_group_schedule,
    outbound_group_send,
    template_message_send,
)
from channels.services.staff import (
    staff_reply_send,
    staff_template_send,
    whatsapp_conversation_return_to_bot,
    whatsapp_notice_send,
    whatsapp_satisfaction_ask,
)
from channels.services.statuses import outbound_status_record

__all__ = [
    "ReceiveResult",
    "SendLater",
    "inbound_message_fail",
    "inbound_message_process",
    "inbound_message_receive",
    "outbound_group_abandon",
    "outbound_group_answer_in_twiml",
    "outbound_group_schedule",
    "outbound_group_send",
    "outbound_status_record",
    "staff_reply_send",
    "staff_template_send",
    "template_message_send",
    "whatsapp_conversation_return_to_bot",
    "whatsapp_notice_send",
    "whatsapp_pending_sweep",
    "whatsapp_satisfaction_ask",
]
