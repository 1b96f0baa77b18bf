"""Bot texts are data: per council and language, editable, seeded on demand."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from ventanilla.conversations.bot_templates import (
    DEFAULTS,
    LANGUAGES,
    TemplateBook,
    ensure_default_templates,
    fill,
)
from ventanilla.conversations.models import BotTemplate


def test_every_default_exists_in_three_languages_with_its_placeholders():
    for key, default in DEFAULTS.items():
        for language in LANGUAGES:
            text = default.text(language)
            assert text, (key, language)
            both = text + default.sms_text(language)  # the SMS wording may use others
            used = {name for name in default.params if "{" + name + "}" in both}
            assert used == set(default.params) or key.startswith("label."), (key, language)


def test_choice_labels_fit_a_button():
    for key, default in DEFAULTS.items():
        if key.startswith(("label.", "menu.")) and key != "menu.prompt":
            for language in LANGUAGES:
                assert len(fill(default.text(language), {"reference": "2026-000123"})) <= 20


def test_rows_are_created_on_first_use(town):
    assert not BotTemplate.objects.exists()

    TemplateBook(town.council, "ca")

    assert BotTemplate.objects.filter(council=town.council).count() == 3 * len(DEFAULTS)
    assert ensure_default_templates(town.council) == 0


def test_an_edited_text_is_what_residents_read(known, town):
    BotTemplate.objects.filter(council=town.council, key="help", language="es").update(
        text="Llame al 010 o escriba MENÚ."
    )

    assert known.send("ayuda")[0].text == "Llame al 010 o escriba MENÚ."


def test_an_emptied_text_falls_back_to_the_default(town):
    ensure_default_templates(town.council)
    BotTemplate.objects.filter(council=town.council, key="help", language="en").update(text="")

    assert TemplateBook(town.council, "en").text("help").startswith("Just tell us")


def test_unknown_placeholders_are_refused(town):
    template = BotTemplate(council=town.council, key="attach.added", language="es")
    template.text = "Añadido a {reference} por {agent}"

    with pytest.raises(ValidationError) as error:
        template.full_clean()

    assert "{agent}" in str(error.value)
    template.text = "Añadido a {reference}"
    template.full_clean()


def test_fill_leaves_braces_it_does_not_know():
    assert (
        fill("{reference} {0.__class__} {x}", {"reference": "2026-1"}) == "2026-1 {0.__class__} {x}"
    )


def test_admin_lists_and_edits_the_council_texts(town, admin_client):
    response = admin_client.get("/admin/conversations/bottemplate/")
    assert response.status_code == 200
    row = BotTemplate.objects.get(council=town.council, key="help", language="es")

    response = admin_client.post(
        f"/admin/conversations/bottemplate/{row.pk}/change/", {"text": "Escriba MENÚ."}
    )

    assert response.status_code == 302
    row.refresh_from_db()
    assert row.text == "Escriba MENÚ."


def test_admin_reset_action(town, admin_client):
    ensure_default_templates(town.council)
    row = BotTemplate.objects.get(council=town.council, key="help", language="es")
    BotTemplate.objects.filter(pk=row.pk).update(text="x")

    admin_client.post(
        "/admin/conversations/bottemplate/",
        {"action": "reset_to_default", "_selected_action": [row.pk]},
    )

    row.refresh_from_db()
    assert row.text == DEFAULTS["help"].es
