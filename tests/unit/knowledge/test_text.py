"""Normalisation, chunking and Markdown handling (pure functions, no database)."""

from __future__ import annotations

import pytest

from knowledge import text as kb_text
from knowledge.chunking import CHUNK_MAX_CHARS, chunk_article
from knowledge.demo import demo_articles, parse_article
from knowledge.markdown_text import markdown_block_to_text, markdown_to_safe_html


def test_fold_strips_accents_and_case_when_customer_types_either_way() -> None:
    assert kb_text.fold("¿Garantía? ÑANDÚ") == "¿garantia? nandu"


def test_words_drop_stop_words_and_expand_slang() -> None:
    assert kb_text.words("Hola, q garantía tienen xq me interesa") == ["garantia"]
    assert kb_text.words("tmb en gdl?") == ["guadalajara"]


@pytest.mark.parametrize(
    ("left", "right"),
    [
        ("sucursal", "sede"),
        ("sucursales", "agencia"),
        ("ubicaciones", "sucursal"),
        ("garantía", "cobertura"),
        ("enganche", "anticipo"),
        ("carro", "auto"),
        ("crédito", "financiamiento"),
        ("papeles", "documentos"),
    ],
)
def test_synonyms_share_one_term(left: str, right: str) -> None:
    assert kb_text.terms(left) == kb_text.terms(right)


def test_phrases_become_single_terms() -> None:
    test_drive = kb_text.term_of("pruebamanejo")
    assert test_drive in kb_text.terms("¿hacen prueba de manejo?")
    assert kb_text.terms("test drive") == [test_drive]
    assert kb_text.terms("lo doy a cuenta") == kb_text.terms("trade in")
    assert "devolu" in kb_text.terms("y si no me gusta?")


@pytest.mark.parametrize("text", ["y el seguro va incluido?", "incluye seguro?", "con seguro"])
def test_insurance_said_as_a_noun_is_the_insurance_term(text: str) -> None:
    insurance = kb_text.term_of("polizaseguro")
    assert insurance in kb_text.terms(text)
    assert insurance not in kb_text.terms("es seguro comprar con ustedes?")


def test_markdown_block_becomes_whatsapp_text() -> None:
    block = "- **Pago** inmediato\n- Ver [el catálogo](https://kavak.com/mx)\n* `código`"
    assert markdown_block_to_text(block) == (
        "• Pago inmediato\n• Ver el catálogo (https://kavak.com/mx)\n• código"
    )


def test_markdown_paragraph_soft_breaks_join_and_numbers_stay() -> None:
    assert markdown_block_to_text("Primera línea\nsigue aquí.") == "Primera línea sigue aquí."
    assert markdown_block_to_text("1. Uno\n2) Dos") == "1. Uno\n2. Dos"


def test_chunk_article_splits_by_heading_and_keeps_intro_under_title() -> None:
    body = "Intro corta.\n\n## Garantía\n\nDura 3 meses.\n\n### Extensión\n\nHasta 1 año."
    chunks = chunk_article(title="Mi artículo", body=body, tags=["cobertura"])
    assert [(c.heading, c.text) for c in chunks] == [
        ("Mi artículo", "Intro corta."),
        ("Garantía", "Dura 3 meses."),
        ("Extensión", "Hasta 1 año."),
    ]
    # Heading words weigh double; title and tags words are in every chunk.
    garantia = kb_text.term_of("garantia")
    assert chunks[1].terms[garantia] == 3  # tag "cobertura" (a synonym) + heading ×2
    assert chunks[2].terms[garantia] == 3  # the parent heading counts too
    assert all(c.length == sum(c.terms.values()) for c in chunks)


def test_chunk_article_splits_long_sections_by_paragraph() -> None:
    paragraph = "Texto de relleno con palabras. " * 10  # ~310 characters
    body = "## Larga\n\n" + "\n\n".join([paragraph] * 5)
    chunks = chunk_article(title="T", body=body, tags=[])
    assert len(chunks) == 3
    assert all(len(c.text) <= CHUNK_MAX_CHARS for c in chunks)
    assert {c.heading for c in chunks} == {"Larga"}


def test_markdown_preview_escapes_html_and_drops_unsafe_links() -> None:
    html = markdown_to_safe_html(
        "<script>alert(1)</script>\n\n[x](javascript:alert(1)) [y](https://kavak.com)"
    )
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert 'href="#"' in html
    assert 'href="https://kavak.com"' in html


def test_demo_articles_parse_with_golden_questions() -> None:
    articles = demo_articles()
    assert len(articles) >= 10
    assert len({a.slug for a in articles}) == len(articles)
    assert sum(len(a.golden) for a in articles) >= 60


def test_parse_article_rejects_missing_front_matter() -> None:
    with pytest.raises(ValueError, match="encabezado"):
        parse_article("# Sin encabezado", name="x.md")
    with pytest.raises(ValueError, match="slug"):
        parse_article("---\ntitle: Hola\n---\nTexto", name="x.md")


@pytest.mark.parametrize(
    "text",
    [
        "si pago antes de tiempo me cobran algo?",
        "y si pago antes se puede?",
        "puedo liquidar mi credito antes?",
        "se pueden adelantar mensualidades?",
    ],
)
def test_paying_a_credit_off_early_is_its_own_subject(text: str) -> None:
    """No article states it: the word "pago" alone must not carry the question to the sale of
    a car ("Pago inmediato") nor to the price."""
    terms = kb_text.terms(text)
    assert kb_text.term_of("prepago") in terms
    assert kb_text.term_of("pago") not in terms


def test_paying_before_delivery_is_not_paying_off_early() -> None:
    assert kb_text.term_of("prepago") not in kb_text.terms("tengo que pagar antes de recibirlo?")


@pytest.mark.parametrize(
    ("text", "term"),
    [
        # Round 7: one slip inside a phrase the lexicon rewrites kept the rule from firing.
        ("autos a cuneta", "acuenta"),
        ("auto a cuanta", "acuenta"),
        # A rewrite keeps its topic: "tiempo de garantía" is no trial period.
        ("cuanto tiempo de garantia traen sus autos", "garantia"),
        # Selling, whatever article names the car.
        ("cuanto me darian por un versa 2017", "vender"),
    ],
)
def test_phrase_rules_survive_typos_and_keep_their_topic(text: str, term: str) -> None:
    assert term in kb_text.words(text)


def test_another_form_of_a_phrase_word_is_no_slip() -> None:
    # Round 8: "entregan" was "corrected" to "entregar", and "entregar el carro" (handing one's
    # car over) read a delivery to the customer as a trade-in.
    words = kb_text.words("si me lo aprueban cuando me entregan el carro?")
    assert "acuenta" not in words
    assert "acuenta" in kb_text.words("puedo entregar el carro y pagar menos?")


def test_a_word_near_a_phrase_word_is_left_alone_when_no_rule_fires() -> None:
    assert kb_text.words("la cuneta del camino") == ["cuneta", "camino"]
    assert "periodo" not in kb_text.words("cuanto tiempo de garantia")


def test_head_complement_reads_a_rewritten_place_and_skips_verbs() -> None:
    # "nuevo león" is rewritten with spaces around its term: the phrase is still read.
    assert kb_text.head_complements("como esta el clima en nuevo leon") == [("clima", "monterrey")]
    # After a clitic pronoun the word is a verb, not the thing asked about.
    assert kb_text.head_complements("donde les caigo en la cdmx") == []


def test_head_complement_pairs_may_share_a_word() -> None:
    # Round 8: "estoy en buró" took the word "buró", and "buró de crédito" (a subject no
    # article covers, named by an unknown head) was never read.
    pairs = kb_text.head_complements("si estoy en buro de credito me dan el financiamiento?")
    assert ("buro", "credito") in pairs


@pytest.mark.parametrize(
    ("text", "term"),
    [
        # Round 7: idioms that name a topic with words no article uses.
        ("de q se trata kavak", "empresa"),
        ("en que consisten ustedes", "empresa"),
        ("dan facilidades de pago?", "financiamiento"),
        ("se puede pagar poco a poco", "financiamiento"),
        ("hay reembolso si me echo para atras", "devolucion"),
        # The car brought to the customer is the online purchase, not a branch visit.
        ("ocupo ir a la agencia o me lo mandan", "domicilio"),
        ("me la pueden traer o voy yo", "linea"),
        # Driving it before paying is a test drive; before deciding, the trial period.
        ("lo puedo manejar antes de pagarlo", "pruebamanejo"),
    ],
)
def test_idioms_name_their_topic(text: str, term: str) -> None:
    assert term in kb_text.words(text)


def test_driving_before_deciding_is_no_test_drive() -> None:
    assert "pruebamanejo" not in kb_text.words("cuantos km lo puedo manejar antes de decidir")


def test_what_something_is_about_is_a_weak_verb() -> None:
    assert kb_text.words("de que se trata el periodo de prueba") == ["periodo", "prueba"]


@pytest.mark.parametrize(
    "text",
    [
        "se puede comprar sin ir a ninguna sucursal?",
        "vivo lejos de cualquier sucursal, como le hago para comprarles un carro?",
        "no hay sucursal aqui, como les compro?",
    ],
)
def test_buying_away_from_a_branch_is_the_online_purchase(text: str) -> None:
    # Round 8: the branch word made these the branches article's questions.
    words = kb_text.words(text)
    assert "linea" in words
    assert "sucursal" not in words


@pytest.mark.parametrize(
    "text",
    [
        "cual es el proceso si quiero uno de sus autos",
        "que pasos sigo si me quiero llevar uno de sus carros",
    ],
)
def test_wanting_one_of_kavaks_cars_is_buying(text: str) -> None:
    # Round 8: read as selling ("sus autos") or as no topic at all.
    words = kb_text.words(text)
    assert "comprar" in words
    assert "vender" not in words


@pytest.mark.parametrize(
    "text", ["traen garamtia de fabrica?", "garamtia de fabrica o de ustedes", "garantia original"]
)
def test_where_a_warranty_comes_from_qualifies_it(text: str) -> None:
    # Round 8: "fábrica" counted against every article, and with a slip in "garantía" the
    # question fell under the threshold.
    assert kb_text.words(text)[:1] == ["garantia"]
    assert "fabrica" not in kb_text.words(text)


@pytest.mark.parametrize(
    "text",
    [
        "tengo un march, se los dejo y me llevo otro pagando la diferencia?",
        "les dejo mi jetta y yo pongo la diferencia",
    ],
)
def test_paying_the_difference_for_another_car_is_a_trade_in(text: str) -> None:
    # Round 8: the car's name made it a catalogue question, and no topic word was left.
    assert "acuenta" in kb_text.words(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("que me da kavak total", ["kavaktotal"]),
        ("que pasos sigo para sacar credito", ["credito"]),
        ("no lo vi en su pagina", ["catalogo"]),
        ("mi hija entra a la universidad", ["universidad"]),
        ("no los conocia", []),
    ],
)
def test_forms_of_frame_verbs_carry_no_topic(text: str, expected: list[str]) -> None:
    # Round 9: irregular forms ("da", "sigo", "vi") and endings the stemmer leaves ("entra",
    # "conocía") counted against every article as unknown words.
    assert kb_text.words(text) == expected


def test_nouns_shaped_like_frame_verb_forms_stay() -> None:
    assert kb_text.weak_verb_form("entran")
    assert not kb_text.weak_verb_form("estado")  # a participle makes a noun: "en buen estado"
    assert not kb_text.weak_verb_form("credito")


@pytest.mark.parametrize(
    ("text", "pair"),
    [
        ("donde esta la agencia chevrolet en puebla", ("agencia", "chevrolet")),
        ("me pasas el telefono de la agencia toyota", ("agencia", "toyota")),
    ],
)
def test_a_make_after_a_business_word_names_another_business(
    text: str, pair: tuple[str, str]
) -> None:
    # Round 9: "la agencia Chevrolet en Puebla" got Kavak's Puebla branches.
    assert pair in kb_text.head_complements(text)


@pytest.mark.parametrize("text", ["busco un auto nissan", "tienen camionetas toyota"])
def test_a_make_after_a_car_word_only_describes_the_car(text: str) -> None:
    assert kb_text.head_complements(text) == []


def test_a_used_car_lot_is_a_branch() -> None:
    # Round 9: "¿dónde tienen lote en la CDMX?" fell under the threshold ("lote" unknown).
    assert kb_text.terms("donde tienen lote en la cdmx") == kb_text.terms(
        "donde tienen sucursal en la cdmx"
    )


@pytest.mark.parametrize(
    ("text", "term"),
    [
        ("como le hago para comprar un carro si vivo en otro estado", "linea"),
        ("cuantos km puedo manejarlo antes de decidir si me lo quedo", "km"),
        ("me pagan luego luego?", "inmediato"),
        ("ap de kavak pa android", "app"),
        ("como saco cita para el mantenimiento", "agendar"),
    ],
)
def test_round_9_wordings_reach_their_topic(text: str, term: str) -> None:
    assert kb_text.term_of(term) in kb_text.terms(text)
    assert "pruebamanejo" not in kb_text.terms(text)


@pytest.mark.parametrize(
    "message",
    [
        "¿dónde consulto los documentos de mi camioneta?",
        "papelería y trámites del vehículo",
        "¿cómo van mis trámites y papeles?",
    ],
)
def test_the_papers_of_the_customers_car_are_its_paperwork_not_credit_documents(
    message: str,
) -> None:
    terms = kb_text.terms(message)
    assert "tramit" in terms
    assert "document" not in terms


def test_a_pair_read_as_one_thing_is_not_split_into_clauses() -> None:
    # "papeles y trámites de mi auto" is one thing: "¿dónde veo los papeles?" is no clause.
    assert kb_text.clauses("¿dónde reviso los papeles y trámites de mi camioneta?") == []


def test_the_country_asked_is_the_nationality() -> None:
    assert "mexic" in kb_text.terms("¿de qué país son ustedes?")
    assert "pais" not in kb_text.words("¿de qué país son ustedes?")


@pytest.mark.parametrize("word", ["tanto", "tantas"])
def test_degree_words_carry_no_topic(word: str) -> None:
    # "¿qué tanto le revisan?" asks what is checked.
    assert kb_text.words(f"{word} garantia") == ["garantia"]
