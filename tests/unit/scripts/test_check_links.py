"""scripts/check_links.py: relative links of the Markdown documents, on a small tree of its own."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

from tests.support import ROOT


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "check_links", ROOT / "scripts" / "check_links.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


check_links = _script()


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "GUIDE.md").write_text(
        "# Guide\n\n## Production shape: a model call `never` holds a process\n\n"
        "[up](../README.md) [self](#guide)\n"
    )
    (tmp_path / "OTHER.md").write_text("# Other\n")
    return tmp_path


def test_links_to_existing_files_and_headings_pass(tree: Path) -> None:
    (tree / "README.md").write_text(
        "[guide](docs/GUIDE.md#production-shape-a-model-call-never-holds-a-process) "
        "[web](https://example.com/x) `[code](nowhere.md)`\n"
        "```\n[fenced](nowhere.md)\n```\n"
    )
    assert check_links.main(tree) == 0


def test_missing_file_and_unknown_anchor_fail_with_their_line(tree: Path) -> None:
    (tree / "README.md").write_text("ok\n[gone](docs/GONE.md) [bad](OTHER.md#nope)\n")
    assert check_links.broken_links(tree / "README.md", tree) == [
        "README.md:2: docs/GONE.md",
        "README.md:2: OTHER.md#nope",
    ]
    assert check_links.main(tree) == 1


def test_project_documents_have_no_broken_link() -> None:
    assert check_links.main(ROOT) == 0
