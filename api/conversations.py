"""Business-initiated conversations and the approved templates, in the REST API.

`GET /api/v1/templates/`: the approved WhatsApp templates (synced from the
Twilio account). `POST /api/v1/conversations/`: an agent of the service
starts a conversation with a contact (or a number) with one of them; the
desk's "New conversation" dialog posts here too. Only translation: the work
is `interactions.actions.initiate.start_with_template`.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from api import serializers as s
from interactions.actions import ActionError
from interactions.actions.initiate import start_with_template
from interactions.models import Contact, Interaction
from occ.lib import channels
from occ.lib.phone import normalize_e164
from services.models import Service


class TemplateSerializer(serializers.Serializer):
    sid = serializers.CharField(help_text="Twilio Content SID (HX…), sent as ContentSid.")
    name = serializers.CharField()
    body = serializers.CharField(help_text="The text with its {{n}} placeholders (a preview).")
    variables = serializers.ListField(child=serializers.CharField())
    examples = serializers.DictField(
        child=serializers.CharField(allow_blank=True),
        help_text="Twilio's default placeholder value of each variable.",
    )
    language = serializers.CharField(allow_blank=True)
    category = serializers.CharField(allow_blank=True, help_text="As WhatsApp holds it now.")
    buttons = serializers.ListField(child=serializers.DictField(), help_text="Quick-reply buttons.")


class StartConversationSerializer(serializers.Serializer):
    service = serializers.PrimaryKeyRelatedField(queryset=Service.objects.all())
    contact = serializers.PrimaryKeyRelatedField(
        queryset=Contact.objects.all(), required=False, allow_null=True
    )
    to = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=32,
        help_text="The customer's WhatsApp number in international format, when no `contact` is given.",
    )
    name = serializers.CharField(required=False, allow_blank=True, max_length=200)
    template_id = serializers.RegexField(r"^HX[0-9a-fA-F]{32}$")
    template_variables = serializers.DictField(
        child=serializers.CharField(max_length=1000), required=False
    )

    def validate_to(self, value):
        if not value:
            return ""
        try:
            return normalize_e164(value)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from exc

    def validate_template_id(self, value):
        if value not in {t["sid"] for t in channels.templates()}:
            raise serializers.ValidationError("That template is not among the approved ones.")
        return value

    def validate(self, attrs):
        if not attrs.get("contact") and not attrs.get("to"):
            raise serializers.ValidationError({"to": ["Give the customer's number or a contact."]})
        return attrs


@extend_schema(tags=["interactions"], responses={200: TemplateSerializer(many=True)})
class TemplateListView(APIView):
    """The approved WhatsApp templates agents may send (outside the 24-hour window, or to start)."""

    def get(self, request):
        return Response(TemplateSerializer(channels.templates(), many=True).data)


@extend_schema(
    tags=["interactions"],
    request=StartConversationSerializer,
    responses={201: s.InteractionSerializer},
    description=(
        "Start a business-initiated conversation: the interaction is opened with the service, "
        "assigned to the calling agent, and the approved template is sent (ContentSid + "
        "ContentVariables). Refused (400) when the caller is not an agent of the service, the "
        "template is not approved or misses a variable, or the contact already has an open "
        "conversation with the service."
    ),
)
class StartConversationView(APIView):
    def post(self, request):
        data = StartConversationSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        try:
            started = start_with_template(
                service=values["service"],
                actor=request.user,
                template_id=values["template_id"],
                template_variables=values.get("template_variables") or {},
                contact=values.get("contact"),
                address=values.get("to", ""),
                name=values.get("name", ""),
            )
        except ActionError as exc:
            raise serializers.ValidationError({"detail": [str(exc)]}) from exc
        interaction = Interaction.objects.select_related("service", "contact", "agent__user").get(
            pk=started.interaction.pk
        )
        return Response(
            s.InteractionSerializer(interaction, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )
