"""Typed access to a bound form's fields, for forms that set their choices at run time."""

from __future__ import annotations

from typing import Any

from django import forms


def choice_field(form: forms.BaseForm, name: str) -> forms.ChoiceField:
    """Return the form's ``name`` field, which must be a choice field."""
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField), name
    return field


def model_choice_field(form: forms.BaseForm, name: str) -> forms.ModelChoiceField[Any]:
    """Return the form's ``name`` field, which must be a model choice field."""
    field = form.fields[name]
    assert isinstance(field, forms.ModelChoiceField), name
    return field
