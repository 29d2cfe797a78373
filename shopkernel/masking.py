"""Personal data made safe for logs and messages (phone numbers are personal data).

One format everywhere, so a support engineer can grep for a customer across processes:
``971501234567`` -> ``9715****4567``. The full value stays where staff need it (the database).
"""

from __future__ import annotations

import re

from sqlalchemy.engine import make_url

# WhatsApp business-scoped user ids look like "US.13491208655302741918".
_BSUID = re.compile(r"^([A-Z]{2})\.(\w+)$")


def mask_phone(value: str | None) -> str:
    """``971501234567`` -> ``9715****4567``; ``US.1349…1918`` -> ``US.****1918``; short ids keep 2 digits."""
    if not value:
        return "<none>"
    text = str(value).strip()
    bsuid = _BSUID.fullmatch(text)
    if bsuid:
        rest = bsuid.group(2)
        return f"{bsuid.group(1)}.****{rest[-4:]}" if len(rest) > 4 else f"{bsuid.group(1)}.****"
    digits = text.lstrip("+")
    if len(digits) <= 8:
        return "****" + digits[-2:]
    return f"{digits[:4]}****{digits[-4:]}"


def mask_url(url: str) -> str:
    """A database or service URL without its password, for messages and logs."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - not a URL SQLAlchemy can read: show nothing secret
        return re.sub(r"//([^:/@]+):[^@]*@", r"//\1:***@", url)
