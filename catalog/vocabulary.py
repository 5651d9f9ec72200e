"""The catalogue's vocabulary, cached per process, and the selectors that match text against it.

``catalog_match_text`` runs on every chat turn, so the compiled vocabulary is cached in process
memory. A version token in the Django cache (Redis in production) tells every process when to
rebuild it; writers call :func:`catalog_vocabulary_invalidate` (imports explicitly, admin edits
through the post_save signals in ``catalog.signals``).
"""

from __future__ import annotations

from django.conf import settings

from catalog.evaluation import Evaluation, evaluate, generate_cases
from catalog.matching import TextMatch, Vocabulary
from catalog.models import Car, CarModelReference, CatalogAlias
from catalog.vocabulary_compiler import build_vocabulary
from kavak.versioned_memo import VersionedMemo

__all__ = [
    "TextMatch",
    "catalog_match_text",
    "catalog_matching_evaluate",
    "catalog_vocabulary",
    "catalog_vocabulary_invalidate",
]

_MAX_TEXT = 600  # characters read per message: bounds the cost of a pasted wall of text


def _vocabulary_build() -> Vocabulary:
    return build_vocabulary(
        references=CarModelReference.objects.values_list("make", "model", "body_type", "seats"),
        cars=Car.objects.order_by().values_list("make", "model").distinct(),
        aliases=CatalogAlias.objects.values_list("alias", "make", "model"),
    )


# The shared version token is re-read at most every CATALOG_VOCABULARY_RECHECK_S per process (a
# Redis round trip per chat turn otherwise); this process sees its own edits immediately.
_vocabulary: VersionedMemo[Vocabulary] = VersionedMemo(
    name="catalog:vocabulary",
    log_name="catalog_vocabulary",
    build=_vocabulary_build,
    recheck_s=lambda: float(settings.CATALOG_VOCABULARY_RECHECK_S),
)


def catalog_vocabulary() -> Vocabulary:
    """The compiled vocabulary (names, aliases, body/use words), rebuilt when it changed."""
    return _vocabulary.get()


def catalog_vocabulary_invalidate() -> None:
    """Forget the vocabulary here now, and in every process once the transaction commits."""
    _vocabulary.invalidate()


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
