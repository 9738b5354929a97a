"""The API's parsers: Django REST framework's, refusing unsafe text before any view sees it.

JSON may carry what no form can: "\\ud800" decodes to a lone surrogate, which
no database driver can encode (occ.lib.text). Checking the parsed body once, keys
included (template variables are a JSON object), gives every endpoint the
same clear 400 naming the field, instead of a 500 from the database.
"""

from __future__ import annotations

from django.http import QueryDict
from rest_framework import parsers
from rest_framework.exceptions import ValidationError

from occ.lib.text import first_unsafe


def _refuse_unsafe(data) -> None:
    plain = {key: data.getlist(key) for key in data} if isinstance(data, QueryDict) else data
    found = first_unsafe(plain)
    if found:
        field, message = found
        raise ValidationError({field: [message]}, code="unsafe_text")


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        data = super().parse(stream, media_type, parser_context)
        _refuse_unsafe(data)
        return data


class FormParser(parsers.FormParser):
    def parse(self, stream, media_type=None, parser_context=None):
        data = super().parse(stream, media_type, parser_context)
        _refuse_unsafe(data)
        return data


class MultiPartParser(parsers.MultiPartParser):
    def parse(self, stream, media_type=None, parser_context=None):
        parsed = super().parse(stream, media_type, parser_context)
        _refuse_unsafe(parsed.data)
        return parsed
