"""Articles cut into chunks: one per section, split by paragraphs when long, with weighted terms.

No Django, no database.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from knowledge.markdown_text import HEADING, inline_to_text, markdown_block_to_text
from knowledge.text import term_of, terms, words

# --- Chunking -------------------------------------------------------------------------------------

# A chunk should answer one WhatsApp question: a section, split by paragraphs when it is long.
CHUNK_MAX_CHARS = 700
HEADING_WEIGHT = 2  # heading words count twice; title and tags once
# Golden questions staff attach to an article are indexed with the section that answers them
# (document expansion): customers' words that the article never uses ("¿me pagan al momento?")
# then still lead to it, and every golden question added from the unanswered queue teaches the
# index. A term counts at most this much from the questions, so they cannot outweigh the text.
QUESTION_TERM_CAP = 2


@dataclass(frozen=True)
class ChunkDraft:
    """One retrievable piece of an article, ready to be stored."""

    position: int
    heading: str
    text: str
    terms: dict[str, int]
    words: tuple[str, ...]
    length: int


def split_sections(body: str) -> list[tuple[list[str], list[str]]]:
    """Split Markdown into (heading path, blocks) sections; code fences are kept verbatim."""
    sections: list[tuple[list[str], list[str]]] = []
    path: list[tuple[int, str]] = []
    blocks: list[str] = []
    current: list[str] = []
    in_fence = False

    def flush_block() -> None:
        if current:
            blocks.append("\n".join(current))
            current.clear()

    def flush_section() -> None:
        flush_block()
        if blocks:
            sections.append(([text for _, text in path], list(blocks)))
            blocks.clear()

    for line in body.replace("\r\n", "\n").split("\n"):
        if line.strip().startswith("```"):
            in_fence = not in_fence
            continue
        heading = None if in_fence else HEADING.match(line)
        if heading:
            flush_section()
            level = len(heading.group(1))
            path = [(lvl, text) for lvl, text in path if lvl < level]
            path.append((level, inline_to_text(heading.group(2))))
        elif not line.strip() and not in_fence:
            flush_block()
        else:
            current.append(line)
    flush_section()
    return sections


def chunk_article(
    *, title: str, body: str, tags: list[str], questions: list[str] | tuple[str, ...] = ()
) -> list[ChunkDraft]:
    """Chunks of one article, by heading and then by paragraph groups of ≤ CHUNK_MAX_CHARS.

    ``questions`` (the article's golden questions) are added to the chunk that shares most terms
    with each of them (the first chunk on a tie).
    """
    drafts = _chunk_text(title=title, body=body, tags=tags)
    if not drafts or not questions:
        return drafts
    # Matched on each section's own heading (twice) and text: the title and tags are in every
    # section (and the introduction's heading is the title).
    own = [
        Counter(terms(d.text)) + Counter({t: 2 for t in terms(d.heading) if d.heading != title})
        for d in drafts
    ]
    extra: list[Counter[str]] = [Counter() for _ in drafts]
    extra_words: list[set[str]] = [set() for _ in drafts]
    for question in questions:
        q_words = words(question)
        q_terms = [term_of(w) for w in q_words]
        if not q_terms:
            continue
        best = max(
            range(len(drafts)),
            key=lambda i: (sum(min(own[i][t], 2) for t in set(q_terms)), -i),
        )
        extra[best].update(q_terms)
        extra_words[best].update(q_words)
    expanded: list[ChunkDraft] = []
    for draft, counts, new_words in zip(drafts, extra, extra_words, strict=True):
        terms_ = dict(draft.terms)
        for term, n in counts.items():
            terms_[term] = terms_.get(term, 0) + min(n, QUESTION_TERM_CAP)
        expanded.append(
            ChunkDraft(
                position=draft.position,
                heading=draft.heading,
                text=draft.text,
                terms=terms_,
                words=tuple(sorted(set(draft.words) | new_words)),
                length=sum(terms_.values()),
            )
        )
    return expanded


def _chunk_text(*, title: str, body: str, tags: list[str]) -> list[ChunkDraft]:
    drafts: list[ChunkDraft] = []
    title_terms = terms(title) + [t for tag in tags for t in terms(tag)]
    title_words = words(title) + [w for tag in tags for w in words(tag)]
    for heading_path, blocks in split_sections(body):
        heading = heading_path[-1] if heading_path else title
        texts = [t for t in (markdown_block_to_text(b) for b in blocks) if t]
        for group in _group_blocks(texts):
            text = "\n".join(group)
            # The intro has no heading of its own: the title is its heading (so a question that
            # only names the topic, "¿tienen app?", gets the intro rather than a sub-section).
            head_words = [w for h in heading_path or [title] for w in words(h)]
            body_words = words(text)
            counts = Counter(title_terms)
            for word in head_words:
                counts[term_of(word)] += HEADING_WEIGHT
            counts.update(term_of(w) for w in body_words)
            drafts.append(
                ChunkDraft(
                    position=len(drafts),
                    heading=heading[:200],
                    text=text,
                    terms=dict(counts),
                    words=tuple(sorted(set(title_words + head_words + body_words))),
                    length=sum(counts.values()),
                )
            )
    return drafts


def _group_blocks(texts: list[str]) -> list[list[str]]:
    groups: list[list[str]] = []
    size = 0
    for text in texts:
        if groups and size + len(text) <= CHUNK_MAX_CHARS:
            groups[-1].append(text)
            size += len(text) + 1
        else:
            groups.append([text])
            size = len(text)
    return groups
