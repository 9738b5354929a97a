"""Query filters of the list endpoints (documented in the OpenAPI description)."""

from __future__ import annotations

from datetime import UTC

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django_filters.fields import IsoDateTimeField
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from agents.models import AgentProfile
from interactions.models import CloseReason, Contact, Interaction, InteractionState, Label, Message
from services.models import Service


class UTCDateTimeField(IsoDateTimeField):
    """ISO 8601 with any offset, compared in UTC (PostgreSQL refuses offsets past ±15:59)."""

    def to_python(self, value):
        value = super().to_python(value)
        if value is None:
            return None
        try:
            return value.astimezone(UTC)
        except OverflowError as exc:
            raise ValidationError("This date is out of range.", code="invalid") from exc


class DateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = UTCDateTimeField


class IdField(forms.IntegerField):
    def __init__(self, *args, **kwargs):
        # Ids are 64-bit: a larger number is refused here, not by the database.
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", 2**63 - 1)
        super().__init__(*args, **kwargs)


@extend_schema_field(OpenApiTypes.INT64)
class IdFilter(django_filters.NumberFilter):
    field_class = IdField


class IdsField(django_filters.fields.ModelMultipleChoiceField):
    def _check_values(self, value):
        # A number past 64 bits is refused here, not by the database.
        id_field = IdField()
        for item in value:
            try:
                id_field.clean(item)
            except ValidationError as exc:
                raise ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": item},
                ) from exc
        return super()._check_values(value)


class IdsFilter(django_filters.ModelMultipleChoiceFilter):
    field_class = IdsField


class ServiceFilter(django_filters.FilterSet):
    class Meta:
        model = Service
        fields = ["is_active", "chat_enabled", "whatsapp_enabled"]


class AgentFilter(django_filters.FilterSet):
    service = IdFilter(field_name="services", help_text="Agents serving this service.")
    is_active = django_filters.BooleanFilter(field_name="user__is_active")

    class Meta:
        model = AgentProfile
        fields = ["presence", "chat_enabled", "whatsapp_enabled"]


class ContactFilter(django_filters.FilterSet):
    address = django_filters.CharFilter(
        help_text="Exact address as the channel sends it (WhatsApp: E.164, or a user id such as US.ABC123)."
    )
    name = django_filters.CharFilter(lookup_expr="icontains")
    username = django_filters.CharFilter(
        method="filter_username",
        help_text="WhatsApp username, with or without the @ (case-insensitive).",
    )
    phone = django_filters.CharFilter(help_text="Exact phone number (E.164), when known.")

    def filter_username(self, queryset, name, value):
        return queryset.filter(username__iexact=value.strip().lstrip("@"))

    class Meta:
        model = Contact
        fields = ["channel"]


class InteractionFilter(django_filters.FilterSet):
    service = IdFilter(field_name="service_id")
    agent = IdFilter(field_name="agent_id")
    contact = IdFilter(field_name="contact_id")
    state = django_filters.MultipleChoiceFilter(choices=InteractionState.choices)
    created_after = DateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = DateTimeFilter(field_name="created_at", lookup_expr="lt")
    closed_after = DateTimeFilter(field_name="closed_at", lookup_expr="gte")
    closed_before = DateTimeFilter(field_name="closed_at", lookup_expr="lt")
    label = IdsFilter(
        field_name="labels",
        queryset=Label.objects.all(),
        help_text="Interactions with this label (repeat the parameter: with any of them).",
    )
    close_reason = IdsFilter(
        field_name="close_reason",
        queryset=CloseReason.objects.all(),
        help_text="Interactions closed with this reason (repeat the parameter: any of them).",
    )

    class Meta:
        model = Interaction
        fields = ["channel"]


class MessageFilter(django_filters.FilterSet):
    since = DateTimeFilter(field_name="created_at", lookup_expr="gte")

    class Meta:
        model = Message
        fields = ["direction", "status"]
