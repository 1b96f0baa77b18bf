"""The admin's ground floor: base classes every app's admin builds on, and the council rows."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_user_model
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django_otp.plugins.otp_totp.models import TOTPDevice as PlainTOTPDevice

from ventanilla.core.councils import council_id_of
from ventanilla.core.models import ApiToken, Council, Holiday


class ReadOnlyMixin:
    """Rows the system writes (history, evidence, logs): staff only read them."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def council_choices(model: type[Model], request: HttpRequest) -> QuerySet[Any] | None:
    """Return the rows of ``model`` a council's staff may pick in a form; None for no limit.

    Installation superusers pick anything. Anyone else picks only their own council, its
    rows (models with a ``council``) and its staff's accounts (never a superuser's), so that
    no form can move a row into, or point a row at, another council.
    """
    if request.user.is_superuser:
        return None
    council_id = council_id_of(request.user)
    if council_id is None:
        return model._default_manager.none()
    if model is Council:
        return Council.objects.filter(pk=council_id)
    if model is get_user_model():
        return model._default_manager.filter(staff__council_id=council_id, is_superuser=False)
    if any(field.name == "council" for field in model._meta.get_fields()):
        return model._default_manager.filter(council_id=council_id)
    return None


class NotFoundAdmin(admin.ModelAdmin):
    """Answer 404 for an object outside the user's scope, as the API and the inbox do.

    Choices in its forms are limited to the user's council (``council_choices``).
    """

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        self._get_or_404(request, object_id)
        return super().change_view(request, object_id, form_url, extra_context)

    def delete_view(
        self, request: HttpRequest, object_id: str, extra_context: Any = None
    ) -> HttpResponse:
        self._get_or_404(request, object_id)
        return super().delete_view(request, object_id, extra_context)

    def history_view(
        self, request: HttpRequest, object_id: str, extra_context: Any = None
    ) -> HttpResponse:
        self._get_or_404(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def formfield_for_foreignkey(
        self, db_field: Any, request: HttpRequest, **kwargs: Any
    ) -> forms.ModelChoiceField | None:
        if (choices := council_choices(db_field.related_model, request)) is not None:
            kwargs["queryset"] = choices
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(
        self, db_field: Any, request: HttpRequest, **kwargs: Any
    ) -> forms.ModelMultipleChoiceField | None:
        if (choices := council_choices(db_field.related_model, request)) is not None:
            kwargs["queryset"] = choices
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def _get_or_404(self, request: HttpRequest, object_id: str) -> Model:
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404
        return obj


class CouncilScopedAdmin(NotFoundAdmin):
    """Staff see and edit only their council's rows; installation superusers see all."""

    council_field = "council"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        council_id = council_id_of(request.user)
        if council_id is None:
            return queryset.none()
        return queryset.filter(**{f"{self.council_field}_id": council_id})


class HolidayInline(admin.TabularInline):
    model = Holiday
    extra = 1


@admin.register(Council)
class CouncilAdmin(NotFoundAdmin):
    """Superusers run the installation's councils; a council's administrator edits only theirs.

    What identifies a council to the outside (slug, portal domain, Open311 jurisdiction) is
    the installation's to set: another council's domain would take over its public portal.
    """

    list_display = ("name", "slug", "jurisdiction_id", "time_zone", "languages")
    prepopulated_fields = {"slug": ("name",)}
    inlines = [HolidayInline]
    search_fields = ("name", "slug")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Council]:
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        council_id = council_id_of(request.user)
        return queryset.filter(pk=council_id) if council_id is not None else queryset.none()

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if request.user.is_superuser:
            return ()
        return ("slug", "domain", "jurisdiction_id")

    def get_prepopulated_fields(self, request: HttpRequest, obj: Any = None) -> dict[str, Any]:
        return dict(self.prepopulated_fields) if request.user.is_superuser else {}

    def has_add_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_superuser)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(request.user.is_superuser)


@admin.register(ApiToken)
class ApiTokenAdmin(NotFoundAdmin):
    """Tokens are issued by ``ventanilla api_token``; here they are only read and revoked.

    A token's owner never changes (a token moved to another account would act as it), and
    only superusers see other people's tokens.
    """

    list_display = ("prefix", "user", "created_at", "last_used_at", "revoked_at")
    fields = ("prefix", "user", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("prefix", "user", "created_at", "last_used_at")
    list_filter = ("revoked_at",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[ApiToken]:
        queryset = super().get_queryset(request).select_related("user")
        if request.user.is_superuser:
            return queryset
        return queryset.filter(user_id=request.user.pk)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


# django-otp's own TOTP devices keep their seed in clear; staff use EncryptedTOTPDevice
# (``ventanilla add_totp``), so the admin offers no way to make a plain one.
admin.site.unregister(PlainTOTPDevice)
