"""Twilio adapters: signature checks, payload parsing, TwiML and the REST sender (twilio SDK)."""
