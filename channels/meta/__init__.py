"""Meta WhatsApp Cloud API adapters: webhook verification, signatures, payload parsing and the
Graph API sender (plain ``requests``; Meta ships no official Python SDK)."""
