"""Reading JSON from a file, a line or a field, with errors that name where it came from."""

from __future__ import annotations

import json
from typing import Any


def _subject(where: str, what: str | None) -> str:
    return f"{where}: {what}: " if what else f"{where}: "


def json_value(text: str, *, where: str, error: type[Exception], what: str | None = None) -> Any:
    """Parse ``text`` as JSON; invalid JSON raises ``error`` naming ``where`` (``file:line``) and ``what`` (a field)."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as decode_error:
        raise error(f"{_subject(where, what)}not valid JSON ({decode_error.msg})") from decode_error


def json_object(text: str, *, where: str, error: type[Exception], what: str | None = None) -> dict[str, Any]:
    """Parse ``text`` as a JSON object; anything else raises ``error`` naming ``where`` and ``what``."""
    value = json_value(text, where=where, error=error, what=what)
    if not isinstance(value, dict):
        raise error(f"{_subject(where, what)}expected a JSON object, got {type(value).__name__}")
    return value
