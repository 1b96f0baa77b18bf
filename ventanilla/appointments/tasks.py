"""The appointment reminder, queued with the booking to run the day before."""

from __future__ import annotations

from django_tasks import task

from ventanilla.appointments import services


@task(queue_name="default")
def send_reminder(appointment_id: int) -> bool:
    """Remind the resident of their appointment (nothing if it was cancelled meanwhile)."""
    return services.remind(appointment_id=appointment_id)
