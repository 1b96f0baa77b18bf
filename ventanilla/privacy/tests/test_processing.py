"""The record of processing activities and the notice stay in step with the models."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import models

from ventanilla.privacy import processing
from ventanilla.privacy.models import DataType, RetentionRule

TEXT = (models.CharField, models.TextField, models.JSONField, models.FileField)


def _text_columns() -> set[str]:
    found = set()
    for app in processing.RESIDENT_DATA_APPS:
        for model in apps.get_app_config(app).get_models():
            if model._meta.label in processing.NOT_ABOUT_RESIDENTS:
                continue
            for f in model._meta.concrete_fields:
                if isinstance(f, TEXT):
                    found.add(f"{model._meta.label}.{f.name}")
    return found


def test_every_column_that_may_hold_personal_data_is_in_the_record():
    assert {"citizens.Citizen.name", "conversations.Message.text"} <= _text_columns()
    unlisted = _text_columns() - processing.listed_columns() - processing.NOT_PERSONAL
    assert unlisted == set(), "list them in privacy.processing.ACTIVITIES or NOT_PERSONAL"


def test_the_record_names_only_columns_that_exist():
    named = processing.listed_columns() | processing.NOT_PERSONAL
    missing = set()
    for name in named:
        app_label, model_name, field_name = name.split(".")
        model = apps.get_model(app_label, model_name)
        if field_name not in {f.name for f in model._meta.concrete_fields}:
            missing.add(name)
    assert missing == set()


@pytest.mark.django_db
def test_retention_periods_come_from_the_councils_rules():
    from ventanilla.cases.tests.factories import make_council

    council = make_council(retention_months=30)
    RetentionRule.objects.create(
        council=council, data_type=DataType.MESSAGE_TEXT, category_code="alumbrado", months=6
    )
    RetentionRule.objects.create(council=council, data_type=DataType.ATTACHMENTS, months=12)
    periods = {r.data_type: r for r in processing.retention_of(council)}
    assert periods["message_text"].months == 30
    assert periods["message_text"].by_category == (("alumbrado", 6),)
    assert periods["attachments"].months == 12


@pytest.mark.django_db
def test_the_public_notice_names_the_controller_the_providers_and_the_periods(client):
    from ventanilla.conversations.tests.chat import make_channel, make_town

    town = make_town(retention_months=18)
    make_channel(town.council, "whatsapp")
    RetentionRule.objects.create(
        council=town.council, data_type=DataType.ATTACHMENTS, category_code="alumbrado", months=3
    )
    page = client.get("/privacy/?lang=en")
    text = page.content.decode()
    assert page.status_code == 200
    assert "Ayuntamiento de Villaverde, Plaza Mayor 1" in text
    assert "WhatsApp" in text and "Telegram" not in text
    assert "18 months" in text and "alumbrado: 3" in text
    assert "delete my data" in text
    for language in ("es", "ca"):
        assert client.get(f"/privacy/?lang={language}").status_code == 200
    assert 'href="/privacy/"' in client.get("/statistics/").content.decode()


@pytest.mark.django_db
def test_the_record_is_for_whole_council_staff_only():
    from ventanilla.cases.models import Role
    from ventanilla.cases.tests.factories import make_department, make_staff
    from ventanilla.conversations.tests.chat import make_town
    from ventanilla.inbox.tests.factories import signed_in

    town = make_town()
    auditor = make_staff(council=town.council, role=Role.AUDITOR, username="aud")
    agent = make_staff(
        council=town.council, departments=(make_department(council=town.council),), username="ag"
    )
    page = signed_in(auditor).get("/inbox/rights/record/?lang=en")
    assert page.status_code == 200
    assert "conversations.Message.text" in page.content.decode()
    assert signed_in(agent).get("/inbox/rights/record/").status_code == 403
