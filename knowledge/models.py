"""Knowledge base schema: articles staff edit, their history, the retrievable chunks, quality data.

Writes go through ``knowledge.services`` (which keeps revisions and the search index in step); the
models only hold the schema, constraints and small properties.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Article(models.Model):
    """A help article written by content staff. Only published articles are used in answers."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Borrador"
        PUBLISHED = "published", "Publicado"

    title = models.CharField("título", max_length=200)
    slug = models.SlugField(
        "identificador",
        max_length=120,
        unique=True,
        help_text="Identificador corto y estable (se usa como fuente en las respuestas).",
    )
    body = models.TextField(
        "contenido",
        help_text=(
            "En Markdown. Usa un encabezado (## …) por tema: cada sección es un fragmento que el "
            "agente puede citar. Escribe frases cortas, como las leería un cliente en WhatsApp."
        ),
    )
    status = models.CharField(
        "estado", max_length=12, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    tags = models.CharField(
        "etiquetas",
        max_length=300,
        blank=True,
        help_text=(
            "Separadas por comas. Ayudan a encontrar el artículo (p. ej. «garantía, devolución»)."
        ),
    )
    last_reviewed_at = models.DateField("última revisión", null=True, blank=True)
    editor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="editado por",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("creado", auto_now_add=True)
    updated_at = models.DateTimeField("actualizado", auto_now=True)
    # Identifies the content currently in the chunks; each process compares it to its own copy.
    index_token = models.CharField(max_length=32, blank=True, default="", editable=False)
    indexed_at = models.DateTimeField("indexado", null=True, blank=True, editable=False)

    class Meta:
        verbose_name = "artículo"
        verbose_name_plural = "artículos"
        ordering = ("title",)

    def __str__(self) -> str:
        return self.title

    @property
    def tag_list(self) -> list[str]:
        return [tag.strip() for tag in self.tags.split(",") if tag.strip()]

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED


class Revision(models.Model):
    """A saved state of an article. Every save that changes content adds one; none is deleted."""

    article = models.ForeignKey(
        Article, verbose_name="artículo", on_delete=models.CASCADE, related_name="revisions"
    )
    number = models.PositiveIntegerField("número")
    title = models.CharField("título", max_length=200)
    body = models.TextField("contenido")
    tags = models.CharField("etiquetas", max_length=300, blank=True)
    status = models.CharField("estado", max_length=12, choices=Article.Status.choices)
    editor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="editado por",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.CharField("nota", max_length=200, blank=True)
    created_at = models.DateTimeField("fecha", auto_now_add=True)

    class Meta:
        verbose_name = "revisión"
        verbose_name_plural = "revisiones"
        ordering = ("article", "-number")
        constraints = [
            models.UniqueConstraint(
                fields=("article", "number"), name="knowledge_revision_unique_number"
            )
        ]

    def __str__(self) -> str:
        return f"{self.article.slug} · revisión {self.number}"


class Chunk(models.Model):
    """A retrievable piece (section or paragraphs) of a published article, with its index terms."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="chunks")
    position = models.PositiveIntegerField()
    heading = models.CharField(max_length=200)
    # WhatsApp-ready plain text (no Markdown syntax): what the agent may quote.
    text = models.TextField()
    # {term: weighted frequency} after folding, stop-words, stemming and synonyms.
    terms = models.JSONField(default=dict)
    # Distinct folded surface words, the vocabulary typos are corrected against.
    words = models.TextField(blank=True, default="")
    length = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "fragmento"
        verbose_name_plural = "fragmentos"
        ordering = ("article", "position")
        constraints = [
            models.UniqueConstraint(
                fields=("article", "position"), name="knowledge_chunk_unique_position"
            )
        ]

    def __str__(self) -> str:
        return f"{self.article_id}#{self.position} {self.heading}"


class GoldenQuestion(models.Model):
    """A question the article must keep answering; checked after every edit and by evaluate_kb."""

    article = models.ForeignKey(
        Article,
        verbose_name="artículo",
        on_delete=models.CASCADE,
        related_name="golden_questions",
    )
    question = models.CharField(
        "pregunta",
        max_length=300,
        help_text="Escríbela como la mandaría un cliente por WhatsApp (con faltas, sin acentos…).",
    )
    last_passed = models.BooleanField("pasa", null=True, editable=False)
    last_rank = models.PositiveSmallIntegerField("posición", null=True, editable=False)
    last_confidence = models.FloatField("confianza", null=True, editable=False)
    last_top_slug = models.CharField(
        "artículo que responde", max_length=120, blank=True, default="", editable=False
    )
    checked_at = models.DateTimeField("revisada", null=True, editable=False)

    class Meta:
        verbose_name = "pregunta de control"
        verbose_name_plural = "preguntas de control"
        ordering = ("article", "id")

    def __str__(self) -> str:
        return self.question


class UnansweredQuestion(models.Model):
    """Customer questions the agent could not answer with confidence, grouped by normalised text."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pendiente"
        RESOLVED = "resolved", "Resuelta"
        IGNORED = "ignored", "Descartada"

    normalized = models.CharField("pregunta normalizada", max_length=300, unique=True)
    example = models.TextField("ejemplo")
    count = models.PositiveIntegerField("veces", default=1)
    last_confidence = models.FloatField("última confianza", default=0.0)
    channel = models.CharField("canal", max_length=20, blank=True)
    conversation_ref = models.CharField("conversación", max_length=100, blank=True)
    status = models.CharField(
        "estado", max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    first_seen_at = models.DateTimeField("primera vez", auto_now_add=True)
    last_seen_at = models.DateTimeField("última vez", db_index=True)

    class Meta:
        verbose_name = "pregunta sin respuesta"
        verbose_name_plural = "preguntas sin respuesta"
        ordering = ("-count", "-last_seen_at")

    def __str__(self) -> str:
        return self.example[:80]


class IndexState(models.Model):
    """One row: a token that changes whenever any chunk changes (processes reload lazily on it)."""

    token = models.CharField(max_length=32)
    # The chunking code the stored chunks were built with (``knowledge_reindex_if_stale``).
    indexer_version = models.CharField(max_length=64, blank=True, default="")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "estado del índice"
        verbose_name_plural = "estado del índice"

    def __str__(self) -> str:
        return self.token


class DemoSeed(models.Model):
    """Demo articles already loaded once: never loaded again, even if staff edit or delete them."""

    slug = models.SlugField(max_length=120, unique=True)
    seeded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "artículo demo cargado"
        verbose_name_plural = "artículos demo cargados"

    def __str__(self) -> str:
        return self.slug
