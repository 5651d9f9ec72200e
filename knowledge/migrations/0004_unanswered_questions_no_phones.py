"""Scrub phone numbers from the unanswered-questions queue (issue 18).

Earlier releases stored the normalised question with every digit, the example with the log
masker's ``***dddd`` (or, before it, as typed) and whatever reference the channel gave. Every
field is rewritten with ``kavak.phones.mask_phone_numbers``; the normalised text is rebuilt from
the scrubbed example, and rows that become the same question are merged (counts added, the most
recent example and status kept), since ``normalized`` is unique. Not reversible: the numbers are
gone.
"""

from __future__ import annotations

import re

from django.db import migrations

_LOG_MASK = re.compile(r"\*\*\*\d{4}\b")


def _scrub(text: str) -> str:
    from kavak.phones import PHONE_PLACEHOLDER, mask_phone_numbers

    return _LOG_MASK.sub(PHONE_PLACEHOLDER, mask_phone_numbers(text or ""))


def scrub_phones(apps, schema_editor) -> None:  # type: ignore[no-untyped-def]
    from knowledge.services import unanswered_question_normalize

    question_model = apps.get_model("knowledge", "UnansweredQuestion")
    kept: dict[str, object] = {}
    for row in question_model.objects.order_by("-last_seen_at", "-pk"):
        example = _scrub(row.example)
        normalized = unanswered_question_normalize(example) or _scrub(row.normalized)[:300]
        survivor = kept.get(normalized)
        if survivor is None:
            row.example = example
            row.normalized = f"migrating-{row.pk}"  # free the unique value until the end
            row.conversation_ref = _scrub(row.conversation_ref)[:100]
            row.save(update_fields=["example", "normalized", "conversation_ref"])
            row.final_normalized = normalized
            kept[normalized] = row
            continue
        # Rows come newest first: the survivor keeps its example, status and last sighting.
        survivor.count += row.count
        survivor.first_seen_at = min(survivor.first_seen_at, row.first_seen_at)
        row.delete()
    for normalized, row in kept.items():
        row.normalized = normalized
        row.save(update_fields=["normalized", "count", "first_seen_at"])


class Migration(migrations.Migration):
    dependencies = [("knowledge", "0003_indexer_version")]

    operations = [migrations.RunPython(scrub_phones, migrations.RunPython.noop)]
