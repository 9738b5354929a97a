"""API representations. Validation is the models' own (full_clean) plus the forms' rules.

`ModelCleanSerializer` applies the changes to a copy of the instance and
runs `full_clean()`, so the API refuses exactly what the console refuses
(Service.clean normalises the Twilio number to E.164, AgentProfile.clean
needs Chat before WhatsApp, the Account SID validator, Max interactions'
bounds, unique names and numbers) and answers field by field.
"""

from __future__ import annotations

import copy
from urllib.parse import urlsplit

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from agents.models import AgentProfile, Presence
from api.embed import embed_snippet
from api.errors import django_errors
from hooks.models import Attempt, Delivery, Endpoint, EventType
from interactions.actions import window_closes_at
from interactions.models import Contact, Interaction, Message
from occ.phone import normalize_e164
from services.models import Service
from settings.models import ChatChannelSettings
from widgets.models import Widget

User = get_user_model()


class ModelCleanSerializer(serializers.ModelSerializer):
    """Validates through the model's full_clean(), as the console's ModelForms do."""

    def validate(self, attrs):
        attrs = super().validate(attrs)
        model = self.Meta.model
        m2m = {f.name for f in model._meta.many_to_many}
        concrete = {f.name for f in model._meta.concrete_fields}
        candidate = copy.copy(self.instance) if self.instance is not None else model()
        for name, value in attrs.items():
            if name in concrete:
                setattr(candidate, name, value)
        exclude = self.clean_exclude() if self.instance is None else []
        try:
            candidate.full_clean(exclude=exclude or None)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(django_errors(exc)) from exc
        # clean() may normalise values (e.g. the Twilio number to E.164).
        return {name: (getattr(candidate, name) if name in concrete and name not in m2m else value)
                for name, value in attrs.items()}

    def clean_exclude(self) -> list[str]:
        """Fields set after validation on create (e.g. the user of a new agent profile)."""
        return []


# --- Settings → Advanced → Chat channel -------------------------------------------------


class ChatChannelSettingsSerializer(ModelCleanSerializer):
    auth_token = serializers.CharField(
        write_only=True, required=False, allow_blank=True, max_length=200, trim_whitespace=True,
        help_text="Write-only. Leave out (or blank) to keep the stored token.",
    )
    clear_auth_token = serializers.BooleanField(
        write_only=True, required=False, default=False, help_text="Remove the stored Auth Token."
    )
    has_auth_token = serializers.BooleanField(read_only=True)
    whatsapp_ready = serializers.BooleanField(read_only=True)

    class Meta:
        model = ChatChannelSettings
        fields = [
            "whatsapp_enabled", "account_sid", "auth_token", "clear_auth_token", "has_auth_token",
            "whatsapp_ready", "verified_at", "verification_ok", "verification_message", "updated_at",
        ]
        read_only_fields = ["verified_at", "verification_ok", "verification_message", "updated_at"]

    def validate(self, attrs):
        token = attrs.pop("auth_token", "") or ""
        clear = attrs.pop("clear_auth_token", False)
        if "account_sid" in attrs:
            attrs["account_sid"] = (attrs["account_sid"] or "").strip()
        attrs = super().validate(attrs)
        errors = {}
        if clear and token:
            errors["clear_auth_token"] = ["Either send a new Auth Token or remove the stored one, not both."]
        enabled = attrs.get("whatsapp_enabled", self.instance.whatsapp_enabled)
        sid = attrs.get("account_sid", self.instance.account_sid)
        has_token = bool(token) or (self.instance.has_auth_token and not clear)
        if enabled:
            if not sid:
                errors["account_sid"] = ["WhatsApp needs the Account SID issued by Twilio."]
            if not has_token:
                errors["auth_token"] = ["WhatsApp needs the Auth Token issued by Twilio."]
        if errors:
            raise serializers.ValidationError(errors)
        attrs["_token"] = token
        attrs["_clear"] = clear
        return attrs

    def update(self, instance, validated_data):
        token = validated_data.pop("_token")
        clear = validated_data.pop("_clear")
        credentials_changed = bool(token) or clear or (
            "account_sid" in validated_data and validated_data["account_sid"] != instance.account_sid
        )
        for name, value in validated_data.items():
            setattr(instance, name, value)
        if credentials_changed:
            # A verification result speaks about the credentials it checked.
            instance.verified_at = None
            instance.verification_ok = None
            instance.verification_message = ""
        if clear:
            instance.set_auth_token("")
        elif token:
            instance.set_auth_token(token)
        instance.save()
        return instance


class VerifyRequestSerializer(serializers.Serializer):
    account_sid = serializers.CharField(
        required=False, max_length=34, help_text="Check these instead of the stored credentials (not saved)."
    )
    auth_token = serializers.CharField(required=False, max_length=200, write_only=True)

    def validate(self, attrs):
        if bool(attrs.get("account_sid")) != bool(attrs.get("auth_token")):
            raise serializers.ValidationError("Send both the Account SID and the Auth Token, or neither.")
        return attrs

    def validate_account_sid(self, value):
        from settings.validators import validate_account_sid

        try:
            validate_account_sid(value)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from exc
        return value


class VerifyResultSerializer(serializers.Serializer):
    ok = serializers.BooleanField()
    kind = serializers.ChoiceField(choices=["ok", "credentials", "suspended", "closed", "network", "error"])
    message = serializers.CharField()
    friendly_name = serializers.CharField(allow_blank=True)
    status = serializers.CharField(allow_blank=True)


# --- services --------------------------------------------------------------------------


class ServiceSerializer(ModelCleanSerializer):
    whatsapp_ready = serializers.BooleanField(read_only=True)
    twilio_number = serializers.CharField(
        max_length=32, required=False, allow_blank=True, allow_null=True,
        help_text="International format; stored as E.164 (e.g. +390212345678).",
    )

    class Meta:
        model = Service
        fields = [
            "id", "name", "is_active", "chat_enabled", "whatsapp_enabled", "twilio_number",
            "queue_position_reply", "whatsapp_ready", "created_at",
        ]
        read_only_fields = ["created_at"]

    def validate_twilio_number(self, value):
        # Normalised before full_clean, whose length check would count the spaces.
        if not value:
            return None
        try:
            return normalize_e164(value)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from exc


class ServiceRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Service
        fields = ["id", "name"]


# --- agents ------------------------------------------------------------------------------


class AgentSerializer(ModelCleanSerializer):
    username = serializers.CharField(source="user.username", max_length=150)
    first_name = serializers.CharField(source="user.first_name", max_length=150, required=False, allow_blank=True)
    last_name = serializers.CharField(source="user.last_name", max_length=150, required=False, allow_blank=True)
    email = serializers.EmailField(source="user.email", required=False, allow_blank=True)
    is_active = serializers.BooleanField(source="user.is_active", required=False, default=True)
    password = serializers.CharField(
        write_only=True, required=False, style={"input_type": "password"}, max_length=128,
        help_text="Only when creating; the agent can change it later.",
    )
    services = serializers.PrimaryKeyRelatedField(many=True, queryset=Service.objects.all(), required=False)
    open_interactions = serializers.SerializerMethodField()

    class Meta:
        model = AgentProfile
        fields = [
            "id", "username", "first_name", "last_name", "email", "is_active", "password",
            "chat_enabled", "whatsapp_enabled", "max_interactions", "services", "presence",
            "presence_changed_at", "open_interactions",
        ]
        read_only_fields = ["presence_changed_at"]

    @extend_schema_field(OpenApiTypes.INT)
    def get_open_interactions(self, profile) -> int:
        value = getattr(profile, "open_count", None)
        if value is None:
            value = profile.interactions.filter(state="assigned").count()
        return value

    def clean_exclude(self):
        return ["user"]

    def validate_username(self, value):
        users = User.objects.filter(username=value)
        if self.instance is not None:
            users = users.exclude(pk=self.instance.user_id)
        if users.exists():
            raise serializers.ValidationError("A user with that username already exists.")
        return value

    def validate(self, attrs):
        user_data = attrs.pop("user", {})
        password = attrs.pop("password", None)
        if password is not None and self.instance is not None:
            raise serializers.ValidationError({"password": ["Passwords are set only when the agent is created."]})
        if password:
            candidate = User(**{k: v for k, v in user_data.items() if k != "is_active"})
            try:
                validate_password(password, candidate)
            except DjangoValidationError as exc:
                raise serializers.ValidationError({"password": exc.messages}) from exc
        if self.instance is not None:
            user = copy.copy(self.instance.user)
        else:
            user = User()
        for name, value in user_data.items():
            setattr(user, name, value)
        try:
            user.full_clean(exclude=["password"], validate_unique=False)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(django_errors(exc)) from exc
        attrs = super().validate(attrs)
        attrs["_user"] = user_data
        attrs["_password"] = password
        return attrs

    @transaction.atomic
    def create(self, validated_data):
        user_data = validated_data.pop("_user")
        password = validated_data.pop("_password")
        services = validated_data.pop("services", [])
        user = User(**user_data)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save()
        profile = AgentProfile.objects.create(user=user, **validated_data)
        profile.services.set(services)
        return profile

    @transaction.atomic
    def update(self, instance, validated_data):
        user_data = validated_data.pop("_user")
        validated_data.pop("_password", None)
        services = validated_data.pop("services", None)
        if user_data:
            for name, value in user_data.items():
                setattr(instance.user, name, value)
            instance.user.save(update_fields=list(user_data))
        presence = validated_data.pop("presence", None)
        for name, value in validated_data.items():
            setattr(instance, name, value)
        instance.save()
        if services is not None:
            instance.services.set(services)
        instance._new_presence = presence
        return instance


class PresenceSerializer(serializers.Serializer):
    presence = serializers.ChoiceField(choices=Presence.choices)


class AgentRefSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="display_name", read_only=True)
    username = serializers.CharField(source="user.username", read_only=True)

    class Meta:
        model = AgentProfile
        fields = ["id", "username", "name"]


# --- widgets -------------------------------------------------------------------------------


def validate_origin(value: str) -> str:
    value = value.strip().rstrip("/")
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.path or parts.query or parts.fragment:
        raise serializers.ValidationError(
            f"{value!r} is not a website origin: write scheme and host, e.g. https://www.example.com."
        )
    try:
        parts.port  # noqa: B018 - raises for a bad port
    except ValueError as exc:
        raise serializers.ValidationError(f"{value!r} has an invalid port.") from exc
    return value


class WidgetSerializer(ModelCleanSerializer):
    allowed_origins = serializers.ListField(
        child=serializers.CharField(max_length=200, validators=[validate_origin]),
        required=False, max_length=50,
        help_text="Websites allowed to show the widget, e.g. https://www.example.com. Empty: any website.",
    )
    whatsapp_service = serializers.PrimaryKeyRelatedField(
        queryset=Service.objects.all(), required=False, allow_null=True,
        help_text="The service WhatsApp conversations from this widget go to (Channels → WhatsApp).",
    )
    embed_snippet = serializers.SerializerMethodField()

    class Meta:
        model = Widget
        fields = [
            "id", "name", "public_key", "in_use", "allowed_origins", "whatsapp_service", "prefilled_text",
            "attribution_enabled", "embed_snippet", "created_at",
        ]
        read_only_fields = ["public_key", "created_at"]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["allowed_origins"] = instance.origins
        return data

    def to_internal_value(self, data):
        attrs = super().to_internal_value(data)
        if "allowed_origins" in attrs:
            attrs["allowed_origins"] = "\n".join(dict.fromkeys(attrs["allowed_origins"]))
        return attrs

    def validate_whatsapp_service(self, service):
        if service is not None and not service.whatsapp_ready:
            raise serializers.ValidationError(
                "This service cannot receive WhatsApp messages: it needs to be active, with the chat channel, "
                "WhatsApp and its Twilio phone number."
            )
        return service

    @extend_schema_field(OpenApiTypes.STR)
    def get_embed_snippet(self, widget) -> str:
        request = self.context.get("request")
        base = request.build_absolute_uri("/") if request is not None else "/"
        return embed_snippet(widget, base)


# --- contacts, interactions, messages -----------------------------------------------------------


class ContactSerializer(ModelCleanSerializer):
    class Meta:
        model = Contact
        fields = ["id", "channel", "address", "name", "external_id", "created_at", "updated_at"]
        read_only_fields = ["external_id", "created_at", "updated_at"]
        validators = []  # uniqueness is checked after the address is normalised (full_clean)

    def validate(self, attrs):
        channel = attrs.get("channel", getattr(self.instance, "channel", "whatsapp"))
        if "address" in attrs and channel == "whatsapp":
            try:
                attrs["address"] = normalize_e164(attrs["address"])
            except DjangoValidationError as exc:
                raise serializers.ValidationError({"address": exc.messages}) from exc
        if "address" in attrs:
            same = Contact.objects.filter(channel=channel, address=attrs["address"])
            if self.instance is not None:
                same = same.exclude(pk=self.instance.pk)
            if same.exists():
                raise serializers.ValidationError({"address": ["A contact with this address already exists."]})
        return super().validate(attrs)


class ContactRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Contact
        fields = ["id", "channel", "address", "name"]


class InteractionSerializer(serializers.ModelSerializer):
    service = ServiceRefSerializer(read_only=True)
    contact = ContactRefSerializer(read_only=True)
    agent = AgentRefSerializer(read_only=True, allow_null=True)
    window_closes_at = serializers.SerializerMethodField(
        help_text="Free-text replies are possible until then (WhatsApp's 24-hour window); afterwards only templates."
    )

    class Meta:
        model = Interaction
        fields = [
            "id", "state", "channel", "service", "contact", "agent", "assignment_reason", "created_at",
            "queued_at", "assigned_at", "first_reply_at", "closed_at", "last_inbound_at", "window_closes_at",
            "version",
        ]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.DATETIME)
    def get_window_closes_at(self, interaction):
        closes = window_closes_at(interaction)
        return serializers.DateTimeField().to_representation(closes) if closes else None


class AssignSerializer(serializers.Serializer):
    agent = serializers.PrimaryKeyRelatedField(queryset=AgentProfile.objects.all())


class TransferSerializer(serializers.Serializer):
    agent = serializers.PrimaryKeyRelatedField(
        queryset=AgentProfile.objects.all(), allow_null=True,
        help_text="Another agent of the interaction's service, or null to put it back in the queue.",
    )


class AttachmentSerializer(serializers.Serializer):
    index = serializers.IntegerField()
    content_type = serializers.CharField(allow_blank=True)


class MessageSerializer(serializers.ModelSerializer):
    attachments = serializers.SerializerMethodField()
    sender = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = Message
        fields = [
            "id", "interaction", "direction", "body", "attachments", "template_id", "template_variables",
            "status", "error_code", "error_message", "sender", "created_at", "status_updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(AttachmentSerializer(many=True))
    def get_attachments(self, message):
        # The provider's media URLs may carry credentials: only the types are shown.
        return [
            {"index": index, "content_type": str(item.get("content_type", ""))}
            for index, item in enumerate(message.attachments or [])
        ]


class ReplySerializer(serializers.Serializer):
    body = serializers.CharField(required=False, allow_blank=True, max_length=1600, trim_whitespace=True)
    template_id = serializers.RegexField(
        r"^HX[0-9a-fA-F]{32}$", required=False, allow_blank=True,
        help_text="An approved WhatsApp template (Twilio Content SID, HX…), needed outside the 24-hour window.",
    )
    template_variables = serializers.DictField(child=serializers.CharField(max_length=1000), required=False)

    def validate(self, attrs):
        if not (attrs.get("body") or "").strip() and not attrs.get("template_id"):
            raise serializers.ValidationError({"body": ["Write a message or choose a template."]})
        return attrs


# --- outbound webhooks ------------------------------------------------------------------------


class WebhookEndpointSerializer(ModelCleanSerializer):
    event_types = serializers.ListField(
        child=serializers.ChoiceField(choices=EventType.choices), required=False,
        help_text="Empty: every event.",
    )
    secret = serializers.SerializerMethodField(help_text="Signing secret (HMAC-SHA256 key).")

    class Meta:
        model = Endpoint
        fields = ["id", "url", "description", "event_types", "is_active", "secret", "created_at"]
        read_only_fields = ["created_at"]

    @extend_schema_field(OpenApiTypes.STR)
    def get_secret(self, endpoint) -> str:
        return endpoint.get_secret()

    def clean_exclude(self):
        return ["secret_encrypted"]  # made in create()

    def validate(self, attrs):
        if "event_types" in attrs:
            attrs["event_types"] = list(dict.fromkeys(attrs["event_types"]))
        return super().validate(attrs)

    def create(self, validated_data):
        from hooks.actions import create_endpoint

        endpoint, _secret = create_endpoint(created_by=self.context["request"].user, **validated_data)
        return endpoint


class AttemptSerializer(serializers.ModelSerializer):
    class Meta:
        model = Attempt
        fields = ["at", "status_code", "error", "duration_ms"]


class WebhookDeliverySerializer(serializers.ModelSerializer):
    event_id = serializers.UUIDField(source="event.id", read_only=True)
    event_type = serializers.CharField(source="event.type", read_only=True)
    attempt_log = AttemptSerializer(many=True, read_only=True)

    class Meta:
        model = Delivery
        fields = [
            "id", "event_id", "event_type", "state", "attempts", "next_attempt_at", "last_status_code",
            "last_error", "last_attempt_at", "delivered_at", "created_at", "attempt_log",
        ]
        read_only_fields = fields
