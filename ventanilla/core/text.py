"""Free text as people send it, made safe to store."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator


def without_nul(text: str) -> str:
    """Return ``text`` without NUL characters (no database stores them; no one types them)."""
    return text.replace("\x00", "")


#: free text in an API schema: kept, without its NUL characters
FreeText = Annotated[str, AfterValidator(without_nul)]
