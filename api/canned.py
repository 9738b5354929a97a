"""Canned responses through the API: the same rules and form as the pages (desk.canned, desk.canned_forms).

Everyone signed in lists the responses they may insert (their own and the
shared ones) and keeps their own; supervisors and administrators manage
the shared ones. With `?interaction=<id>` the list is what the desk's
composer offers in that conversation, with `text`: the placeholders filled.
"""

from __future__ import annotations

from django.db.models import Q
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import exceptions, serializers, viewsets
from rest_framework.permissions import IsAuthenticated

from agents import placeholders, roles
from agents.models import CannedResponse
from api.serializers import ConsoleFormSerializer
from desk import canned
from desk.canned_forms import CannedResponseForm
from interactions import selectors
from interactions.models import Interaction
from services.models import Service


class CannedResponseSerializer(ConsoleFormSerializer):
    """Validated by the console's form: unique shortcut, known placeholders only."""

    form_class = CannedResponseForm
    shared = serializers.BooleanField(
        default=False,
        help_text=(
            "Shared with the agents of `services` (supervisors and administrators only), or "
            "personal (yours alone). Fixed when created."
        ),
    )
    services = serializers.PrimaryKeyRelatedField(
        queryset=Service.objects.all(),
        many=True,
        required=False,
        help_text="Shared responses only: offered in these services' conversations (empty: all).",
    )
    text = serializers.SerializerMethodField(
        help_text="With `?interaction=`: the body with its placeholders filled for that conversation."
    )

    class Meta:
        model = CannedResponse
        fields = [
            "id",
            "shortcut",
            "title",
            "body",
            "shared",
            "services",
            "text",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]
        validators = []  # the form checks the shortcut's uniqueness per owner

    def get_fields(self):
        fields = super().get_fields()
        fields["shortcut"].validators = []
        return fields

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["shared"] = instance.is_shared
        return data

    @extend_schema_field({"type": "string", "nullable": True})
    def get_text(self, instance):
        values = self.context.get("placeholder_values")
        return placeholders.fill(instance.body, values) if values is not None else None

    def _owner(self):
        if self.instance is not None:
            return self.instance.owner
        return (
            None
            if self.initial_data.get("shared") in (True, "true", "True", "1")
            else (self.context["request"].user)
        )

    def form_kwargs(self) -> dict:
        return {"owner": self._owner()}

    def form_data(self, attrs: dict) -> dict:
        attrs = {k: v for k, v in attrs.items() if k != "shared"}
        return super().form_data(attrs)

    def validate(self, attrs):
        shared = attrs.get("shared")
        if self.instance is not None and shared is not None and shared != self.instance.is_shared:
            raise serializers.ValidationError({"shared": ["Fixed when the response is created."]})
        owner = self._owner()
        if owner is None and not roles.is_supervisor(self.context["request"].user):
            raise exceptions.PermissionDenied(
                "Only supervisors and administrators manage shared responses."
            )
        if owner is not None and attrs.get("services"):
            raise serializers.ValidationError(
                {"services": ["Only shared responses are limited to services."]}
            )
        return super().validate(attrs)

    def create(self, validated_data):
        return self._save()

    def update(self, instance, validated_data):
        return self._save()

    def _save(self):
        response = self._form.save(commit=False)
        return canned.save(response, services=self._form.cleaned_data.get("services"))


_LIST_PARAMETERS = [
    OpenApiParameter(
        "interaction",
        OpenApiTypes.INT,
        description=(
            "Only the responses offered in this conversation (its service's shared ones and yours), "
            "with `text` filled in."
        ),
    ),
    OpenApiParameter(
        "shared", OpenApiTypes.BOOL, description="Only shared (true) or only personal (false) ones."
    ),
    OpenApiParameter(
        "q", OpenApiTypes.STR, description="Shortcut, title or text containing these letters."
    ),
]


@extend_schema_view(
    list=extend_schema(tags=["canned responses"], parameters=_LIST_PARAMETERS),
    retrieve=extend_schema(tags=["canned responses"]),
    create=extend_schema(tags=["canned responses"]),
    update=extend_schema(tags=["canned responses"]),
    partial_update=extend_schema(tags=["canned responses"]),
    destroy=extend_schema(tags=["canned responses"]),
)
class CannedResponseViewSet(viewsets.ModelViewSet):
    """Canned responses: shared ones (supervisors manage them) and your own."""

    serializer_class = CannedResponseSerializer
    permission_classes = [IsAuthenticated]
    filter_backends: list = []
    ordering = ["shortcut", "id"]

    def _interaction(self) -> Interaction | None:
        raw = self.request.query_params.get("interaction") if self.action == "list" else None
        if not raw:
            return None
        try:
            interaction = Interaction.objects.select_related("service", "contact").get(pk=int(raw))
        except (ValueError, Interaction.DoesNotExist) as exc:
            raise Http404 from exc
        if not selectors.can_view(self.request.user, interaction):
            raise Http404
        return interaction

    def get_queryset(self):
        user = self.request.user
        if getattr(self, "swagger_fake_view", False) or not user.is_authenticated:
            return CannedResponse.objects.none()
        interaction = self._interaction()
        rows = canned.usable_by(user, service_id=interaction.service_id if interaction else None)
        if self.action != "list":
            return rows
        shared = self.request.query_params.get("shared")
        if shared in ("true", "1"):
            rows = rows.filter(owner__isnull=True)
        elif shared in ("false", "0"):
            rows = rows.filter(owner=user)
        words = (self.request.query_params.get("q") or "").strip()
        if words:
            rows = rows.filter(
                Q(shortcut__icontains=words) | Q(title__icontains=words) | Q(body__icontains=words)
            )
        return rows

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if getattr(self, "swagger_fake_view", False):
            return context
        interaction = self._interaction() if self.request is not None else None
        if interaction is not None:
            context["placeholder_values"] = canned.values_for(self.request.user, interaction)
        return context

    def _check(self, response: CannedResponse) -> None:
        if not canned.may_manage(self.request.user, response):
            raise exceptions.PermissionDenied(
                "Only supervisors and administrators manage shared responses."
            )

    def perform_update(self, serializer):
        self._check(serializer.instance)
        serializer.save()

    def perform_destroy(self, instance):
        self._check(instance)
        canned.delete(instance)
