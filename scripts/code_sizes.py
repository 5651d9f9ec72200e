"""Largest files and functions of the application code, and the limits `make test` enforces.

A file of application code may have at most ``MAX_FILE_LINES`` lines and a function (or method,
nested ones included) at most ``MAX_FUNCTION_LINES`` lines, decorators and docstring included.
Migrations and tests are not application code. The entries of the allow-list
(``scripts/code_sizes_allowlist.txt``) are the ones that were over a limit when it was set: each
carries its size then, and may only shrink. The script fails (exit status 1) when a file or
function over a limit is not on the list, or when a listed one grew beyond its listed size; it
prints the listed entries that are back under their limit (remove them) and the ones that shrank
(lower their size), so that the list only ever gets shorter.

    python scripts/code_sizes.py                 # report, then check (what `make test` runs)
    python scripts/code_sizes.py --top 30        # a longer report
    python scripts/code_sizes.py --root /some/tree --allowlist /some/list.txt --apps pkg_a pkg_b
    python scripts/code_sizes.py --print-allowlist   # what is over now, in the list's format

Allow-list lines: ``<path> <lines>`` for a file, ``<path>::<Qualified.name> <lines>`` for a
function (``Class.method``, ``outer.<locals>.inner``); ``#`` starts a comment.
"""

from __future__ import annotations

import argparse
import ast
import sys
from dataclasses import dataclass
from pathlib import Path

MAX_FILE_LINES = 500
MAX_FUNCTION_LINES = 80
# The Django apps, the project package and the Spanish-text package: what `make test` measures
# coverage of.
APPS = (
    "kavak",
    "conversations",
    "leads",
    "catalog",
    "knowledge",
    "channels",
    "backoffice",
    "spanish",
)
EXCLUDED_DIRS = frozenset({"migrations", "tests", "__pycache__"})
ROOT = Path(__file__).resolve().parent.parent
ALLOWLIST = Path(__file__).resolve().parent / "code_sizes_allowlist.txt"


@dataclass(frozen=True)
class Size:
    key: str  # "path" or "path::Qualified.name"
    lines: int
    limit: int


def application_files(root: Path, apps: tuple[str, ...]) -> list[Path]:
    """Every ``.py`` file under the apps, without migrations and test modules."""
    files = []
    for app in apps:
        for path in sorted((root / app).rglob("*.py")):
            relative = path.relative_to(root)
            if EXCLUDED_DIRS.intersection(relative.parts[:-1]):
                continue
            if path.name.startswith("test_") or path.name == "conftest.py":
                continue
            files.append(path)
    return files


def function_sizes(source: str, path: str) -> list[Size]:
    """Lines of every function and method, from its first decorator to its last line."""
    sizes: list[Size] = []

    def visit(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                name = f"{prefix}{child.name}"
                first = min([child.lineno, *(d.lineno for d in child.decorator_list)])
                last = child.end_lineno or child.lineno
                sizes.append(Size(f"{path}::{name}", last - first + 1, MAX_FUNCTION_LINES))
                visit(child, f"{name}.<locals>.")
            elif isinstance(child, ast.ClassDef):
                visit(child, f"{prefix}{child.name}.")
            else:
                visit(child, prefix)

    visit(ast.parse(source, filename=path), "")
    return sizes


def measure(root: Path, apps: tuple[str, ...]) -> tuple[list[Size], list[Size]]:
    files: list[Size] = []
    functions: list[Size] = []
    for path in application_files(root, apps):
        relative = path.relative_to(root).as_posix()
        source = path.read_text(encoding="utf-8")
        files.append(Size(relative, len(source.splitlines()), MAX_FILE_LINES))
        functions.extend(function_sizes(source, relative))
    return files, functions


def read_allowlist(path: Path) -> dict[str, int]:
    allowed: dict[str, int] = {}
    if not path.exists():
        return allowed
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        parts = line.split()
        if len(parts) != 2 or not parts[1].isdigit():
            expected = "'<path>[::<function>] <lines>'"
            raise SystemExit(f"{path}:{number}: expected {expected}, got {raw!r}")
        if parts[0] in allowed:
            raise SystemExit(f"{path}:{number}: {parts[0]} is listed twice")
        allowed[parts[0]] = int(parts[1])
    return allowed


def check(sizes: list[Size], allowed: dict[str, int]) -> tuple[list[str], list[str]]:
    """(failures, hints): what breaks the limits, and how the allow-list can shrink."""
    failures: list[str] = []
    hints: list[str] = []
    seen = {size.key: size for size in sizes}
    for size in sizes:
        listed = allowed.get(size.key)
        if listed is None:
            if size.lines > size.limit:
                failures.append(
                    f"{size.key}: {size.lines} lines, over the limit of {size.limit} "
                    "(split it; the allow-list is only for what was over before)"
                )
        elif size.lines > listed:
            failures.append(
                f"{size.key}: {size.lines} lines, grew beyond its allow-listed {listed} "
                "(allow-listed entries may only shrink)"
            )
        elif size.lines <= size.limit:
            hints.append(f"remove {size.key} ({size.lines} lines, within {size.limit})")
        elif size.lines < listed:
            hints.append(f"lower {size.key} from {listed} to {size.lines}")
    hints.extend(f"remove {key} (no longer exists)" for key in allowed if key not in seen)
    return failures, hints


def report(title: str, sizes: list[Size], top: int) -> None:
    print(f"{title} (limit {sizes[0].limit if sizes else '-'} lines):")
    for size in sorted(sizes, key=lambda s: (-s.lines, s.key))[:top]:
        flag = "  over" if size.lines > size.limit else ""
        print(f"  {size.lines:5d}  {size.key}{flag}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--root", type=Path, default=ROOT, help="the repository root")
    parser.add_argument("--apps", nargs="+", default=list(APPS), help="packages to measure")
    parser.add_argument("--allowlist", type=Path, default=ALLOWLIST)
    parser.add_argument("--top", type=int, default=10, help="rows per table")
    parser.add_argument(
        "--print-allowlist",
        action="store_true",
        help="print every entry over a limit now, as allow-list lines (to set the list once)",
    )
    args = parser.parse_args(argv)

    files, functions = measure(args.root, tuple(args.apps))
    if args.print_allowlist:
        for size in sorted(files + functions, key=lambda s: s.key):
            if size.lines > size.limit:
                print(f"{size.key} {size.lines}")
        return 0
    report("Largest files", files, args.top)
    report("Largest functions", functions, args.top)
    failures, hints = check(files + functions, read_allowlist(args.allowlist))
    if hints:
        print(f"\nThe allow-list ({args.allowlist.name}) can shrink:")
        for hint in hints:
            print(f"  {hint}")
    if failures:
        print(f"\ncode sizes: FAIL ({len(failures)})")
        for failure in failures:
            print(f"  {failure}")
        return 1
    print(f"\ncode sizes: OK ({len(files)} files, {len(functions)} functions)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
