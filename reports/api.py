"""GET /api/v1/reports/: the report's figures as JSON (the page's and the CSV's, same filters)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from agents.roles import is_supervisor
from reports import exports, selectors
from reports.forms import ReportForm


class IsSupervisor(BasePermission):
    message = "Only supervisors and administrators can read reports."

    def has_permission(self, request, view) -> bool:
        return is_supervisor(request.user)


class DistributionSerializer(serializers.Serializer):
    count = serializers.IntegerField(help_text="Conversations measured.")
    median = serializers.FloatField(allow_null=True, help_text="Seconds; null when none.")
    p90 = serializers.FloatField(
        allow_null=True, help_text="90th percentile (continuous), seconds."
    )


class SlaSerializer(serializers.Serializer):
    recorded = serializers.BooleanField(help_text="False: OCC does not record this yet.")
    breaches = serializers.IntegerField(allow_null=True)
    conversations = serializers.IntegerField(allow_null=True)


class CsatFiguresSerializer(serializers.Serializer):
    recorded = serializers.BooleanField(help_text="False: OCC does not record this yet.")
    responses = serializers.IntegerField(allow_null=True)
    average = serializers.FloatField(allow_null=True)
    distribution = serializers.DictField(
        child=serializers.IntegerField(), allow_null=True, help_text='Score "1"–"5" → answers.'
    )


class DaySerializer(serializers.Serializer):
    date = serializers.DateField()
    opened = serializers.IntegerField()
    closed = serializers.IntegerField()


class FiltersSerializer(serializers.Serializer):
    service = serializers.IntegerField(allow_null=True)
    agent = serializers.IntegerField(allow_null=True)
    label = serializers.IntegerField(allow_null=True)  # type: ignore[assignment]  # a field named "label"
    close_reason = serializers.IntegerField(allow_null=True)


class ReportSerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField(help_text="Included.")
    time_zone = serializers.CharField()
    filters = FiltersSerializer()
    opened = serializers.IntegerField(help_text="Conversations created in the range.")
    closed = serializers.IntegerField(help_text="Conversations closed in the range.")
    abandoned_in_queue = serializers.IntegerField(
        help_text="Closed in the range, never assigned to an agent."
    )
    first_response_seconds = DistributionSerializer(
        help_text="First message to first agent reply, conversations opened in the range."
    )
    resolution_seconds = DistributionSerializer(
        help_text="First message to close, conversations closed in the range."
    )
    queue_wait_seconds = DistributionSerializer(
        help_text="Entering the queue to the first assignment, conversations opened in the range."
    )
    sla_breaches = SlaSerializer()
    csat = CsatFiguresSerializer()
    opened_by_hour = serializers.ListField(
        child=serializers.IntegerField(), help_text="24 counts, local hour 00 first."
    )
    opened_by_weekday = serializers.DictField(
        child=serializers.IntegerField(), help_text='"monday" … "sunday" → count.'
    )
    daily = DaySerializer(many=True)


PARAMETERS = [
    OpenApiParameter("start", str, description="First day, YYYY-MM-DD (default: 29 days ago)."),
    OpenApiParameter("end", str, description="Last day, included, YYYY-MM-DD (default: today)."),
    OpenApiParameter(
        "tz", str, description="IANA time zone of the days and hours (default: the server's)."
    ),
    OpenApiParameter("service", int, description="Service id."),
    OpenApiParameter(
        "agent", int, description="Agent id: the conversations they hold or held last."
    ),
    OpenApiParameter("label", int, description="Label id."),
    OpenApiParameter("close_reason", int, description="Close reason id."),
]


class ReportView(APIView):
    permission_classes = [IsSupervisor]

    @extend_schema(
        tags=["reports"],
        operation_id="reports_retrieve",
        parameters=PARAMETERS,
        responses={200: ReportSerializer},
        description=(
            "The figures of the Reports page over a range of whole days (at most "
            f"{selectors.MAX_DAYS}), for supervisors and administrators."
        ),
    )
    def get(self, request):
        form = ReportForm(request.query_params)
        if not form.is_valid():
            raise exceptions.ValidationError(
                {field: [str(e) for e in errors] for field, errors in form.errors.items()}
            )
        scope = form.scope()
        filters = {
            "service": scope.service_id,
            "agent": scope.agent_id,
            "label": scope.label_id,
            "close_reason": scope.close_reason_id,
        }
        return Response(exports.as_data(selectors.report(scope), filters))
