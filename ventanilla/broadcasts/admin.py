from django.contrib import admin

from ventanilla.broadcasts.models import Topic, UnitPrice


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ("name_es", "slug", "council", "active")
    list_filter = ("council", "active")
    filter_horizontal = ("districts",)


@admin.register(UnitPrice)
class UnitPriceAdmin(admin.ModelAdmin):
    list_display = ("provider", "category", "amount", "valid_from", "source")
    list_filter = ("provider", "category")
