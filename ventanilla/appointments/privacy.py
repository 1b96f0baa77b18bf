"""Appointments in data-subject rights: exported with the resident's data; on erasure the
upcoming ones are cancelled (their places freed) and every appointment is deleted. Runs
before ``citizens`` erases the resident."""

from __future__ import annotations

from collections.abc import Mapping

from django.db import transaction

from ventanilla.appointments import services
from ventanilla.appointments.models import Appointment
from ventanilla.privacy.subjects import Rows, Subject


def export(subject: Subject) -> Mapping[str, Rows]:
    rows = Appointment.objects.filter(citizen_id=subject.citizen_id).select_related(
        "slot", "slot__office"
    )
    return {
        "appointments": [
            {
                "office": a.slot.office.name,
                "at": a.slot.starts_at,
                "status": a.get_status_display(),
                "booked": a.booked_at,
            }
            for a in rows.order_by("pk")
        ]
    }


@transaction.atomic
def erase(subject: Subject) -> Mapping[str, int]:
    """Cancel the resident's upcoming appointments (freeing places), then delete them all."""
    for appointment in Appointment.objects.filter(citizen_id=subject.citizen_id):
        services.cancel(appointment=appointment)
    deleted, _ = Appointment.objects.filter(citizen_id=subject.citizen_id).delete()
    return {"appointments": deleted}
