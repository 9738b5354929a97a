"""Every API error as JSON: `{"detail", "code", "errors": {field: [messages]}}`.

`errors` is present for validation errors and keeps DRF's field-level
structure (`non_field_errors` for errors about the whole object), so a
script can point at the field that is wrong.
"""

from __future__ import annotations

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import ProtectedError, RestrictedError
from rest_framework import exceptions, status
from rest_framework.serializers import as_serializer_error
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from interactions.actions import ActionError


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The request conflicts with the current state."
    default_code = "conflict"


def django_errors(exc: DjangoValidationError) -> dict:
    """A Django ValidationError (from full_clean, validators) in DRF's field-level shape."""
    errors = as_serializer_error(exc)
    if NON_FIELD_ERRORS in errors:
        errors[api_settings.NON_FIELD_ERRORS_KEY] = errors.pop(NON_FIELD_ERRORS)
    return errors


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(django_errors(exc))
    elif isinstance(exc, ActionError):
        exc = exceptions.ValidationError({api_settings.NON_FIELD_ERRORS_KEY: [str(exc)]})
    elif isinstance(exc, (ProtectedError, RestrictedError)):
        exc = Conflict("This is still in use (for example by interactions) and cannot be deleted.")
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        errors = response.data
        if not isinstance(errors, dict):
            errors = {api_settings.NON_FIELD_ERRORS_KEY: errors}
        response.data = {"detail": "Invalid input.", "code": "invalid", "errors": errors}
    else:
        detail = (
            response.data.get("detail", "") if isinstance(response.data, dict) else response.data
        )
        code = getattr(detail, "code", None) or getattr(exc, "default_code", "error")
        response.data = {"detail": str(detail), "code": str(code)}
    return response
