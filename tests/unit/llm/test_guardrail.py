"""The output guardrail as a pure function: faithful rewording passes, ungrounded claims do not."""

from __future__ import annotations

from decimal import Decimal

import pytest

from conversations.llm.guardrail import Grounding, figures, inspect, numbers

WARRANTY = (
    "Garantía de tu auto\nTodos los autos que compras en Kavak incluyen garantía. La garantía "
    "dura 3 meses. La garantía se puede ampliar hasta 1 año. Para solicitarla o extenderla, usa "
    "la app de Kavak: la extensión se llama Kavak Total. Explora el catálogo en kavak.com."
)
OPTIONS_REPLY = (
    "Encontré estas opciones:\n\n"
    "1. *Nissan Versa 2020* 1.6 ADVANCE AUTO — *$239,999.00*, 30,000 km\n"
    "2. *Toyota Corolla 2019* 1.8 SE CVT — *$289,999.00*, 45,000 km\n\n"
    "¿Cuál te interesa? Dime el número de la opción (por ejemplo, «la 2») o el modelo."
)
NAMES = frozenset({"nissan", "versa", "nissanversa", "toyota", "corolla", "toyotacorolla", "crv"})
SYSTEM = (
    "Código interno: KVK-0123456789ABCDEF\nEres el asistente de Kavak México (autos seminuevos) "
    "en WhatsApp. Tu única tarea: responder la pregunta del cliente usando SOLO los fragmentos."
)


def check(output: str, *, ground: str = WARRANTY, **kw: object) -> str | None:
    return inspect(
        output,
        grounding=Grounding(texts=(ground,), car_names=NAMES),
        canary="KVK-0123456789ABCDEF",
        system_prompt=SYSTEM,
        max_chars=1200,
        **kw,  # type: ignore[arg-type]
    )


def test_figures_read_digits_words_and_units() -> None:
    found = figures(
        "cuesta $289,999.00, 45,000 km, 10% de enganche, a 48 meses, tres meses, un año y medio, "
        "300 mil, 1.2 millones, 10 por ciento, un auto, cuarenta y ocho meses"
    )
    assert (Decimal("289999"), "money") in found
    assert (Decimal(45000), "km") in found
    assert (Decimal(10), "pct") in found
    assert (Decimal(48), "dur:mes") in found
    assert (Decimal(3), "dur:mes") in found
    assert (Decimal(1), "dur:ano") in found
    assert (Decimal("0.5"), "plain") in found
    assert (Decimal(300000), "money") in found
    assert (Decimal(1200000), "money") in found
    assert numbers("un auto para la familia") == set()  # "un" is an article here


@pytest.mark.parametrize(
    "output",
    [
        "¡Claro! Todos los autos que compras en Kavak incluyen garantía de 3 meses, y puedes "
        "ampliarla hasta 1 año desde la app de Kavak (se llama Kavak Total).",
        "La garantía dura tres meses y se puede ampliar hasta un año con Kavak Total, en la app.",
        "Con gusto: la garantía de tu auto es de 3 meses; puedes extenderla hasta 1 año. "
        "Puedes ver el catálogo en kavak.com.",
    ],
)
def test_faithful_faq_wording_passes(output: str) -> None:
    assert check(output) is None


def test_faithful_smoothing_keeping_every_figure_passes() -> None:
    smoothed = "¡Claro! Mira lo que encontré para ti:\n\n" + OPTIONS_REPLY.split("\n\n", 1)[1]
    kept = {"reference": OPTIONS_REPLY, "keep_figures": True, "keep_question": True}
    assert check(smoothed, ground=OPTIONS_REPLY, **kept) is None


@pytest.mark.parametrize(
    ("output", "reason"),
    [
        ("", "empty"),
        ("La garantía dura 5 años.", "number"),
        ("La garantía dura cinco años.", "number"),
        ("La garantía dura un año y medio.", "number"),
        ("La garantía dura 3 años.", "number"),  # 3 exists, but as months
        ("Te recomiendo el Nissan Versa por 1 peso.", "number"),
        ("Te recomiendo el Nissan Versa.", "car_name"),
        ("Mejor llévate un Ferrari.", "car_name"),
        ("¡Tu auto es gratis!", "claim"),
        ("Te damos un descuento especial.", "claim"),
        ("Tu crédito ya está aprobado.", "claim"),
        ("Kavak es una estafa.", "off_brand"),
        ("Mándame el NIP de tu tarjeta.", "off_brand"),
        ("Según mis instrucciones no puedo decirte eso.", "meta"),
        ("Visita https://kavak.com/promo", "url"),
        ("Visita www.kavak.com", "url"),
        ("Escríbenos a ventas@kavak-promos.mx", "url"),
        ("Paga en kavak-promos.com", "url"),
        ("Entra a kavak punto com", "url"),
        ("![auto](foto.png)", "markup"),
        ("<b>garantía</b> de 3 meses", "markup"),
        ("El código es KVK-0123456789ABCDEF", "canary"),
        ("El código es kvk 0123 4567 89ab cdef", "canary"),
        ("Eres el asistente de Kavak México (autos seminuevos) en WhatsApp.", "prompt_leak"),
        ("Sure! The warranty is 3 months and you can extend it.", "language"),
        ("x" * 1300, "too_long"),
        (
            "Gatitos suaves duermen tranquilos bajo ventanas soleadas mientras maullan canciones "
            "antiguas sobre ratones traviesos escondidos detrás del refrigerador.",
            "ungrounded_text",
        ),
    ],
)
def test_ungrounded_output_is_rejected(output: str, reason: str) -> None:
    assert check(output) == reason


def test_a_price_needs_a_grounded_price_not_just_the_same_number() -> None:
    """ "1." numbers an option; it is no licence to say the Versa costs 1 peso."""
    reply = OPTIONS_REPLY
    injected = reply.replace("¿Cuál te interesa?", "El Versa cuesta 1 peso. ¿Cuál te interesa?")
    assert check(injected, ground=reply, reference=reply, keep_figures=True) == "number"
    injected = reply.replace("¿Cuál te interesa?", "Hoy el Versa cuesta 1. ¿Cuál te interesa?")
    assert check(injected, ground=reply, reference=reply, keep_figures=True) == "number"


def test_smoothing_must_keep_every_figure_and_the_question() -> None:
    dropped = OPTIONS_REPLY.replace(", 30,000 km", "")
    assert check(dropped, ground=OPTIONS_REPLY, reference=OPTIONS_REPLY, keep_figures=True) == (
        "figure_dropped"
    )
    no_question = OPTIONS_REPLY.rsplit("\n\n", 1)[0]
    kept = {"reference": OPTIONS_REPLY, "keep_figures": True, "keep_question": True}
    assert check(no_question, ground=OPTIONS_REPLY, **kept) == "question_dropped"


def test_the_customer_message_is_not_grounding() -> None:
    """Only the sources ground an answer: a number the customer typed stays ungrounded."""
    assert check("La garantía dura 7 años.", ground=WARRANTY) == "number"


def test_a_word_the_sources_use_is_allowed() -> None:
    ground = "Kavak no cobra comisión. No hay descuentos ni promociones en el precio publicado."
    assert check("En Kavak no hay descuentos ni promociones.", ground=ground) is None
