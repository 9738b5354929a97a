"""Private notes through the API: `/api/v1/interactions/<id>/notes/` (list, add).

Whoever may see the conversation (the one rule, `interactions.selectors`)
reads and adds its notes; a note is never a message and is never sent to
the customer (interactions.actions.notes).
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.response import Response

from api.viewsets import visible_interactions
from interactions.actions import ActionError, notes
from interactions.models import Interaction, Note


class MentionSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="The mentioned agent's profile id.")
    username = serializers.CharField()
    name = serializers.CharField()


class NoteSerializer(serializers.ModelSerializer):
    author = serializers.PrimaryKeyRelatedField(read_only=True, help_text="The author's user id.")
    author_name = serializers.SerializerMethodField()
    mentions = serializers.SerializerMethodField(
        help_text="The agents the note mentions (`@username`); each got a desk notification."
    )

    class Meta:
        model = Note
        fields = ["id", "interaction", "body", "author", "author_name", "mentions", "created_at"]
        read_only_fields = ["id", "interaction", "author", "created_at"]

    def get_author_name(self, note) -> str:
        author = note.author
        return (author.get_full_name() or author.get_username()) if author else ""

    @extend_schema_field(MentionSerializer(many=True))
    def get_mentions(self, note):
        return [
            {"id": a.pk, "username": a.user.get_username(), "name": a.display_name}
            for a in note.mentions.all()
        ]


class NoteCreateSerializer(serializers.Serializer):
    body = serializers.CharField(
        max_length=notes.MAX_LENGTH,
        trim_whitespace=True,
        help_text="The note; `@username` mentions an agent.",
    )


@extend_schema_view(
    list=extend_schema(tags=["interactions"]),
    create=extend_schema(
        tags=["interactions"],
        request=NoteCreateSerializer,
        responses={201: NoteSerializer},
        description=(
            "Add a private note to the conversation: shown to agents and supervisors only, never "
            "sent to the customer nor in any message webhook. Each `@username` of an active agent "
            "notifies them on their desk and lets them read the conversation while it is open."
        ),
    ),
)
class NoteViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Private notes of one interaction, oldest first."""

    serializer_class = NoteSerializer
    filter_backends: list = []

    def interaction(self) -> Interaction:
        if not hasattr(self, "_interaction"):
            self._interaction = get_object_or_404(
                visible_interactions(self.request.user), pk=self.kwargs["interaction_pk"]
            )
        return self._interaction

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Note.objects.none()
        return (
            Note.objects.filter(interaction=self.interaction())
            .select_related("author")
            .prefetch_related("mentions__user")
            .order_by("created_at", "id")
        )

    def create(self, request, interaction_pk=None):
        interaction = self.interaction()
        data = NoteCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            note = notes.add_note(
                interaction.pk, author=request.user, body=data.validated_data["body"]
            )
        except ActionError as exc:
            raise serializers.ValidationError({"body": [str(exc)]}) from exc
        note = self.get_queryset().get(pk=note.pk)
        return Response(NoteSerializer(note).data, status=status.HTTP_201_CREATED)
