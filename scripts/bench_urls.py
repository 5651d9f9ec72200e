"""The urlconf of the benchmark servers: every product URL plus the floor ``make bench-chat`` (and
``make bench-whatsapp``) compare the product with.

The floor is one DRF endpoint doing what the cheapest possible locked turn does: ``SELECT … FOR
UPDATE`` of one conversation row and one ``UPDATE``, in a transaction, under the same gunicorn
settings. It lives in scripts/, which the image leaves out (.dockerignore), and is served only by
``bench_settings``: no setting of the product can mount it.
"""

from __future__ import annotations

from django.db import connection, transaction
from django.urls import path
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from kavak import urls as product


class BenchFloorApi(APIView):
    authentication_classes: list[object] = []
    permission_classes: list[object] = []

    def post(self, request: Request, pk: int) -> Response:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "SELECT id, version FROM conversations_conversation WHERE id = %s FOR UPDATE", [pk]
            )
            row = cursor.fetchone()
            cursor.execute(
                "UPDATE conversations_conversation SET version = version + 1 WHERE id = %s", [pk]
            )
        return Response({"id": row[0] if row else None, "version": row[1] + 1 if row else None})


urlpatterns = [
    path("bench/floor/<int:pk>", BenchFloorApi.as_view(), name="bench-floor"),
    *product.urlpatterns,
]

# Django reads the error handlers from the root urlconf only: the product's JSON errors stay.
handler400 = product.handler400
handler404 = product.handler404
handler500 = product.handler500
