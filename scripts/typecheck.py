"""mypy over the application code, and the check that keeps its relaxed lists shrinking.

``[tool.mypy]`` in pyproject.toml makes every module strict, then lets off the modules listed in
the ``[[tool.mypy.overrides]]`` sections marked ``# shrinking list`` (``ignore_errors``: the
modules with errors today). Those lists may only get shorter. This script:

1. runs mypy with the project's configuration (what must pass);
2. runs it again with the shrinking lists left out, and fails when a listed module has no error
   any more (delete its line: it passes, so keeping it listed would let new errors in unseen), or
   when a listed module does not exist. It prints the errors left per listed module, the to-do.

    python scripts/typecheck.py            # both steps (what `make typecheck` and `make test` run)
    python scripts/typecheck.py --quick    # step 1 only

Step 2 keeps its own cache (var/mypy_cache_ratchet), so both runs are incremental.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import tomllib
from collections import Counter
from pathlib import Path

from mypy import api

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = ROOT / "pyproject.toml"
MARKER = "# shrinking list"
SECTION = "[[tool.mypy.overrides]]"
ERROR_LINE = re.compile(r"^(?P<path>[^:\s]+\.py):\d+: error: ")


def split_sections(text: str) -> tuple[str, list[str]]:
    """The text before the first override section, and each override section's text."""
    head, *rest = text.split(f"\n{SECTION}\n")
    return head, [f"{SECTION}\n{chunk}" for chunk in rest]


def shrinking_modules(sections: list[str]) -> list[str]:
    """The modules listed in the sections that carry the marker, in order."""
    modules: list[str] = []
    for section in sections:
        if MARKER in section:
            # Whatever follows the section (another table) ends its TOML at the next "\n[".
            table = tomllib.loads(section.split("\n[", 1)[0])
            modules.extend(table["tool"]["mypy"]["overrides"][0]["module"])
    return modules


def config_without_lists(text: str, cache_dir: str) -> str:
    """The project's configuration, less the shrinking lists, with a cache of its own."""
    head, sections = split_sections(text)
    kept = [section for section in sections if MARKER not in section]
    tail = ""
    if sections and MARKER in sections[-1] and "\n[" in sections[-1]:
        # A table after the last override section belongs to the file, not to the section.
        tail = "\n[" + sections[-1].split("\n[", 1)[1]
    head = re.sub(r'^cache_dir = ".*"$', f'cache_dir = "{cache_dir}"', head, flags=re.M)
    return "\n".join([head, *kept]) + tail


def module_of(path: str) -> str:
    name = path.removesuffix(".py").replace("/", ".")
    return name.removesuffix(".__init__")


def errors_per_module(output: str) -> Counter[str]:
    counts: Counter[str] = Counter()
    for line in output.splitlines():
        match = ERROR_LINE.match(line)
        if match:
            counts[module_of(match["path"])] += 1
    return counts


def existing(module: str, root: Path) -> bool:
    """Whether a file of the tree is that module (kavak/gunicorn.conf.py: "kavak.gunicorn.conf")."""
    top = root / module.split(".", 1)[0]
    return any(module_of(path.relative_to(root).as_posix()) == module for path in top.rglob("*.py"))


def check_lists(listed: list[str], counts: Counter[str], root: Path) -> list[str]:
    """Failures: listed modules that pass without being listed, or that do not exist."""
    failures = []
    for module in listed:
        if not existing(module, root):
            failures.append(f"{module}: no such module (delete its line)")
        elif counts[module] == 0:
            failures.append(f"{module}: passes strict now (delete its line from pyproject.toml)")
    return failures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--quick", action="store_true", help="mypy only, no list check")
    args = parser.parse_args(argv)
    os.chdir(ROOT)  # the configuration's paths are relative to the repository root

    stdout, stderr, status = api.run(["--config-file", str(PYPROJECT)])
    sys.stdout.write(stdout)
    sys.stderr.write(stderr)
    if status != 0 or args.quick:
        return status

    text = PYPROJECT.read_text(encoding="utf-8")
    listed = shrinking_modules(split_sections(text)[1])
    if not listed:
        print("mypy lists: none (every module is strict)")
        return 0
    derived = ROOT / "var" / "mypy_ratchet.toml"
    derived.parent.mkdir(exist_ok=True)
    derived.write_text(config_without_lists(text, "var/mypy_cache_ratchet"), encoding="utf-8")
    stdout, stderr, status = api.run(["--config-file", str(derived)])
    if status not in (0, 1):
        sys.stdout.write(stdout)
        sys.stderr.write(stderr)
        return status
    counts = errors_per_module(stdout)
    failures = check_lists(listed, counts, ROOT)
    left = sorted(((counts[m], m) for m in listed if counts[m]), reverse=True)
    print(f"\nStrict errors left in the {len(listed)} listed modules: {sum(n for n, _ in left)}")
    for count, module in left[:10]:
        print(f"  {count:4d}  {module}")
    if failures:
        print(f"\nmypy lists: FAIL ({len(failures)})")
        for failure in failures:
            print(f"  {failure}")
        return 1
    print("mypy lists: OK (every listed module still has errors)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
