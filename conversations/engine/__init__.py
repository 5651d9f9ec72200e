"""The conversation engine: a pure-Python functional core (no Django, no I/O).

``decide(state, inbound, deps, config)`` returns the new state, the reply and the effects to apply;
the imperative shell (``conversations.services``) loads state, calls it, and applies the outputs.
"""
