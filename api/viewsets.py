"""The REST API under /api/v1/. Classes only translate: the work is done by actions.

Administrators configure (settings, services, agents, widgets, webhooks)
and see every conversation; an agent sees what the desk shows them (the
interactions they hold and those contacts' history) and acts only on what
they hold: one rule, `interactions.selectors` (anything else is a 404).
"""

from __future__ import annotations

from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from agents.models import AgentProfile
from api import filters
from api import serializers as s
from api.permissions import (
    AdministratorWritesOthersRead,
    IsAdministrator,
    IsSupervisor,
    SupervisorWritesOthersRead,
    is_supervisor,
)
from desk import actions as desk_actions
from hooks.models import Delivery, Endpoint
from interactions import selectors
from interactions.actions import ActionError, labels, lifecycle, outbound
from interactions.models import CloseReason, Contact, Interaction, Label, Message
from services import actions as service_actions
from services.models import Service
from settings.models import ChatChannelSettings
from whatsapp import channel_settings_actions
from widgets.models import Widget


def own_profile(user) -> AgentProfile | None:
    return AgentProfile.objects.filter(user=user).first() if user.is_authenticated else None


def visible_interactions(user):
    """The desk's rule (interactions.selectors.visible_interactions), with what the serializers read."""
    return (
        selectors.visible_interactions(user)
        .select_related("service", "contact", "agent__user", "close_reason")
        .prefetch_related("labels")
    )


def actionable(user, interaction: Interaction) -> Interaction:
    """404 for an interaction `user` sees but may not act on (a colleague's, in a contact's history)."""
    if not selectors.can_act(user, interaction):
        raise Http404
    return interaction


# --- Settings → Advanced → Chat channel ---------------------------------------------------------


@extend_schema(tags=["settings"])
class ChatChannelSettingsView(GenericAPIView):
    """The account-level WhatsApp settings (one object). The Auth Token is write-only."""

    serializer_class = s.ChatChannelSettingsSerializer
    permission_classes = [IsAdministrator]
    pagination_class = None
    filter_backends = []

    def get_object(self):
        return ChatChannelSettings.load()

    def get(self, request):
        return Response(self.get_serializer(self.get_object()).data)

    def put(self, request):
        return self._update(request, partial=False)

    def patch(self, request):
        return self._update(request, partial=True)

    def _update(self, request, *, partial):
        serializer = self.get_serializer(self.get_object(), data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        serializer.save()
        return Response(serializer.data)


@extend_schema(
    tags=["settings"],
    request=s.VerifyRequestSerializer,
    responses={200: s.VerifyResultSerializer},
    description=(
        "Run an authentication test against Twilio (Verify account). Without a body the stored "
        "credentials are checked and the result is stored; with `account_sid` and `auth_token` those "
        "are checked and nothing is saved."
    ),
)
class ChatChannelVerifyView(GenericAPIView):
    serializer_class = s.VerifyRequestSerializer
    permission_classes = [IsAdministrator]
    pagination_class = None
    filter_backends = []

    def post(self, request):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        config = ChatChannelSettings.load()
        given = serializer.validated_data
        if given.get("account_sid"):
            sid, token, store = given["account_sid"], given["auth_token"], False
        else:
            if not config.account_sid or not config.has_auth_token:
                raise serializers.ValidationError(
                    {
                        "non_field_errors": [
                            "Save the Account SID and the Auth Token first, or send them to check."
                        ]
                    }
                )
            sid, token, store = config.account_sid, config.get_auth_token(), True
        result = channel_settings_actions.verify_credentials(sid, token)
        if store:
            channel_settings_actions.record_verification(config, result)
        return Response(
            s.VerifyResultSerializer(
                {
                    "ok": result.ok,
                    "kind": result.kind,
                    "message": result.message,
                    "friendly_name": result.friendly_name,
                    "status": result.status,
                }
            ).data
        )


# --- services, agents, widgets ------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(tags=["services"]),
    retrieve=extend_schema(tags=["services"]),
    create=extend_schema(tags=["services"]),
    update=extend_schema(tags=["services"]),
    partial_update=extend_schema(tags=["services"]),
    destroy=extend_schema(tags=["services"]),
)
class ServiceViewSet(viewsets.ModelViewSet):
    """Services with their chat channel, WhatsApp switch and Twilio phone number."""

    queryset = Service.objects.all()
    serializer_class = s.ServiceSerializer
    permission_classes = [AdministratorWritesOthersRead]
    filterset_class = filters.ServiceFilter
    ordering_fields = ["name", "created_at", "id"]
    ordering = ["name"]

    @extend_schema(methods=["GET"], tags=["services"], responses={200: s.BusinessHoursSerializer})
    @extend_schema(
        methods=["PUT", "PATCH"],
        tags=["services"],
        request=s.BusinessHoursSerializer,
        responses={200: s.BusinessHoursSerializer},
    )
    @action(detail=True, methods=["get", "put", "patch"], url_path="hours", filter_backends=[])
    def hours(self, request, pk=None):
        """The service's business hours: its settings, weekly ranges (several a day) and
        closures. Written with the console's rules; fields left out keep their values."""
        service = self.get_object()
        if request.method == "GET":
            return Response(s.BusinessHoursSerializer(service).data)
        data = s.BusinessHoursSerializer(service, data=request.data)
        data.is_valid(raise_exception=True)
        service_actions.set_business_hours(service, **data.validated_data)
        return Response(s.BusinessHoursSerializer(Service.objects.get(pk=service.pk)).data)


@extend_schema(tags=["agents"])
class AgentViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Agent profiles: Chat, WhatsApp, Max interactions, services served, presence.

    Creating one also creates the user. Agents are switched off with
    `is_active: false` rather than deleted, so their history stays.
    """

    serializer_class = s.AgentSerializer
    permission_classes = [IsAdministrator]
    filterset_class = filters.AgentFilter
    ordering_fields = ["id", "user__username", "presence", "max_interactions", "open_count"]
    ordering = ["user__username"]

    def get_queryset(self):
        return self.queryset_for_everyone()

    @staticmethod
    def queryset_for_everyone():
        return (
            AgentProfile.objects.select_related("user")
            .prefetch_related("services", "user__groups")
            .annotate(open_count=Count("interactions", filter=Q(interactions__state="assigned")))
        )

    def perform_create(self, serializer):
        self._after_save(serializer.save())

    def perform_update(self, serializer):
        self._after_save(serializer.save())

    def _after_save(self, profile):
        presence = getattr(profile, "_new_presence", None)
        if presence and presence != profile.presence:
            desk_actions.set_presence(profile, presence)  # drains the queue when online
        # As the console does: more capacity, another service or a channel switched on serves the queue now.
        desk_actions.capacity_changed(profile)


@extend_schema(tags=["agents"], responses={200: s.MeSerializer})
class MeView(GenericAPIView):
    """Who this session or token is: the user, whether an administrator, and their agent profile (or null)."""

    serializer_class = s.MeSerializer
    permission_classes = [IsAuthenticated]
    pagination_class = None
    filter_backends = []

    def get(self, request):
        profile = AgentViewSet.queryset_for_everyone().filter(user=request.user).first()
        return Response(self.get_serializer({"user": request.user, "agent": profile}).data)


@extend_schema(tags=["agents"], request=s.PresenceSerializer, responses={200: s.AgentSerializer})
class PresenceView(GenericAPIView):
    """Set the signed-in agent's presence (online takes new interactions; away and offline keep current ones)."""

    serializer_class = s.PresenceSerializer
    permission_classes = [IsAuthenticated]
    pagination_class = None
    filter_backends = []

    def post(self, request):
        profile = get_object_or_404(AgentProfile, user=request.user)
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        desk_actions.set_presence(profile, serializer.validated_data["presence"])
        profile = AgentViewSet.queryset_for_everyone().get(pk=profile.pk)
        return Response(s.AgentSerializer(profile, context=self.get_serializer_context()).data)


@extend_schema(tags=["widgets"])
class WidgetViewSet(viewsets.ModelViewSet):
    """Website widgets: in use, allowed origins, WhatsApp service, embed snippet."""

    queryset = Widget.objects.select_related("whatsapp_service")
    serializer_class = s.WidgetSerializer
    permission_classes = [IsAdministrator]
    filterset_fields = ["in_use", "whatsapp_service"]
    ordering_fields = ["name", "created_at", "id"]
    ordering = ["name"]


# --- contacts, interactions, messages -------------------------------------------------------------


@extend_schema(tags=["contacts"])
class ContactViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Customers. Agents see the contacts of the interactions they hold; administrators change them."""

    serializer_class = s.ContactSerializer
    permission_classes = [AdministratorWritesOthersRead]
    filterset_class = filters.ContactFilter
    ordering_fields = ["id", "name", "address", "created_at", "updated_at"]
    ordering = ["-created_at", "-id"]

    def get_queryset(self):
        if is_supervisor(self.request.user):
            return Contact.objects.all()
        return Contact.objects.filter(
            pk__in=visible_interactions(self.request.user).values("contact_id")
        )


@extend_schema(tags=["interactions"])
class InteractionViewSet(viewsets.ReadOnlyModelViewSet):
    """Interactions: filter by service, agent, state and date; assign, transfer, close."""

    serializer_class = s.InteractionSerializer
    filterset_class = filters.InteractionFilter
    ordering_fields = [
        "id",
        "created_at",
        "queued_at",
        "assigned_at",
        "closed_at",
        "last_inbound_at",
    ]
    ordering = ["-created_at", "-id"]

    def get_queryset(self):
        return visible_interactions(self.request.user)

    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        rows = list(page if page is not None else queryset)
        # Who handed each over, for the whole page in one query.
        context = {
            **self.get_serializer_context(),
            "handovers": selectors.handovers(row.pk for row in rows),
        }
        data = s.InteractionSerializer(rows, many=True, context=context).data
        return self.get_paginated_response(data) if page is not None else Response(data)

    def _answer(self, interaction_id: int) -> Response:
        interaction = (
            Interaction.objects.select_related("service", "contact", "agent__user", "close_reason")
            .prefetch_related("labels")
            .get(pk=interaction_id)
        )
        return Response(
            s.InteractionSerializer(interaction, context=self.get_serializer_context()).data
        )

    @extend_schema(request=s.AssignSerializer, responses={200: s.InteractionSerializer})
    @action(detail=True, methods=["post"], permission_classes=[IsSupervisor])
    def assign(self, request, pk=None):
        """Give the interaction to an agent of its service (supervisors and administrators; never past Max interactions)."""
        interaction = self.get_object()
        data = s.AssignSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        self._transfer(interaction, data.validated_data["agent"])
        return self._answer(interaction.pk)

    @extend_schema(request=s.TransferSerializer, responses={200: s.InteractionSerializer})
    @action(detail=True, methods=["post"])
    def transfer(self, request, pk=None):
        """Hand the interaction to another agent of its service, to another service's queue
        (`service`), or back to its queue (neither), with an optional `note` for whoever gets it."""
        interaction = actionable(request.user, self.get_object())
        data = s.TransferSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        given = data.validated_data
        self._transfer(
            interaction,
            given.get("agent"),
            service=given.get("service"),
            note=given.get("note", ""),
        )
        return self._answer(interaction.pk)

    def _transfer(self, interaction, agent, *, service=None, note=""):
        try:
            lifecycle.transfer_interaction(
                interaction.pk,
                to_agent_id=agent.pk if agent else None,
                to_service_id=service.pk if service else None,
                note=note,
                actor=self.request.user,
            )
        except ActionError as exc:
            raise serializers.ValidationError(
                {"service" if service else "agent": [str(exc)]}
            ) from exc

    @extend_schema(request=s.CloseSerializer, responses={200: s.InteractionSerializer})
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        """Close the interaction, with a close reason (required when its service says so) and an
        optional wrap-up note; its agent's capacity frees and the queue drains."""
        interaction = actionable(request.user, self.get_object())
        data = s.CloseSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        reason = data.validated_data.get("close_reason")
        try:
            lifecycle.close_interaction(
                interaction.pk,
                actor=request.user,
                close_reason_id=reason.pk if reason else None,
                wrap_up_note=data.validated_data.get("wrap_up_note", ""),
            )
        except ActionError as exc:
            raise serializers.ValidationError({"close_reason": [str(exc)]}) from exc
        return self._answer(interaction.pk)

    @extend_schema(
        request=s.LabelChangeSerializer,
        responses={200: s.InteractionSerializer},
        description="Put labels on the interaction (`add`) and take others off (`remove`), at any "
        "time; the desks see it live and webhooks get `interaction.labels_changed`.",
    )
    @action(detail=True, methods=["post"])
    def labels(self, request, pk=None):
        interaction = actionable(request.user, self.get_object())
        data = s.LabelChangeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            labels.change_labels(
                interaction.pk,
                add=[label.pk for label in data.validated_data.get("add", [])],
                remove=[label.pk for label in data.validated_data.get("remove", [])],
                actor=request.user,
            )
        except ActionError as exc:
            raise serializers.ValidationError({"non_field_errors": [str(exc)]}) from exc
        return self._answer(interaction.pk)


@extend_schema(tags=["labels"])
class LabelViewSet(viewsets.ModelViewSet):
    """Labels agents put on conversations; administrators and supervisors manage them."""

    queryset = Label.objects.all()
    serializer_class = s.LabelSerializer
    permission_classes = [SupervisorWritesOthersRead]
    ordering_fields = ["name", "created_at", "id"]
    ordering = ["name"]


@extend_schema(tags=["labels"])
class CloseReasonViewSet(viewsets.ModelViewSet):
    """Close reasons (dispositions) agents pick when closing; one in use cannot be deleted, only
    deactivated (`is_active: false`)."""

    queryset = CloseReason.objects.all()
    serializer_class = s.CloseReasonSerializer
    permission_classes = [SupervisorWritesOthersRead]
    filterset_fields = ["is_active"]
    ordering_fields = ["position", "name", "id"]
    ordering = ["position", "name"]

    def perform_destroy(self, instance):
        if instance.interactions.exists():
            raise serializers.ValidationError(
                {"non_field_errors": ["It is on closed conversations: deactivate it instead."]}
            )
        instance.delete()


@extend_schema(tags=["interactions"])
class MessageViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Messages of one interaction, oldest first; POST sends a reply the way the desk does."""

    serializer_class = s.MessageSerializer
    lookup_url_kwarg = "message_pk"
    filterset_class = filters.MessageFilter
    ordering_fields = ["created_at", "id"]
    ordering = ["created_at", "id"]

    def interaction(self) -> Interaction:
        if not hasattr(self, "_interaction"):
            self._interaction = get_object_or_404(
                visible_interactions(self.request.user), pk=self.kwargs["interaction_pk"]
            )
        return self._interaction

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Message.objects.none()
        return Message.objects.filter(interaction=self.interaction())

    @extend_schema(
        request=s.ReplySerializer,
        responses={201: s.MessageSerializer},
        description=(
            "Store the reply (status `pending`) and hand it to the channel, as the desk does. Free text "
            "needs WhatsApp's 24-hour window open; outside it send an approved template (`template_id`)."
        ),
    )
    def create(self, request, interaction_pk=None):
        interaction = actionable(request.user, self.interaction())
        data = s.ReplySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        # The desk's path: store the reply, one delivery attempt now, retries as tasks on the engine.
        message = outbound.send_reply(
            interaction.pk,
            sender=request.user,
            body=data.validated_data.get("body", ""),
            template_id=data.validated_data.get("template_id", ""),
            template_variables=data.validated_data.get("template_variables") or {},
        )
        message.refresh_from_db()
        return Response(self.get_serializer(message).data, status=status.HTTP_201_CREATED)


# --- outbound webhooks ---------------------------------------------------------------------------


@extend_schema(tags=["webhooks"])
class WebhookEndpointViewSet(viewsets.ModelViewSet):
    """URLs that receive signed JSON events (see the signing notes in the README)."""

    queryset = Endpoint.objects.all()
    serializer_class = s.WebhookEndpointSerializer
    permission_classes = [IsAdministrator]
    filterset_fields = ["is_active"]
    ordering_fields = ["id", "created_at", "url"]
    ordering = ["id"]


@extend_schema(tags=["webhooks"])
class WebhookDeliveryViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The delivery log of one endpoint, newest first."""

    serializer_class = s.WebhookDeliverySerializer
    permission_classes = [IsAdministrator]
    filterset_fields = ["state"]
    ordering_fields = ["id", "created_at", "next_attempt_at"]
    ordering = ["-created_at", "-id"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Delivery.objects.none()
        endpoint = get_object_or_404(Endpoint, pk=self.kwargs["webhook_pk"])
        return (
            Delivery.objects.filter(endpoint=endpoint)
            .select_related("event")
            .prefetch_related("attempt_log")
        )


# --- search ------------------------------------------------------------------------------------


@extend_schema(
    tags=["interactions"],
    parameters=[s.SearchQuerySerializer],
    responses={200: s.SearchPageSerializer},
)
class SearchView(GenericAPIView):
    """Search conversations by words, contact, label, close reason, service, agent and dates.

    The desk's search (interactions.search), inside what the caller may see:
    newest first, 25 a page, with `has_next` instead of a total.
    """

    serializer_class = s.SearchPageSerializer
    pagination_class = None
    filter_backends: list = []

    def get(self, request):
        from interactions import search

        query = s.SearchQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        q = query.validated_data
        filters = search.Filters(
            text=q.get("text", ""),
            contact=q.get("contact", ""),
            label_id=q.get("label"),
            close_reason_id=q.get("close_reason"),
            service_id=q.get("service"),
            agent_id=q.get("agent"),
            date_from=q.get("date_from"),
            date_to=q.get("date_to"),
            closed_only=q.get("closed_only", False),
        )
        page = search.search(request.user, filters, page=q.get("page", 1))
        hits = [
            {
                "interaction": hit.interaction,
                "message": hit.message,
                "matched": hit.matched,
                "snippet_html": str(hit.snippet),
            }
            for hit in page.hits
        ]
        data = {"page": page.number, "has_next": page.has_next, "results": hits}
        return Response(s.SearchPageSerializer(data, context=self.get_serializer_context()).data)
