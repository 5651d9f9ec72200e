"""HTTP interfaces of the conversations app, one module per concern.

``guards`` (API keys, throttles, CSRF, body size), ``outputs`` (the answer's serializers and
``render_outcome``), ``chat`` (``/chat``), ``web`` (the demo web chat) and ``financing`` (the
amortisation table). ``conversations/urls.py`` names the views by their module.
"""
