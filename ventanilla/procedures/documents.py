"""The PDFs a procedure issues (reportlab), with the CSV code and its QR code (segno).

The QR code is drawn as vector squares from segno's matrix, so no image library is needed
and it stays sharp when printed. It encodes the verification URL of the document.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass

import segno
from babel.dates import format_date, format_datetime
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from ventanilla.core.models import Council
from ventanilla.procedures.codes import format_csv

LEFT = 20 * mm
QR_SIZE = 32 * mm


def verification_url(csv: str) -> str:
    return settings.PUBLIC_URL + reverse("procedures:verify_code", args=[csv])


def qr_matrix(csv: str) -> tuple[tuple[bool, ...], ...]:
    """Return the QR code of the document's verification URL as rows of dark modules."""
    qr = segno.make(verification_url(csv), error="m", micro=False)
    return tuple(tuple(bool(m) for m in row) for row in qr.matrix)


@dataclass(frozen=True)
class Section:
    """A heading and its lines of "label: value"."""

    title: str
    lines: Sequence[tuple[str, str]]


def render(
    *,
    council: Council,
    title: str,
    intro: str,
    sections: Sequence[Section],
    closing: str,
    csv: str,
    issued_at: dt.datetime,
    language: str,
) -> bytes:
    """Return a one-page PDF: council header, title, sections, date, CSV and its QR code."""
    with translation.override(language):
        buffer = io.BytesIO()
        pdf = Canvas(buffer, pagesize=A4, invariant=True)
        pdf.setTitle(title)
        pdf.setAuthor(council.name)
        width, height = A4
        y = height - 25 * mm
        pdf.setFillColor(council.primary_color or "#1d4f91")
        pdf.rect(0, height - 12 * mm, width, 12 * mm, stroke=0, fill=1)
        pdf.setFillColor("#000000")
        pdf.setFont("Helvetica-Bold", 16)
        pdf.drawString(LEFT, y, council.name)
        y -= 14 * mm
        pdf.setFont("Helvetica-Bold", 14)
        pdf.drawString(LEFT, y, title)
        y -= 10 * mm
        pdf.setFont("Helvetica", 10)
        y = _paragraph(pdf, intro, y)
        for section in sections:
            y -= 4 * mm
            pdf.setFont("Helvetica-Bold", 11)
            pdf.drawString(LEFT, y, section.title)
            y -= 6 * mm
            for label, value in section.lines:
                pdf.setFont("Helvetica-Bold", 10)
                pdf.drawString(LEFT, y, f"{label}:")
                pdf.setFont("Helvetica", 10)
                y = _paragraph(pdf, value, y, left=LEFT + 45 * mm)
        y -= 6 * mm
        moment = issued_at.astimezone(council.tz)
        place_date = _("Issued on %(date)s.") % {
            "date": format_date(moment.date(), "long", locale=language)
        }
        y = _paragraph(pdf, f"{closing} {place_date}".strip(), y)
        # the verification block at the foot of the page
        foot = 20 * mm
        _draw_qr(pdf, csv, x=width - LEFT - QR_SIZE, y=foot)
        pdf.setFont("Helvetica-Bold", 10)
        pdf.drawString(LEFT, foot + 24 * mm, _("Secure verification code (CSV):"))
        pdf.setFont("Courier-Bold", 12)
        pdf.drawString(LEFT, foot + 18 * mm, format_csv(csv))
        pdf.setFont("Helvetica", 8)
        pdf.drawString(LEFT, foot + 12 * mm, _("Check that this document is genuine at:"))
        pdf.drawString(LEFT, foot + 8 * mm, verification_url(csv))
        pdf.drawString(
            LEFT,
            foot + 4 * mm,
            _("Ley 40/2015, art. 42. Issued %(moment)s.")
            % {"moment": format_datetime(moment, "short", locale=language)},
        )
        pdf.showPage()
        pdf.save()
        return buffer.getvalue()


def _paragraph(pdf: Canvas, text: str, y: float, *, left: float = LEFT) -> float:
    """Draw ``text`` wrapped to the page; return the next line's height."""
    width = A4[0] - left - LEFT
    for raw_line in (text or "").splitlines() or [""]:
        words = raw_line.split(" ")
        line = ""
        for word in words:
            trial = f"{line} {word}".strip()
            if line and pdf.stringWidth(trial, "Helvetica", 10) > width:
                pdf.drawString(left, y, line)
                y -= 5 * mm
                line = word
            else:
                line = trial
        pdf.drawString(left, y, line)
        y -= 5 * mm
    return y


def _draw_qr(pdf: Canvas, csv: str, *, x: float, y: float) -> None:
    matrix = qr_matrix(csv)
    quiet = 4
    modules = len(matrix) + 2 * quiet
    size = QR_SIZE / modules
    pdf.setFillColor("#000000")
    for row_index, row in enumerate(matrix):
        for col_index, dark in enumerate(row):
            if dark:
                pdf.rect(
                    x + (col_index + quiet) * size,
                    y + QR_SIZE - (row_index + quiet + 1) * size,
                    size,
                    size,
                    stroke=0,
                    fill=1,
                )
