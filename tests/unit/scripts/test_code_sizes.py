"""scripts/code_sizes.py: the size limits `make test` enforces, on small trees of their own."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.support import ROOT

SCRIPT = ROOT / "scripts" / "code_sizes.py"


def _function(name: str, lines: int, *, decorated: bool = False, indent: str = "") -> str:
    """A function of exactly ``lines`` lines (decorator included)."""
    head = [f"{indent}@staticmethod"] if decorated else []
    body = [f"{indent}    x = {i}" for i in range(lines - len(head) - 2)]
    return "\n".join([*head, f"{indent}def {name}():", *body, f"{indent}    return x"]) + "\n"


def _run(tmp_path: Path, allowlist: str = "", *flags: str) -> subprocess.CompletedProcess[str]:
    listed = tmp_path / "allow.txt"
    listed.write_text(allowlist)
    return subprocess.run(
        [sys.executable, str(SCRIPT), "--root", str(tmp_path), "--apps", "app",
         "--allowlist", str(listed), *flags],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip


def _write(tmp_path: Path, relative: str, text: str) -> None:
    path = tmp_path / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def test_passes_when_every_file_and_function_is_within_the_limits(tmp_path: Path) -> None:
    _write(tmp_path, "app/ok.py", _function("f", 80) + "\n" * 400)
    result = _run(tmp_path)
    assert result.returncode == 0, result.stdout
    assert "code sizes: OK (1 files, 1 functions)" in result.stdout


def test_fails_on_a_file_over_500_lines_not_allow_listed(tmp_path: Path) -> None:
    _write(tmp_path, "app/big.py", "x = 1\n" * 501)
    result = _run(tmp_path)
    assert result.returncode == 1
    assert "app/big.py: 501 lines, over the limit of 500" in result.stdout


def test_fails_on_a_method_over_80_lines_counting_its_decorator(tmp_path: Path) -> None:
    _write(
        tmp_path,
        "app/views.py",
        "class View:\n" + _function("m", 81, decorated=True, indent="    "),
    )
    result = _run(tmp_path)
    assert result.returncode == 1
    assert "app/views.py::View.m: 81 lines, over the limit of 80" in result.stdout


def test_nested_functions_are_measured_under_their_qualified_name(tmp_path: Path) -> None:
    inner = _function("inner", 81, indent="    ")
    _write(tmp_path, "app/nested.py", f"def outer():\n{inner}    return inner\n")
    result = _run(tmp_path, "app/nested.py::outer 83\n")
    assert result.returncode == 1
    assert "app/nested.py::outer.<locals>.inner: 81 lines" in result.stdout


def test_migrations_and_tests_are_not_application_code(tmp_path: Path) -> None:
    _write(tmp_path, "app/migrations/0001_initial.py", "x = 1\n" * 900)
    _write(tmp_path, "app/tests/test_big.py", "x = 1\n" * 900)
    _write(tmp_path, "app/test_inline.py", _function("f", 200))
    result = _run(tmp_path)
    assert result.returncode == 0, result.stdout
    assert "(0 files, 0 functions)" in result.stdout


def test_an_allow_listed_entry_passes_at_its_size_and_fails_when_it_grows(
    tmp_path: Path,
) -> None:
    _write(tmp_path, "app/big.py", "x = 1\n" * 600 + _function("long", 90))
    allowlist = "# sizes when the limits were set\napp/big.py 690\napp/big.py::long 90\n"
    assert _run(tmp_path, allowlist).returncode == 0

    _write(tmp_path, "app/big.py", "x = 1\n" * 601 + _function("long", 91))
    result = _run(tmp_path, allowlist)
    assert result.returncode == 1
    assert "app/big.py: 692 lines, grew beyond its allow-listed 690" in result.stdout
    assert "app/big.py::long: 91 lines, grew beyond its allow-listed 90" in result.stdout


def test_prints_the_allow_list_entries_that_can_shrink_or_go(tmp_path: Path) -> None:
    _write(tmp_path, "app/big.py", "x = 1\n" * 550)
    _write(tmp_path, "app/small.py", _function("f", 40))
    allowlist = "app/big.py 600\napp/small.py 700\napp/small.py::f 120\napp/gone.py 800\n"
    result = _run(tmp_path, allowlist)
    assert result.returncode == 0, result.stdout
    assert "lower app/big.py from 600 to 550" in result.stdout
    assert "remove app/small.py (40 lines, within 500)" in result.stdout
    assert "remove app/small.py::f (40 lines, within 80)" in result.stdout
    assert "remove app/gone.py (no longer exists)" in result.stdout


def test_a_malformed_allow_list_line_stops_the_check(tmp_path: Path) -> None:
    _write(tmp_path, "app/ok.py", "x = 1\n")
    result = _run(tmp_path, "app/ok.py many\n")
    assert result.returncode != 0
    assert "expected '<path>[::<function>] <lines>'" in result.stderr


def test_print_allowlist_lists_what_is_over_the_limits_now(tmp_path: Path) -> None:
    _write(tmp_path, "app/big.py", "x = 1\n" * 520 + _function("long", 85))
    _write(tmp_path, "app/ok.py", _function("f", 30))
    result = _run(tmp_path, "", "--print-allowlist")
    assert result.returncode == 0
    assert result.stdout.splitlines() == ["app/big.py 605", "app/big.py::long 85"]
