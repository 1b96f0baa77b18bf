from __future__ import annotations

from typing import Any

from django import template
from django.utils.formats import number_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from ventanilla.insights.tables import Table

register = template.Library()


@register.filter
def figure(value: Any) -> str:
    """Show a figure the reader's way ("—" when it cannot be worked out)."""
    if value is None or value == "":
        return "—"
    if isinstance(value, float):
        return number_format(value, decimal_pos=1 if round(value, 1) == value else 2)
    return str(value)


@register.simple_tag
def data_table(table: Table) -> SafeString:
    """Return ``table`` as an accessible HTML table (drawn here: tables can be long)."""
    head = format_html_join("", '<th scope="col">{}</th>', ((c,) for c in table.columns))
    if table.rows:
        body = format_html_join(
            "",
            '<tr><th scope="row">{}</th>{}</tr>',
            (
                (
                    figure(row[0]),
                    format_html_join("", "<td>{}</td>", ((figure(v),) for v in row[1:])),
                )
                for row in table.rows
            ),
        )
    else:
        body = format_html('<tr><td colspan="{}">{}</td></tr>', len(table.columns), _("No cases."))
    return format_html(
        '<table><caption class="visually-hidden">{}</caption><thead><tr>{}</tr></thead>'
        "<tbody>{}</tbody></table>",
        table.title,
        head,
        body,
    )
