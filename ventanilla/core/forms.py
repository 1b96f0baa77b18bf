"""Form pieces shared by the apps: typed access to fields set at run time, bounded dates."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms

#: the dates a period filter may name; beyond them there is nothing to find, and a date
#: such as 9999-12-31 cannot even be turned into the start of the next day
EARLIEST_DATE = dt.date(2000, 1, 1)
LATEST_DATE = dt.date(2100, 12, 31)


class PeriodDateField(forms.DateField):
    """A date that bounds a period: one before 2000 or after 2100 is moved to that bound."""

    def to_python(self, value: Any) -> dt.date | None:
        date = super().to_python(value)
        if date is None:
            return None
        return min(max(date, EARLIEST_DATE), LATEST_DATE)


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
