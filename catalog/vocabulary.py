"""The catalogue's vocabulary, cached per process, and the selectors that match text against it.

``catalog_match_text`` runs on every chat turn, so the compiled vocabulary is cached in process
memory. A version token in the Django cache (Redis in production) tells every process when to
rebuild it; writers call :func:`catalog_vocabulary_invalidate` (imports explicitly, admin edits
through the post_save signals in ``catalog.signals``).
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from typing import cast

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

from catalog.evaluation import Evaluation, evaluate, generate_cases
from catalog.matching import TextMatch, Vocabulary, build_vocabulary
from catalog.models import Car, CarModelReference, CatalogAlias

__all__ = [
    "TextMatch",
    "catalog_match_text",
    "catalog_matching_evaluate",
    "catalog_vocabulary",
    "catalog_vocabulary_invalidate",
]

logger = logging.getLogger(__name__)

_VERSION_KEY = "catalog:vocabulary:version"
_MAX_TEXT = 600  # characters read per message: bounds the cost of a pasted wall of text
_lock = threading.Lock()
_cached: tuple[str | None, Vocabulary] | None = None
# The shared version token is re-read at most every CATALOG_VOCABULARY_RECHECK_S per process (a
# Redis round trip per chat turn otherwise); this process sees its own edits immediately.
_checked: tuple[float, str | None] | None = None


# --- vocabulary cache ----------------------------------------------------------------------------
def _version_token() -> str | None:
    global _checked
    now = time.monotonic()
    checked = _checked
    recheck = settings.CATALOG_VOCABULARY_RECHECK_S
    if checked is not None and now - checked[0] < recheck:
        return checked[1]
    token = _read_version_token()
    _checked = (now, token)
    return token


def _read_version_token() -> str | None:
    try:
        token = cache.get(_VERSION_KEY)
        if token is None:
            cache.add(_VERSION_KEY, uuid.uuid4().hex, timeout=None)
            token = cache.get(_VERSION_KEY)
    except Exception:  # the cache is down: keep serving the vocabulary this process has
        logger.warning("catalog_vocabulary_version_unavailable", exc_info=True)
        return None
    return cast("str | None", token)


def catalog_vocabulary() -> Vocabulary:
    """The compiled vocabulary (names, aliases, body/use words), rebuilt when it changed."""
    global _cached
    token = _version_token()
    cached = _cached
    if cached is not None and (token is None or cached[0] == token):
        return cached[1]
    with _lock:
        cached = _cached  # another thread may have rebuilt it while we waited
        if cached is not None and cached[0] == token and token is not None:
            return cached[1]
        vocabulary = build_vocabulary(
            references=CarModelReference.objects.values_list("make", "model", "body_type", "seats"),
            cars=Car.objects.order_by().values_list("make", "model").distinct(),
            aliases=CatalogAlias.objects.values_list("alias", "make", "model"),
        )
        _cached = (token, vocabulary)
    return vocabulary


def catalog_vocabulary_invalidate() -> None:
    """Forget the vocabulary here now, and in every process once the transaction commits."""
    global _cached, _checked
    _cached = None
    _checked = None

    def bump() -> None:
        global _checked
        _checked = None
        try:
            cache.set(_VERSION_KEY, uuid.uuid4().hex, timeout=None)
        except Exception:
            logger.warning("catalog_vocabulary_bump_failed", exc_info=True)

    transaction.on_commit(bump)


def catalog_match_text(*, text: str, car_context: bool = False) -> TextMatch:
    """Make, model, body type, uses and transmission named in a customer's message.

    Tolerant to typos, accents, case and spacing ("toyta corola", "nisan versa", "mazda3", "crv",
    "volks wagen"). Names of 3 characters or fewer match only exactly or through an alias, and
    names that are ordinary words ("uno", "rio") only next to their make. A near miss comes back
    as ``suggestion`` ("¿Quisiste decir Toyota Corolla?") instead of a guess.
    """
    return catalog_vocabulary().match(text[:_MAX_TEXT], car_context=car_context)


def catalog_matching_evaluate(*, seed: int, per_kind: int) -> Evaluation | None:
    """Score the matcher on a typo test set generated from the cars in stock (None: no cars)."""
    pairs = list(
        Car.objects.filter(available=True).order_by().values_list("make", "model").distinct()
    )
    if not pairs:
        return None
    vocabulary = catalog_vocabulary()
    cases = generate_cases(pairs=pairs, seed=seed, per_kind=per_kind)
    return evaluate(cases, vocabulary.match)
