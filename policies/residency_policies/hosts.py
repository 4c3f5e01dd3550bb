"""Host names in URLs: the one reader of a URL's (or a bare host name's) host, for both clouds' endpoints.

Accepts ``https://host/path``, ``host:port``, ``user@host``, JDBC-style ``jdbc:mysql://host:3306/db`` and a bare
host name with at least one dot; anything else (ARNs, OCIDs, names, free text) is not a host.
"""

from __future__ import annotations

import re
from typing import Any

from residency_policies.values import is_unknown

_URL_HOST = re.compile(
    r"^(?:[a-z][a-z0-9+.-]*:)*(?://)?(?:[^@/\s]+@)?(?P<host>[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9-]+)+)"
    r"(?::\d+)?(?P<path>[/?#]\S*)?$",
    re.I,
)


def url_host(value: Any) -> tuple[str, str] | None:
    """``(host, path)`` of a URL or a bare host name (host lower case, no trailing dot); else None."""
    if not isinstance(value, str) or is_unknown(value) or len(value) > 4096:
        return None
    match = _URL_HOST.match(value.strip())
    if not match:
        return None
    return match["host"].lower().rstrip("."), match["path"] or ""
