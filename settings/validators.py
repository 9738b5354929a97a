from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_ACCOUNT_SID = re.compile(r"^AC[0-9a-fA-F]{32}$")


def validate_account_sid(value: str) -> None:
    if not _ACCOUNT_SID.match(value or ""):
        raise ValidationError(
            _(
                "An Account SID is AC followed by 32 hexadecimal digits (find it on the Twilio console's home page)."
            ),
            code="invalid_account_sid",
        )
