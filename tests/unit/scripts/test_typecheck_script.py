"""scripts/typecheck.py: how it reads the shrinking mypy lists and judges them (mypy not run)."""

from __future__ import annotations

import importlib.util
import tomllib
from collections import Counter
from pathlib import Path
from types import ModuleType

from tests.support import ROOT


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("typecheck", ROOT / "scripts" / "typecheck.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


typecheck = _script()

CONFIG = """[tool.mypy]
strict = true
cache_dir = "var/mypy_cache"

[[tool.mypy.overrides]]
module = ["vendor.*"]
ignore_missing_imports = true

# Errors today.
[[tool.mypy.overrides]]
# shrinking list (scripts/typecheck.py)
module = [
    "app.a", "app.b",
]
ignore_errors = true

[[tool.mypy.overrides]]
# shrinking list (scripts/typecheck.py)
module = ["app.c"]
disallow_untyped_defs = false

[tool.other]
kept = true
"""


def test_shrinking_modules_are_the_marked_sections_in_order() -> None:
    _, sections = typecheck.split_sections(CONFIG)
    assert typecheck.shrinking_modules(sections) == ["app.a", "app.b", "app.c"]


def test_config_without_lists_keeps_everything_else_with_its_own_cache() -> None:
    derived = tomllib.loads(typecheck.config_without_lists(CONFIG, "var/other_cache"))
    assert derived["tool"]["mypy"]["strict"] is True
    assert derived["tool"]["mypy"]["cache_dir"] == "var/other_cache"
    assert derived["tool"]["mypy"]["overrides"] == [
        {"module": ["vendor.*"], "ignore_missing_imports": True}
    ]
    assert derived["tool"]["other"] == {"kept": True}


def test_errors_are_counted_per_module_when_mypy_prints_them() -> None:
    output = (
        "app/a.py:3: error: Missing return  [return]\n"
        "app/a.py:3: note: a note is not an error\n"
        "app/pkg/__init__.py:9: error: Bad  [misc]\n"
        "app/a.py:7: error: Again  [misc]\n"
        "Found 3 errors in 2 files (checked 9 source files)\n"
    )
    assert typecheck.errors_per_module(output) == Counter({"app.a": 2, "app.pkg": 1})


def test_listed_module_fails_when_it_passes_or_does_not_exist(tmp_path: Path) -> None:
    (tmp_path / "app").mkdir()
    for name in ("a.py", "b.py", "gunicorn.conf.py"):
        (tmp_path / "app" / name).write_text("")
    listed = ["app.a", "app.b", "app.gunicorn.conf", "app.gone"]
    counts = Counter({"app.a": 4, "app.gunicorn.conf": 1})
    failures = typecheck.check_lists(listed, counts, tmp_path)
    assert failures == [
        "app.b: passes strict now (delete its line from pyproject.toml)",
        "app.gone: no such module (delete its line)",
    ]


def test_project_configuration_has_lists_the_script_can_drop() -> None:
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    listed = typecheck.shrinking_modules(typecheck.split_sections(text)[1])
    derived = tomllib.loads(typecheck.config_without_lists(text, "var/mypy_cache_ratchet"))
    kept = [m for o in derived["tool"]["mypy"]["overrides"] for m in o["module"]]
    assert not set(listed) & set(kept)
    assert derived["tool"]["django-stubs"] == tomllib.loads(text)["tool"]["django-stubs"]
