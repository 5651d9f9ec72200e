"""The optional LLM (``LLM_ENABLED``): it phrases and parses, it never decides or states facts.

Ports (``ports.py``), the OpenAI adapter and the null object, the output guardrail, a circuit
breaker shared across processes, the Spanish system prompts, and the three uses (``services.py``):
phrase a grounded FAQ answer, suggest slots the deterministic parser missed, smooth a reply. Every
failure returns ``None`` and the deterministic reply stands.
"""
