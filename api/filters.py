"""Query filters of the list endpoints (documented in the OpenAPI description)."""

from __future__ import annotations

import django_filters

from agents.models import AgentProfile
from interactions.models import Contact, Interaction, InteractionState, Message
from services.models import Service


class ServiceFilter(django_filters.FilterSet):
    class Meta:
        model = Service
        fields = ["is_active", "chat_enabled", "whatsapp_enabled"]


class AgentFilter(django_filters.FilterSet):
    service = django_filters.NumberFilter(field_name="services", help_text="Agents serving this service.")
    is_active = django_filters.BooleanFilter(field_name="user__is_active")

    class Meta:
        model = AgentProfile
        fields = ["presence", "chat_enabled", "whatsapp_enabled"]


class ContactFilter(django_filters.FilterSet):
    address = django_filters.CharFilter(help_text="Exact address (E.164 for WhatsApp).")
    name = django_filters.CharFilter(lookup_expr="icontains")

    class Meta:
        model = Contact
        fields = ["channel"]


class InteractionFilter(django_filters.FilterSet):
    service = django_filters.NumberFilter(field_name="service_id")
    agent = django_filters.NumberFilter(field_name="agent_id")
    contact = django_filters.NumberFilter(field_name="contact_id")
    state = django_filters.MultipleChoiceFilter(choices=InteractionState.choices)
    created_after = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="lt")
    closed_after = django_filters.IsoDateTimeFilter(field_name="closed_at", lookup_expr="gte")
    closed_before = django_filters.IsoDateTimeFilter(field_name="closed_at", lookup_expr="lt")

    class Meta:
        model = Interaction
        fields = ["channel"]


class MessageFilter(django_filters.FilterSet):
    since = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="gte")

    class Meta:
        model = Message
        fields = ["direction", "status"]
