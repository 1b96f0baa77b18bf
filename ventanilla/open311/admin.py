"""Open311 keys in the admin, scoped to the staff member's council.

Keys are issued with ``ventanilla open311_key``; here they can be seen and revoked.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from ventanilla.core.admin import CouncilScopedAdmin
from ventanilla.open311.models import Open311Key
from ventanilla.open311.services import revoke_open311_keys


@admin.register(Open311Key)
class Open311KeyAdmin(CouncilScopedAdmin):
    list_display = ("prefix", "name", "council", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("council", "prefix", "created_at", "last_used_at", "revoked_at")
    exclude = ("key_hash",)
    actions = ["revoke"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description=_("Revoke the selected keys"))
    def revoke(self, request: HttpRequest, queryset: QuerySet[Open311Key]) -> None:
        for key in Open311Key.objects.filter(pk__in=queryset.values("pk")).active():
            revoke_open311_keys(council=key.council, prefix=key.prefix)
