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

from conversations.apis.outputs import ERROR_SCHEMA
from conversations.engine.financing import FinancingPlan, amortization_table, financing_plan
from kavak.api import JsonApi
from kavak.http_guard import ApiKeyAuthentication, ApiKeyRateThrottle, HasApiKey, WebChatThrottle


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

        def get_fields(self) -> dict[str, serializers.Field[Any, Any, Any, Any]]:
            # Built per request from the settings the engine offers (conversations.wiring), so
            # the API accepts exactly the terms the chat quotes, override_settings included.
            fields = super().get_fields()
            fields["term_months"] = serializers.ChoiceField(
                choices=list(settings.FINANCING_TERMS_MONTHS)
            )
            return fields

        def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
            ratio: Decimal = settings.FINANCING_MIN_DOWN_PAYMENT_RATIO
            if attrs["down_payment"] < attrs["price"] * ratio:
                raise serializers.ValidationError(
                    {"down_payment": [f"El enganche mínimo es {_percent(ratio)}% del precio."]}
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
            # Read when the schema is built (at import): a deployment's terms, not a test's.
            OpenApiParameter(
                "term_months",
                OpenApiTypes.INT,
                required=True,
                enum=list(settings.FINANCING_TERMS_MONTHS),
            ),
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
        plan = _plan(self.InputSerializer(data=request.query_params))
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


def _plan(serializer: serializers.Serializer[Any]) -> FinancingPlan:
    serializer.is_valid(raise_exception=True)
    data = serializer.validated_data
    return financing_plan(
        price=data["price"],
        down_payment=data["down_payment"],
        annual_rate=settings.FINANCING_ANNUAL_RATE,
        term_months=int(data["term_months"]),
    )


def _percent(ratio: Decimal) -> str:
    """0.10 -> "10", 0.125 -> "12.5": the share as customers read it, no trailing zeros."""
    return f"{ratio * 100:.2f}".rstrip("0").rstrip(".")


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
        plan = _plan(self.InputSerializer(data=request.query_params))
        return amortization_csv_response(
            plan_rows=amortization_table(plan),
            filename=f"kavak-plan-{plan.term_months}-meses.csv",
        )
