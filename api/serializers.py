"""API representations. Validation is the models' own (full_clean) plus the forms' rules.

`ModelCleanSerializer` applies the changes to a copy of the instance and
runs `full_clean()`, so the API refuses exactly what the console refuses
(Service.clean normalises the Twilio number to E.164, AgentProfile.clean
needs Chat before WhatsApp, the Account SID validator, Max interactions'
bounds, unique names and numbers) and answers field by field.
"""

from __future__ import annotations

import copy

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.forms.models import model_to_dict
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from agents.forms import AgentCreateForm, AgentProfileForm
from agents.models import AgentProfile, Presence
from agents.roles import Role, role_of
from api.embed import embed_snippet
from api.errors import django_errors
from desk.wrapup_forms import CloseReasonForm, LabelForm
from hooks.models import Attempt, Delivery, Endpoint, EventType
from interactions.models import CloseReason, Contact, Interaction, Label, Message
from interactions.selectors import handovers, window_closes_at
from occ.lib.phone import normalize_e164
from occ.lib.text import reject_unsafe_single_line
from services.forms import ServiceForm, hours_asked, hours_forms
from services.models import Service
from settings.forms import ChatChannelForm
from settings.models import ChatChannelSettings
from widgets.forms import WidgetForm
from widgets.models import Widget

User = get_user_model()


class ModelCleanSerializer(serializers.ModelSerializer):
    """Validates through the model's full_clean(), as the console's ModelForms do.

    The parsers refuse unsafe text everywhere (api.parsers); text fields of
    one line (all but the models' TextFields) refuse line breaks too.
    """

    def get_fields(self):
        fields = super().get_fields()
        for field in fields.values():
            multiline = field.style.get("base_template") == "textarea.html"
            if isinstance(field, serializers.CharField) and not field.read_only and not multiline:
                field.validators.append(reject_unsafe_single_line)
        return fields

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
        return {
            name: (getattr(candidate, name) if name in concrete and name not in m2m else value)
            for name, value in attrs.items()
        }

    def clean_exclude(self) -> list[str]:
        """Fields set after validation on create (e.g. the user of a new agent profile)."""
        return []


def form_errors(form) -> dict:
    """A Django form's errors in the API's field-level shape."""
    errors = {}
    for name, items in form.errors.get_json_data().items():
        key = "non_field_errors" if name == "__all__" else name
        errors[key] = [item["message"] for item in items]
    return errors


def _form_value(value):
    if hasattr(value, "pk"):
        return value.pk
    if isinstance(value, (list, tuple)):
        return [_form_value(v) for v in value]
    return "" if value is None else value


class ConsoleFormSerializer(serializers.ModelSerializer):
    """Validates and saves through the console's own ModelForm: one set of rules for both.

    Fields the request leaves out keep their stored values (PATCH), so the
    form sees a whole object, exactly as the console page submits it.
    """

    form_class = None

    def form_kwargs(self) -> dict:
        return {}

    def form_data(self, attrs: dict) -> dict:
        fields = self.form_class._meta.fields
        data = model_to_dict(self.instance, fields=fields) if self.instance is not None else {}
        if self.instance is None:
            data.update(
                {
                    name: field.initial
                    for name, field in self.form_class.base_fields.items()
                    if name not in attrs and field.initial is not None
                }
            )
        data.update(attrs)
        return {name: _form_value(value) for name, value in data.items()}

    def validate(self, attrs):
        attrs = super().validate(attrs)
        form = self.form_class(
            data=self.form_data(attrs), instance=self.instance, **self.form_kwargs()
        )
        if not form.is_valid():
            raise serializers.ValidationError(form_errors(form))
        self._form = form
        return attrs

    def create(self, validated_data):
        return self._form.save()

    def update(self, instance, validated_data):
        return self._form.save()


# --- Settings → Advanced → Chat channel -------------------------------------------------


class ChatChannelSettingsSerializer(ConsoleFormSerializer):
    """Validated and saved by the console's ChatChannelForm (token write-only, kept when blank)."""

    form_class = ChatChannelForm
    auth_token = serializers.CharField(
        write_only=True,
        required=False,
        allow_blank=True,
        max_length=200,
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
            "whatsapp_enabled",
            "account_sid",
            "auth_token",
            "clear_auth_token",
            "has_auth_token",
            "whatsapp_ready",
            "verified_at",
            "verification_ok",
            "verification_message",
            "updated_at",
        ]
        read_only_fields = ["verified_at", "verification_ok", "verification_message", "updated_at"]


class VerifyRequestSerializer(serializers.Serializer):
    account_sid = serializers.CharField(
        required=False,
        max_length=34,
        help_text="Check these instead of the stored credentials (not saved).",
    )
    auth_token = serializers.CharField(required=False, max_length=200, write_only=True)

    def validate(self, attrs):
        if bool(attrs.get("account_sid")) != bool(attrs.get("auth_token")):
            raise serializers.ValidationError(
                "Send both the Account SID and the Auth Token, or neither."
            )
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
    kind = serializers.ChoiceField(
        choices=["ok", "credentials", "forbidden", "suspended", "closed", "network", "error"]
    )
    message = serializers.CharField()
    friendly_name = serializers.CharField(allow_blank=True)
    status = serializers.CharField(allow_blank=True)


# --- services --------------------------------------------------------------------------


class ServiceSerializer(ConsoleFormSerializer):
    """Validated and saved by the console's ServiceForm (Service.clean: E.164 number, WhatsApp rules)."""

    form_class = ServiceForm
    whatsapp_ready = serializers.BooleanField(read_only=True)
    twilio_number = serializers.CharField(
        max_length=40,
        required=False,
        allow_blank=True,
        allow_null=True,
        help_text="International format; stored as E.164 (e.g. +390212345678).",
    )
    messaging_service_sid = serializers.CharField(
        max_length=34,
        required=False,
        allow_blank=True,
        allow_null=True,
        help_text="A Twilio Messaging Service (MG + 32 hexadecimal digits) instead of one number: "
        "inbound messages naming it reach this service, replies are sent through it.",
    )

    class Meta:
        model = Service
        fields = [
            "id",
            "name",
            "is_active",
            "chat_enabled",
            "whatsapp_enabled",
            "twilio_number",
            "messaging_service_sid",
            "queue_position_reply",
            "close_reason_required",
            "csat_enabled",
            "csat_template_sid",
            "default_language",
            "greeting_enabled",
            "no_agent_reply",
            "closed_message_enabled",
            "first_response_minutes",
            "idle_close_hours",
            # Business hours are written through /services/{id}/hours/ (BusinessHoursSerializer).
            "business_hours_enabled",
            "time_zone",
            "out_of_hours_reply",
            "out_of_hours_action",
            "out_of_hours_reply_every_hours",
            "whatsapp_ready",
            "created_at",
        ]
        read_only_fields = [
            "created_at",
            "business_hours_enabled",
            "time_zone",
            "out_of_hours_reply",
            "out_of_hours_action",
            "out_of_hours_reply_every_hours",
        ]
        validators = []  # the form checks uniqueness (of the normalised number, too)

    def get_fields(self):
        fields = super().get_fields()
        fields["name"].validators = []  # unique: the form says so
        return fields


class OpeningRangeSerializer(serializers.Serializer):
    weekday = serializers.IntegerField(min_value=0, max_value=6, help_text="0 Monday … 6 Sunday.")
    opens = serializers.TimeField(format="%H:%M", help_text="HH:MM, in the service's time zone.")
    closes = serializers.TimeField(
        format="%H:%M", help_text="HH:MM, after `opens` (23:59 for midnight)."
    )


class ClosureSerializer(serializers.Serializer):
    starts_on = serializers.DateField()
    ends_on = serializers.DateField(help_text="Included.")
    note = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")


class BusinessHoursSerializer(serializers.Serializer):
    """A service's business hours, validated by the console's own forms (services.forms.hours_forms)
    and saved by the same action (services.actions.set_business_hours).

    Fields left out keep their stored values; `ranges` and `closures`, when
    given, are the whole list (an empty list removes them all).
    """

    business_hours_enabled = serializers.BooleanField(required=False)
    time_zone = serializers.CharField(max_length=64, required=False, help_text="e.g. Europe/Rome.")
    out_of_hours_reply = serializers.BooleanField(required=False)
    out_of_hours_reply_every_hours = serializers.IntegerField(
        required=False, min_value=1, max_value=32767
    )
    out_of_hours_action = serializers.ChoiceField(choices=["queue", "close"], required=False)
    ranges = OpeningRangeSerializer(many=True, required=False)
    closures = ClosureSerializer(many=True, required=False)

    def to_representation(self, service):
        return {
            **{name: getattr(service, name) for name in self.settings_fields()},
            "ranges": OpeningRangeSerializer(service.opening_ranges.all(), many=True).data,
            "closures": ClosureSerializer(service.closures.all(), many=True).data,
        }

    @staticmethod
    def settings_fields() -> list[str]:
        from services.forms import HoursForm

        return list(HoursForm._meta.fields)

    def form_data(self, attrs: dict) -> dict:
        """The POST the console page would send for this request."""
        service = self.instance
        data: dict = {}
        for name in self.settings_fields():
            value = attrs.get(name, getattr(service, name))
            if isinstance(value, bool):
                if value:
                    data[f"hours-{name}"] = "on"
            else:
                data[f"hours-{name}"] = str(value)
        groups = {
            "ranges": (
                attrs.get("ranges"),
                service.opening_ranges.all(),
                ["weekday", "opens", "closes"],
            ),
            "closures": (
                attrs.get("closures"),
                service.closures.all(),
                ["starts_on", "ends_on", "note"],
            ),
        }
        for prefix, (given, stored, names) in groups.items():
            rows = (
                list(given)
                if given is not None
                else [{name: getattr(row, name) for name in names} for row in stored]
            )
            # New rows only: the action keeps the stored ones that are asked for again.
            data[f"{prefix}-TOTAL_FORMS"] = str(len(rows))
            data[f"{prefix}-INITIAL_FORMS"] = "0"
            for index, row in enumerate(rows):
                for name in names:
                    value = row.get(name, "")
                    data[f"{prefix}-{index}-{name}"] = (
                        value.isoformat() if hasattr(value, "isoformat") else str(value)
                    )
        return data

    def validate(self, attrs):
        from services.models import Service

        # Unsaved copies: the forms write what they validate onto their instance.
        form, ranges, closures = hours_forms(
            Service.objects.get(pk=self.instance.pk), self.form_data(attrs)
        )
        errors = {}
        if not form.is_valid():
            errors.update(form_errors(form))
        for name, formset in (("ranges", ranges), ("closures", closures)):
            if not formset.is_valid():
                rows = [form_errors(f) for f in formset.forms]
                if any(rows):
                    errors[name] = rows
                if formset.non_form_errors():
                    errors.setdefault("non_field_errors", []).extend(formset.non_form_errors())
        if errors:
            raise serializers.ValidationError(errors)
        return hours_asked(form, ranges, closures)


class ServiceRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Service
        fields = ["id", "name"]


# --- agents ------------------------------------------------------------------------------


class AgentSerializer(serializers.ModelSerializer):
    """Validated and saved by the console's AgentCreateForm and AgentProfileForm.

    Creating an agent creates its user (with a password the password
    validators accept); presence is set through `desk.actions.set_presence`.
    """

    username = serializers.CharField(
        source="user.username", max_length=150, help_text="Set when the agent is created."
    )
    first_name = serializers.CharField(
        source="user.first_name", max_length=150, required=False, allow_blank=True
    )
    last_name = serializers.CharField(
        source="user.last_name", max_length=150, required=False, allow_blank=True
    )
    email = serializers.CharField(
        source="user.email", read_only=True, help_text="Empty when not set."
    )
    is_active = serializers.BooleanField(source="user.is_active", required=False, default=True)
    role = serializers.ChoiceField(
        choices=Role.choices,
        required=False,
        help_text="administrator (everything), supervisor (monitoring, reassigning, reports, "
        "canned responses and labels; no settings, tokens, webhooks or users) or agent. "
        "Left out: unchanged (agent for a new one). Administrators cannot change their own.",
    )
    password = serializers.CharField(
        write_only=True,
        required=False,
        style={"input_type": "password"},
        max_length=128,
        trim_whitespace=False,
        help_text="Required when creating; when updating, a new password (leave out to keep it).",
    )
    services = serializers.PrimaryKeyRelatedField(
        many=True, queryset=Service.objects.all(), required=False
    )
    open_interactions = serializers.SerializerMethodField()

    class Meta:
        model = AgentProfile
        fields = [
            "id",
            "username",
            "first_name",
            "last_name",
            "email",
            "is_active",
            "role",
            "password",
            "chat_enabled",
            "whatsapp_enabled",
            "max_interactions",
            "services",
            "presence",
            "presence_changed_at",
            "open_interactions",
        ]
        read_only_fields = ["presence_changed_at"]

    @extend_schema_field(OpenApiTypes.INT)
    def get_open_interactions(self, profile) -> int:
        value = getattr(profile, "open_count", None)
        if value is None:
            value = profile.interactions.filter(state="assigned").count()
        return value

    def _editor(self):
        request = self.context.get("request")
        return getattr(request, "user", None)

    def _profile_form(
        self, attrs: dict, user_data: dict, password: str, profile, user
    ) -> AgentProfileForm:
        current = (
            model_to_dict(
                profile, fields=["chat_enabled", "whatsapp_enabled", "max_interactions", "services"]
            )
            if profile.pk
            else {
                "chat_enabled": False,
                "whatsapp_enabled": False,
                "max_interactions": profile.max_interactions,
                "services": [],
            }
        )
        data = {
            **current,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "is_active": user.is_active,
            **{k: v for k, v in attrs.items() if k != "presence"},
            **user_data,
        }
        if profile.pk and password:
            data["new_password"] = password
        data = {name: _form_value(value) for name, value in data.items()}
        if not data.get("is_active"):
            data.pop("is_active", None)  # a checkbox left out means "off"
        return AgentProfileForm(data=data, instance=profile, user=user, editor=self._editor())

    def validate(self, attrs):
        user_data = dict(attrs.pop("user", {}))
        password = attrs.pop("password", "") or ""
        errors: dict = {}
        if self.instance is None:
            create = AgentCreateForm(
                data={
                    "username": user_data.get("username", ""),
                    "first_name": user_data.get("first_name", ""),
                    "last_name": user_data.get("last_name", ""),
                    "password1": password,
                    "password2": password,
                }
            )
            if not create.is_valid():
                for name, messages in form_errors(create).items():
                    key = "password" if name in ("password1", "password2") else name
                    errors.setdefault(key, []).extend(
                        m for m in messages if m not in errors.get(key, [])
                    )
            user = User(
                username=user_data.get("username", ""),
                first_name=user_data.get("first_name", ""),
                last_name=user_data.get("last_name", ""),
                is_active=user_data.get("is_active", True),
            )
            profile = AgentProfile(user=user)
        else:
            create = None
            if "username" in user_data and user_data["username"] != self.instance.user.username:
                errors["username"] = ["The username cannot be changed."]
            user = self.instance.user
            profile = self.instance
        user_data.pop("username", None)
        form = self._profile_form(attrs, user_data, password, profile, user)
        if not form.is_valid():
            for name, messages in form_errors(form).items():
                key = "password" if name == "new_password" else name
                errors.setdefault(key, []).extend(messages)
        if errors:
            raise serializers.ValidationError(errors)
        attrs["_create_form"] = create
        attrs["_profile_form"] = form
        attrs["_raw"] = (user_data, password)
        return attrs

    @transaction.atomic
    def create(self, validated_data):
        user = validated_data["_create_form"].save()
        user.is_active = validated_data["_profile_form"].cleaned_data.get("is_active", True)
        profile = AgentProfile.objects.get(user=user)
        user_data, _password = validated_data["_raw"]
        attrs = {k: v for k, v in validated_data.items() if not k.startswith("_")}
        form = self._profile_form(attrs, user_data, "", profile, user)
        form.is_valid()
        profile = form.save()
        profile._new_presence = validated_data.get("presence")
        return profile

    @transaction.atomic
    def update(self, instance, validated_data):
        profile = validated_data["_profile_form"].save()
        profile._new_presence = validated_data.get("presence")
        return profile


class UserSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    first_name = serializers.CharField(allow_blank=True)
    last_name = serializers.CharField(allow_blank=True)
    is_administrator = serializers.BooleanField(source="is_staff")
    role = serializers.SerializerMethodField(
        help_text="administrator (everything), supervisor (monitoring, reassigning, reports, "
        "canned responses and labels) or agent."
    )

    @extend_schema_field(serializers.ChoiceField(choices=Role.choices))
    def get_role(self, user) -> str:
        return role_of(user)


class MeSerializer(serializers.Serializer):
    user = UserSummarySerializer()
    agent = AgentSerializer(allow_null=True, help_text="Null for a user without an agent profile.")


class PresenceSerializer(serializers.Serializer):
    presence = serializers.ChoiceField(choices=Presence.choices)


class AgentRefSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="display_name", read_only=True)
    username = serializers.CharField(source="user.username", read_only=True)

    class Meta:
        model = AgentProfile
        fields = ["id", "username", "name"]


# --- widgets -------------------------------------------------------------------------------


class WidgetSerializer(ConsoleFormSerializer):
    """Validated and saved by the console's WidgetForm (origins, WhatsApp service, in use, colour contrast)."""

    form_class = WidgetForm
    allowed_origins = serializers.ListField(
        child=serializers.CharField(max_length=200),
        required=False,
        max_length=50,
        help_text="Websites allowed to show the widget, e.g. https://www.example.com. Empty: any website.",
    )
    whatsapp_service = serializers.PrimaryKeyRelatedField(
        queryset=Service.objects.all(),
        required=False,
        allow_null=True,
        help_text="The service WhatsApp conversations from this widget go to (Channels → WhatsApp); "
        "required while the widget is in use.",
    )
    embed_snippet = serializers.SerializerMethodField()

    class Meta:
        model = Widget
        fields = [
            "id",
            "name",
            "public_key",
            "in_use",
            "allowed_origins",
            "whatsapp_service",
            "prefilled_text",
            "attribution_enabled",
            "colour",
            "position",
            "launcher_text",
            "title_text",
            "embed_snippet",
            "created_at",
        ]
        read_only_fields = ["public_key", "created_at"]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["allowed_origins"] = instance.origins
        return data

    def form_data(self, attrs):
        data = super().form_data(attrs)
        if isinstance(data.get("allowed_origins"), list):
            data["allowed_origins"] = "\n".join(data["allowed_origins"])
        return data

    @extend_schema_field(OpenApiTypes.STR)
    def get_embed_snippet(self, widget) -> str:
        request = self.context.get("request")
        base = request.build_absolute_uri("/") if request is not None else "/"
        return embed_snippet(widget, base)


# --- contacts, interactions, messages -----------------------------------------------------------


class ContactSerializer(ModelCleanSerializer):
    class Meta:
        model = Contact
        fields = [
            "id",
            "channel",
            "address",
            "name",
            "external_id",
            "phone",
            "username",
            "external_user_id",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "external_id",
            "phone",
            "username",
            "external_user_id",
            "created_at",
            "updated_at",
        ]
        validators = []  # uniqueness is checked after the address is normalised (full_clean)

    def validate(self, attrs):
        channel = attrs.get("channel", getattr(self.instance, "channel", "whatsapp"))
        if "address" in attrs and channel == "whatsapp":
            try:
                attrs["address"] = normalize_e164(attrs["address"])
            except DjangoValidationError as exc:
                raise serializers.ValidationError({"address": exc.messages}) from exc
            attrs["phone"] = attrs["address"]
        if "address" in attrs:
            same = Contact.objects.filter(channel=channel, address=attrs["address"])
            if self.instance is not None:
                same = same.exclude(pk=self.instance.pk)
            if same.exists():
                raise serializers.ValidationError(
                    {"address": ["A contact with this address already exists."]}
                )
        return super().validate(attrs)


class ContactRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Contact
        fields = ["id", "channel", "address", "name", "phone", "username"]


class CsatSerializer(serializers.Serializer):
    """The satisfaction survey sent after the close, and the customer's answer."""

    state = serializers.CharField(
        help_text="sent (waiting for the score), scored, commented or not_sent."
    )
    sent_at = serializers.DateTimeField()
    score = serializers.IntegerField(
        allow_null=True, help_text="1 (not at all satisfied) to 5 (very)."
    )
    comment = serializers.CharField(allow_blank=True)
    answered_at = serializers.DateTimeField(allow_null=True)


# --- labels and close reasons ---------------------------------------------------------------


class IdRelatedField(serializers.PrimaryKeyRelatedField):
    """A related object by id; an id past 64 bits does not exist (the database is not asked)."""

    def to_internal_value(self, data):
        if not isinstance(data, bool):
            try:
                number = int(data)
            except (TypeError, ValueError):
                number = None
            if number is not None and not 1 <= number <= 2**63 - 1:
                self.fail("does_not_exist", pk_value=data)
        return super().to_internal_value(data)


class LabelSerializer(ConsoleFormSerializer):
    """Validated and saved by the console's LabelForm (unique name, #rrggbb, not too pale)."""

    form_class = LabelForm
    text_colour = serializers.CharField(
        read_only=True,
        help_text="Black or white, whichever reads better on `colour` (WCAG contrast at least 4.5:1).",
    )

    class Meta:
        model = Label
        fields = ["id", "name", "colour", "text_colour", "created_at"]
        read_only_fields = ["created_at"]
        validators = []

    def get_fields(self):
        fields = super().get_fields()
        fields["name"].validators = []  # unique, ignoring case: the form says so
        return fields


class LabelRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Label
        fields = ["id", "name", "colour"]


class CloseReasonSerializer(ConsoleFormSerializer):
    """Validated and saved by the console's CloseReasonForm."""

    form_class = CloseReasonForm

    class Meta:
        model = CloseReason
        fields = ["id", "name", "is_active", "position", "created_at"]
        read_only_fields = ["created_at"]
        validators = []

    def get_fields(self):
        fields = super().get_fields()
        fields["name"].validators = []
        return fields


class CloseReasonRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = CloseReason
        fields = ["id", "name"]


class HandoverSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=["transferred", "requeued"],
        help_text="`transferred`: to an agent or another service's queue; `requeued`: back to its queue.",
    )
    by = serializers.CharField(help_text="Who handed it over (their name).")
    note = serializers.CharField(allow_blank=True, help_text="What they wrote for the next agent.")
    at = serializers.DateTimeField()


class InteractionSerializer(serializers.ModelSerializer):
    service = ServiceRefSerializer(read_only=True)
    csat = serializers.SerializerMethodField(
        help_text="The satisfaction survey after the close (null: none was sent)."
    )
    contact = ContactRefSerializer(read_only=True)
    agent = AgentRefSerializer(read_only=True, allow_null=True)
    window_closes_at = serializers.SerializerMethodField(
        help_text="Free-text replies are possible until then (WhatsApp's 24-hour window); afterwards only templates."
    )
    labels = LabelRefSerializer(many=True, read_only=True)
    close_reason = CloseReasonRefSerializer(read_only=True, allow_null=True)
    handover = serializers.SerializerMethodField(
        help_text="The latest hand-over by a person (a transfer or a return to the queue) and its note; null if none."
    )

    class Meta:
        model = Interaction
        fields = [
            "id",
            "state",
            "channel",
            "service",
            "contact",
            "agent",
            "assignment_reason",
            "created_at",
            "queued_at",
            "assigned_at",
            "first_reply_at",
            "closed_at",
            "last_inbound_at",
            "window_closes_at",
            "labels",
            "close_reason",
            "wrap_up_note",
            "handover",
            "version",
            "csat",
        ]
        read_only_fields = fields

    @extend_schema_field(CsatSerializer(allow_null=True))
    def get_csat(self, interaction):
        from interactions.models import Survey

        try:
            survey = interaction.survey
        except Survey.DoesNotExist:
            return None
        return CsatSerializer(survey).data

    @extend_schema_field(OpenApiTypes.DATETIME)
    def get_window_closes_at(self, interaction):
        closes = window_closes_at(interaction)
        return serializers.DateTimeField().to_representation(closes) if closes else None

    @extend_schema_field(HandoverSerializer(allow_null=True))
    def get_handover(self, interaction):
        found = self.context.get("handovers")
        if found is None:
            found = handovers([interaction.pk])
        return found.get(interaction.pk)


class AssignSerializer(serializers.Serializer):
    agent = serializers.PrimaryKeyRelatedField(queryset=AgentProfile.objects.all())


class TransferSerializer(serializers.Serializer):
    agent = serializers.PrimaryKeyRelatedField(
        queryset=AgentProfile.objects.all(),
        allow_null=True,
        required=False,
        help_text="Another agent of the interaction's service (under their Max interactions); "
        "null or left out, with no `service`: back to its queue.",
    )
    service = IdRelatedField(
        queryset=Service.objects.all(),
        allow_null=True,
        required=False,
        help_text="Another service: the interaction waits at the end of its queue and is routed there.",
    )
    note = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=500,
        help_text="For whoever gets it next (shown first on their desk).",
    )

    def validate(self, attrs):
        if attrs.get("agent") is not None and attrs.get("service") is not None:
            raise serializers.ValidationError(
                {"non_field_errors": ["Choose an agent or a service, not both."]}
            )
        return attrs


class CloseSerializer(serializers.Serializer):
    close_reason = IdRelatedField(
        queryset=CloseReason.objects.all(),
        allow_null=True,
        required=False,
        help_text="An active close reason; required when the service requires one.",
    )
    wrap_up_note = serializers.CharField(
        required=False, allow_blank=True, max_length=2000, style={"base_template": "textarea.html"}
    )


class LabelChangeSerializer(serializers.Serializer):
    add = IdRelatedField(
        queryset=Label.objects.all(), many=True, required=False, help_text="Labels to put on."
    )
    remove = IdRelatedField(
        queryset=Label.objects.all(), many=True, required=False, help_text="Labels to take off."
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
            "id",
            "interaction",
            "direction",
            "body",
            "attachments",
            "template_id",
            "template_variables",
            "status",
            "error_code",
            "error_message",
            "sender",
            "created_at",
            "status_updated_at",
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
    body = serializers.CharField(
        required=False, allow_blank=True, max_length=1600, trim_whitespace=True
    )
    template_id = serializers.RegexField(
        r"^HX[0-9a-fA-F]{32}$",
        required=False,
        allow_blank=True,
        help_text="An approved WhatsApp template (Twilio Content SID, HX…), needed outside the 24-hour window.",
    )
    template_variables = serializers.DictField(
        child=serializers.CharField(max_length=1000), required=False
    )

    def validate_template_id(self, value):
        from occ.lib import channels

        if value and value not in {t["sid"] for t in channels.templates()}:
            raise serializers.ValidationError("That template is not among the approved ones.")
        return value

    def validate(self, attrs):
        if not (attrs.get("body") or "").strip() and not attrs.get("template_id"):
            raise serializers.ValidationError({"body": ["Write a message or choose a template."]})
        return attrs


# --- outbound webhooks ------------------------------------------------------------------------


class WebhookEndpointSerializer(ModelCleanSerializer):
    event_types = serializers.ListField(
        child=serializers.ChoiceField(choices=EventType.choices),
        required=False,
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

        endpoint, _secret = create_endpoint(
            created_by=self.context["request"].user, **validated_data
        )
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
            "id",
            "event_id",
            "event_type",
            "state",
            "attempts",
            "next_attempt_at",
            "last_status_code",
            "last_error",
            "last_attempt_at",
            "delivered_at",
            "created_at",
            "attempt_log",
        ]
        read_only_fields = fields


# --- search (interactions.search) ---------------------------------------------------------


class SearchQuerySerializer(serializers.Serializer):
    """The filters of GET /api/v1/search/ (all optional; words: every one must be in the message)."""

    text = serializers.CharField(required=False, allow_blank=True, max_length=200)
    contact = serializers.CharField(
        required=False, allow_blank=True, max_length=100, help_text="Part of a name or a number."
    )
    label = serializers.IntegerField(required=False, min_value=1)
    close_reason = serializers.IntegerField(required=False, min_value=1)
    service = serializers.IntegerField(required=False, min_value=1)
    agent = serializers.IntegerField(required=False, min_value=1)
    date_from = serializers.DateField(required=False)
    date_to = serializers.DateField(required=False, help_text="Inclusive.")
    closed_only = serializers.BooleanField(
        required=False, default=False, help_text="Only the caller's closed conversations."
    )
    page = serializers.IntegerField(required=False, min_value=1, default=1)


class SearchMessageSerializer(serializers.ModelSerializer):
    class Meta:
        model = Message
        fields = ["id", "direction", "body", "created_at"]


class SearchHitSerializer(serializers.Serializer):
    interaction = InteractionSerializer()
    message = SearchMessageSerializer(
        allow_null=True, help_text="The message the words matched (or the newest one)."
    )
    matched = serializers.BooleanField(help_text="`message` is the one the words matched.")
    snippet_html = serializers.CharField(
        help_text="The message around the first match, HTML-escaped, the matched words in <mark>."
    )


class SearchPageSerializer(serializers.Serializer):
    page = serializers.IntegerField()
    has_next = serializers.BooleanField()
    results = SearchHitSerializer(many=True)
