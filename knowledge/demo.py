"""The demo articles shipped with the project (``knowledge/data/articles/*.md``).

Each file is Markdown with a small YAML front-matter::

    ---
    title: Garantía
    slug: garantia
    tags: [garantía, cobertura]
    golden:
      - cuanto dura la garantia
    ---
    ## Sección
    Texto…
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import yaml

ARTICLES_DIR = Path(__file__).resolve().parent / "data" / "articles"


@dataclass(frozen=True)
class DemoArticle:
    slug: str
    title: str
    tags: tuple[str, ...]
    body: str
    golden: tuple[str, ...]


def parse_article(source: str, *, name: str) -> DemoArticle:
    """Split front-matter and body; a file without title or slug is a packaging error."""
    if not source.startswith("---\n"):
        raise ValueError(f"{name}: falta el encabezado YAML (---)")
    header, sep, body = source[4:].partition("\n---\n")
    if not sep:
        raise ValueError(f"{name}: el encabezado YAML no está cerrado (---)")
    meta = yaml.safe_load(header) or {}
    missing = [key for key in ("title", "slug") if not meta.get(key)]
    if missing:
        raise ValueError(f"{name}: faltan {', '.join(missing)} en el encabezado")
    return DemoArticle(
        slug=str(meta["slug"]),
        title=str(meta["title"]),
        tags=tuple(str(t) for t in meta.get("tags") or ()),
        body=body.strip() + "\n",
        golden=tuple(str(q) for q in meta.get("golden") or ()),
    )


@functools.cache
def demo_articles() -> tuple[DemoArticle, ...]:
    return tuple(
        parse_article(path.read_text(encoding="utf-8"), name=path.name)
        for path in sorted(ARTICLES_DIR.glob("*.md"))
    )
