"""HTTP interfaces of the conversations app, one module per concern.

``outputs`` (the answer's serializers and ``render_outcome``), ``chat`` (``/chat``), ``web`` (the
demo web chat) and ``financing`` (the amortisation table); their guards (API keys, throttles,
CSRF, body size) are ``kavak.http_guard``. ``conversations/urls.py`` names the views by module.
"""
