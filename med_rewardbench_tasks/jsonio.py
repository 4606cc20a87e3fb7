"""Reading one JSON object from one line of a file, with errors that name the file and line."""

from __future__ import annotations

import json
from typing import Any


def json_object(text: str, *, where: str, error: type[Exception]) -> dict[str, Any]:
    """Parse ``text`` as a JSON object; anything else raises ``error`` naming ``where`` (``file:line``)."""
    try:
        value = json.loads(text)
    except json.JSONDecodeError as decode_error:
        raise error(f"{where}: not valid JSON ({decode_error.msg})") from decode_error
    if not isinstance(value, dict):
        raise error(f"{where}: expected a JSON object, got {type(value).__name__}")
    return value
