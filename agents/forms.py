"""Users → agents: create an agent, edit a profile (channels, Max interactions, services)."""

from __future__ import annotations

from typing import cast

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.forms import UserCreationForm
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from agents.models import AgentProfile
from agents.roles import Role, role_of, set_role
from occ.lib.text import SafeTextFormMixin
from services.models import Service


def role_field(**kwargs) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=_("Role"),
        choices=Role.choices,
        help_text=_(
            "Agent: the desk. Supervisor: also monitoring, taking over and reassigning "
            "conversations, transcripts, reports, canned responses and labels. "
            "Administrator: everything, including settings, API tokens, webhooks and users."
        ),
        **kwargs,
    )


class UserInviteForm(SafeTextFormMixin, forms.Form):
    """A new user who chooses their own password from an e-mailed link."""

    username = forms.CharField(
        label=_("Username"), max_length=150, validators=[UnicodeUsernameValidator()]
    )
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    email = forms.EmailField(
        label=_("E-mail"),
        help_text=_("The invitation, with a link to choose a password, goes here."),
    )
    role = role_field(initial=Role.AGENT, required=False)

    def clean_username(self) -> str:
        username = self.cleaned_data["username"]
        if get_user_model().objects.filter(username__iexact=username).exists():
            raise forms.ValidationError(_("A user with that username already exists."))
        return username

    def clean_email(self) -> str:
        email = get_user_model().objects.normalize_email(self.cleaned_data["email"])
        if get_user_model().objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(_("A user with this e-mail already exists."))
        return email


class AgentCreateForm(SafeTextFormMixin, UserCreationForm):
    """A new agent: username, name and an initial password (checked by the password validators)."""

    class Meta(UserCreationForm.Meta):
        model = get_user_model()
        fields = ("username", "first_name", "last_name")

    def save(self, commit: bool = True):
        user = super().save(commit=False)
        user.is_staff = False
        if commit:
            user.save()
            AgentProfile.objects.get_or_create(user=user)
        return user


class AgentProfileForm(SafeTextFormMixin, forms.ModelForm):
    """Name, active, Chat, WhatsApp (only with Chat), Max interactions and the services served."""

    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    email = forms.EmailField(
        label=_("E-mail"), required=False, help_text=_("For invitations and password resets.")
    )
    is_active = forms.BooleanField(
        label=_("Active (can log in and receive interactions)"), required=False
    )
    # Left out (the API without it): the role stays as it is.
    role = role_field(required=False)
    new_password = forms.CharField(
        label=_("New password"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_("Leave blank to keep the current password."),
    )

    class Meta:
        model = AgentProfile
        fields = ["chat_enabled", "whatsapp_enabled", "max_interactions", "services"]
        widgets = {"services": forms.CheckboxSelectMultiple}

    def __init__(self, *args, user, editor=None, **kwargs):
        self.user = user
        self.editor = editor
        kwargs.setdefault(
            "initial",
            {
                "first_name": user.first_name,
                "last_name": user.last_name,
                "email": user.email,
                "is_active": user.is_active,
                "role": role_of(user) if user.pk else Role.AGENT,
            },
        )
        super().__init__(*args, **kwargs)
        limit = settings.OCC_MAX_INTERACTIONS_LIMIT
        self.fields["max_interactions"] = forms.IntegerField(
            label=_("Max interactions"),
            min_value=1,
            max_value=limit,
            help_text=_(
                "How many interactions the agent may hold at the same time (1 to %(limit)s)."
            )
            % {"limit": limit},
            widget=forms.NumberInput(attrs={"min": 1, "max": limit}),
        )
        self.fields["chat_enabled"].label = _("Chat")
        self.fields["whatsapp_enabled"].label = _("WhatsApp")
        self.fields["whatsapp_enabled"].help_text = _("Only while the Chat channel is enabled.")
        served = self.instance.services.all() if self.instance.pk else Service.objects.none()
        # Inactive services stay listed while the agent still serves them, so they can be removed.
        services_field = cast(forms.ModelMultipleChoiceField, self.fields["services"])
        services_field.queryset = Service.objects.filter(
            Q(is_active=True) | Q(pk__in=served.values("pk"))
        ).distinct()
        self.fields["services"].help_text = _("The agent receives interactions of these services.")

    def clean_is_active(self) -> bool:
        active = self.cleaned_data.get("is_active", False)
        if not active and self.editor is not None and self.editor.pk == self.user.pk:
            raise forms.ValidationError(_("You cannot deactivate your own account."))
        return active

    def clean_role(self) -> str:
        role = self.cleaned_data.get("role") or ""
        if (
            role
            and self.editor is not None
            and self.editor.pk == self.user.pk
            and role != role_of(self.user)
        ):
            raise forms.ValidationError(_("You cannot change your own role."))
        return role

    def clean_email(self) -> str:
        email = get_user_model().objects.normalize_email(self.cleaned_data.get("email") or "")
        if (
            email
            and get_user_model()
            .objects.filter(email__iexact=email)
            .exclude(pk=self.user.pk)
            .exists()
        ):
            raise forms.ValidationError(_("A user with this e-mail already exists."))
        return email

    def clean_new_password(self) -> str:
        password = self.cleaned_data.get("new_password") or ""
        if password:
            password_validation.validate_password(password, self.user)
        return password

    def save(self, commit: bool = True) -> AgentProfile:
        profile = super().save(commit=False)
        profile.user = self.user
        user = self.user
        user.first_name = self.cleaned_data.get("first_name", "")
        user.last_name = self.cleaned_data.get("last_name", "")
        user.email = self.cleaned_data.get("email", "")
        user.is_active = self.cleaned_data.get("is_active", False)
        if self.cleaned_data.get("new_password"):
            user.set_password(self.cleaned_data["new_password"])
        if commit:
            user.save()
            profile.save()
            self.save_m2m()
            if self.cleaned_data.get("role"):
                set_role(user, self.cleaned_data["role"], actor=self.editor)
        return profile
