"""The performance floor `make bench-chat` compares a full turn with (mounted only when enabled).

One DRF endpoint doing what the cheapest possible locked turn does: ``SELECT … FOR UPDATE`` of one
conversation row and one ``UPDATE``, in a transaction, under the same gunicorn settings.
"""

from __future__ import annotations

from django.db import connection, transaction
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView


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
