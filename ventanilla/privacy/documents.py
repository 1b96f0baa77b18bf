"""A resident's data as files: JSON for portability (art. 20), a PDF a person can read (art. 15)."""

from __future__ import annotations

import io
import json
from typing import Any
from xml.sax.saxutils import escape

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

#: section titles a person reads, by the section names exporters use
SECTION_TITLES = {
    "resident": gettext_lazy("Resident"),
    "identities": gettext_lazy("Addresses you write to us from"),
    "consent": gettext_lazy("Consent to the privacy notice"),
    "conversations": gettext_lazy("Conversations"),
    "messages": gettext_lazy("Messages"),
    "attachments": gettext_lazy("Files you sent"),
    "cases": gettext_lazy("Cases"),
    "supports": gettext_lazy("Public cases you supported"),
    "subscriptions": gettext_lazy("Subscriptions"),
}


def section_title(name: str) -> str:
    title = SECTION_TITLES.get(name)
    return str(title) if title else name.replace("_", " ").capitalize()


def as_json(data: dict[str, Any]) -> bytes:
    """Return the export as indented UTF-8 JSON (machine-readable, for portability)."""
    return json.dumps(data, ensure_ascii=False, indent=2, default=str).encode()


def as_pdf(data: dict[str, Any]) -> bytes:
    """Return the export as a PDF: one heading per section, one paragraph per row."""
    styles = getSampleStyleSheet()
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        title=_("Your data held by %(council)s") % {"council": data.get("council", "")},
    )
    story: list[Any] = [
        Paragraph(
            escape(_("Your data held by %(council)s") % {"council": data.get("council", "")}),
            styles["Title"],
        ),
        Paragraph(
            escape(
                _("Data controller: %(controller)s. Produced on %(when)s for request %(id)s.")
                % {
                    "controller": data.get("data_controller") or data.get("council", ""),
                    "when": data.get("produced_at", ""),
                    "id": data.get("request", ""),
                }
            ),
            styles["Normal"],
        ),
    ]
    for name, rows in data.get("sections", {}).items():
        story += [Spacer(1, 4 * mm), Paragraph(escape(section_title(name)), styles["Heading2"])]
        if not rows:
            story.append(Paragraph(escape(_("Nothing.")), styles["Normal"]))
        for row in rows:
            text = "<br/>".join(
                f"<b>{escape(str(key))}</b>: {escape(_plain(value))}"
                for key, value in row.items()
                if value not in (None, "", [], {})
            )
            story += [Paragraph(text or "-", styles["Normal"]), Spacer(1, 2 * mm)]
    document.build(story)
    return buffer.getvalue()


def _plain(value: Any) -> str:
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)
