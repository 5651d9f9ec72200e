"""Business rules (financing, idle reset, satisfaction survey, /chat limits), catalogue and
knowledge-base thresholds.

Part of ``kavak.settings.base``, which imports every module in order.
"""

from __future__ import annotations

from decimal import Decimal

from kavak.env import env

# --- Business rules -----------------------------------------------------------------------------
FINANCING_ANNUAL_RATE = Decimal(env.str("FINANCING_ANNUAL_RATE", default="0.10"))
FINANCING_TERMS_MONTHS = (36, 48, 60, 72)
FINANCING_MIN_DOWN_PAYMENT_RATIO = Decimal("0.10")
CONVERSATION_IDLE_RESET_HOURS = env.int("CONVERSATION_IDLE_RESET_HOURS", default=24)
# Customer satisfaction: one "del 1 al 5" question when a conversation ends (README, CSAT).
CSAT_ENABLED = env.bool("CSAT_ENABLED", default=True)
# /chat: requests per API key (DRF rate syntax) and the request body limit.
CHAT_THROTTLE_RATE = env.str("CHAT_THROTTLE_RATE", default="120/min")
CHAT_MAX_BODY_BYTES = 16 * 1024
WEB_CHAT_THROTTLE_RATE = env.str("WEB_CHAT_THROTTLE_RATE", default="30/min")

# --- Catalogue ----------------------------------------------------------------------------------
# How often a process re-reads the shared vocabulary version (staff edits reach it within this).
CATALOG_VOCABULARY_RECHECK_S = env.float("CATALOG_VOCABULARY_RECHECK_S", default=1.0)
# Verified API keys are remembered per process this long (a revocation takes effect within it).
API_KEY_CACHE_SECONDS = env.int("API_KEY_CACHE_SECONDS", default=30)

# --- Knowledge base -----------------------------------------------------------------------------
# Below this calibrated confidence the agent says it has no confirmed answer and offers an advisor.
KNOWLEDGE_CONFIDENCE_THRESHOLD = env.float("KNOWLEDGE_CONFIDENCE_THRESHOLD", default=0.5)
# Questions answered below this go to the content staff's unanswered-questions queue.
KNOWLEDGE_REVIEW_CONFIDENCE = env.float("KNOWLEDGE_REVIEW_CONFIDENCE", default=0.7)
