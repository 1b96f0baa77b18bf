"""Issue and revoke API tokens."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from ventanilla.core.models import ApiToken


@transaction.atomic
def issue_api_token(*, user: Any) -> str:
    """Create a token for ``user`` and return it; only its hash is kept."""
    key = ApiToken.new_key()
    ApiToken.objects.create(user=user, prefix=key[:8], key_hash=ApiToken.hash(key))
    return key


@transaction.atomic
def revoke_api_tokens(*, user: Any) -> int:
    return ApiToken.objects.active().filter(user=user).update(revoked_at=timezone.now())
