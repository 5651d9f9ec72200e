"""The amortisation table of a financing plan: JSON or CSV for API clients, CSV for the web chat."""

from __future__ import annotations

import csv
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from conversations.apis.guards import (
    ApiKeyAuthentication,
    ApiKeyRateThrottle,
    HasApiKey,
    WebChatThrottle,
)
from conversations.apis.outputs import ERROR_SCHEMA
from conversations.engine.financing import amortization_table, financing_plan
from kavak.api import JsonApi


class AmortizationApi(JsonApi):
    """The amortisation table of a plan (JSON, or CSV with ``?output=csv``)."""

    authentication_classes = [ApiKeyAuthentication]
    permission_classes = [HasApiKey]
    throttle_classes = [ApiKeyRateThrottle]

    class InputSerializer(serializers.Serializer[Any]):
        price = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=Decimal("1"))
        down_payment = serializers.DecimalField(
            max_digits=12, decimal_places=2, min_value=Decimal("0")
        )
        term_months = serializers.ChoiceField(choices=[36, 48, 60, 72])

        def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
            minimum = attrs["price"] * settings.FINANCING_MIN_DOWN_PAYMENT_RATIO
            if attrs["down_payment"] < minimum:
                raise serializers.ValidationError(
                    {"down_payment": ["El enganche mínimo es 10% del precio."]}
                )
            if attrs["down_payment"] >= attrs["price"]:
                raise serializers.ValidationError(
                    {"down_payment": ["El enganche debe ser menor al precio."]}
                )
            return attrs

    @extend_schema(
        operation_id="financing_amortization",
        parameters=[
            OpenApiParameter("price", OpenApiTypes.DECIMAL, required=True),
            OpenApiParameter("down_payment", OpenApiTypes.DECIMAL, required=True),
            OpenApiParameter("term_months", OpenApiTypes.INT, required=True, enum=[36, 48, 60, 72]),
            OpenApiParameter("output", OpenApiTypes.STR, enum=["json", "csv"]),
        ],
        responses={
            200: OpenApiTypes.OBJECT,
            400: ERROR_SCHEMA,
            401: ERROR_SCHEMA,
            429: ERROR_SCHEMA,
        },
    )
    def get(self, request: Request) -> Response | HttpResponse:
        serializer = self.InputSerializer(data=request.query_params)
        serializer.is_valid(raise_exception=True)
        plan = financing_plan(
            price=serializer.validated_data["price"],
            down_payment=serializer.validated_data["down_payment"],
            annual_rate=settings.FINANCING_ANNUAL_RATE,
            term_months=int(serializer.validated_data["term_months"]),
        )
        rows = amortization_table(plan)
        if request.query_params.get("output") == "csv":
            return amortization_csv_response(plan_rows=rows, filename="amortizacion.csv")
        return Response(
            {
                "plan": plan.as_dict(),
                "rows": [
                    {
                        "month": r.month,
                        "payment": f"{r.payment:.2f}",
                        "interest": f"{r.interest:.2f}",
                        "principal": f"{r.principal:.2f}",
                        "balance": f"{r.balance:.2f}",
                    }
                    for r in rows
                ],
            }
        )


def amortization_csv_response(*, plan_rows: list[Any], filename: str) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    writer.writerow(["mes", "pago", "interes", "capital", "saldo"])
    for r in plan_rows:
        writer.writerow(
            [
                r.month,
                f"{r.payment:.2f}",
                f"{r.interest:.2f}",
                f"{r.principal:.2f}",
                f"{r.balance:.2f}",
            ]
        )
    return response


class WebAmortizationCsvApi(AmortizationApi):
    """The plan's amortisation table as CSV for the web chat's "Descargar tabla (CSV)" link."""

    authentication_classes: list[Any] = []
    permission_classes: list[Any] = []
    throttle_classes = [WebChatThrottle]

    @extend_schema(exclude=True)
    def get(self, request: Request) -> Response | HttpResponse:
        serializer = self.InputSerializer(data=request.query_params)
        serializer.is_valid(raise_exception=True)
        plan = financing_plan(
            price=serializer.validated_data["price"],
            down_payment=serializer.validated_data["down_payment"],
            annual_rate=settings.FINANCING_ANNUAL_RATE,
            term_months=int(serializer.validated_data["term_months"]),
        )
        return amortization_csv_response(
            plan_rows=amortization_table(plan),
            filename=f"kavak-plan-{plan.term_months}-meses.csv",
        )
