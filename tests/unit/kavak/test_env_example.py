"""Every variable the code reads is documented in .env.example."""

from __future__ import annotations

import re

from tests.support import ROOT

_READERS = re.compile(
    r"(?:env\.\w+|env_choice|env_required|os\.environ\.get|os\.environ\.setdefault)\(\s*\"([A-Z][A-Z0-9_]+)\""
)


def test_env_example_lists_every_variable_read_by_settings_and_gunicorn() -> None:
    sources = [
        *sorted((ROOT / "kavak" / "settings").glob("*.py")),
        ROOT / "kavak" / "gunicorn.conf.py",
    ]
    read = {name for path in sources for name in _READERS.findall(path.read_text())}
    documented = set(re.findall(r"^([A-Z][A-Z0-9_]+)=", (ROOT / ".env.example").read_text(), re.M))
    assert len(read) > 40
    assert read - documented == set()
