"""Relative links of the Markdown documents that point at nothing.

Reads the Markdown files at the repository root and under docs/ (``[text](target)`` links; web
addresses are not checked) and fails (exit status 1) when a target file or folder does not
exist, relative to the document that links to it, or when an ``#anchor`` into a Markdown file
names none of its headings (GitHub's slugs: lower case, punctuation dropped, spaces to hyphens).

    python scripts/check_links.py
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# [text](target) and [text](target "title"); images too. Not inside inline code spans.
LINK = re.compile(r"\[[^\]]*\]\((?P<target>[^)\s]+)(?:\s+\"[^\"]*\")?\)")
CODE_SPAN = re.compile(r"`[^`]*`")
EXTERNAL = ("http://", "https://", "mailto:")
HEADING = re.compile(r"^#{1,6}\s+(?P<title>.+?)\s*#*\s*$")


def slug(title: str) -> str:
    """GitHub's anchor for a heading."""
    text = CODE_SPAN.sub(lambda m: m.group(0).strip("`"), title).strip().lower()
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def anchors(document: Path) -> set[str]:
    found = set()
    in_fence = False
    for line in document.read_text(encoding="utf-8").splitlines():
        if line.lstrip().startswith("```"):
            in_fence = not in_fence
        elif not in_fence and (match := HEADING.match(line)):
            found.add(slug(match["title"]))
    return found


def documents(root: Path) -> list[Path]:
    return sorted([*root.glob("*.md"), *(root / "docs").glob("*.md")])


def broken_links(document: Path, root: Path) -> list[str]:
    broken = []
    in_fence = False
    text = document.read_text(encoding="utf-8")
    for number, line in enumerate(text.splitlines(), start=1):
        if line.lstrip().startswith("```"):
            in_fence = not in_fence
            continue
        if in_fence:
            continue
        for match in LINK.finditer(CODE_SPAN.sub("", line)):
            target = match["target"]
            if target.startswith(EXTERNAL):
                continue
            path, _, anchor = target.partition("#")
            linked = document.parent / path if path else document
            if not linked.exists() or (
                anchor and linked.suffix == ".md" and anchor not in anchors(linked)
            ):
                broken.append(f"{document.relative_to(root)}:{number}: {target}")
    return broken


def main(root: Path = ROOT) -> int:
    broken = [link for document in documents(root) for link in broken_links(document, root)]
    for link in broken:
        print(f"broken link: {link}")
    print(f"links: {'FAIL' if broken else 'OK'} ({len(documents(root))} documents)")
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
