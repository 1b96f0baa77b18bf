"""What follows what: every reaction of one app to another app's change, in one place.

Read it like ``urls.py``. Each line says "when X happens, Y reacts"; the reactions run in the
transaction of the change (see ``core.reactions``) unless the reaction itself defers to
``transaction.on_commit`` or a task. ``connect()`` runs once, from ``ventanilla.apps``.
"""

from __future__ import annotations

import datetime as dt

from ventanilla.appointments import chat as appointments_chat
from ventanilla.appointments import privacy as appointments_privacy
from ventanilla.broadcasts import chat as broadcasts_chat
from ventanilla.broadcasts import privacy as broadcasts_privacy
from ventanilla.broadcasts import tasks as broadcasts_tasks
from ventanilla.cases import privacy as cases_privacy
from ventanilla.cases import reactions as cases
from ventanilla.channels import privacy as channels_privacy
from ventanilla.citizens import privacy as citizens_privacy
from ventanilla.conversations import (
    delivery_tasks,
    ingest,
    link,
    notifications,
    polling,
    public_posts,
    rights,
    staff_traffic,
)
from ventanilla.conversations import privacy as conversations_privacy
from ventanilla.conversations import reactions as conversations
from ventanilla.conversations.dialog import commands
from ventanilla.core import schedule
from ventanilla.core import tasks as core_tasks
from ventanilla.crews import notifications as crews_notifications
from ventanilla.crews import services as crews
from ventanilla.crews import tasks as crews_tasks
from ventanilla.insights import rollup as insights_rollup
from ventanilla.portal import chat
from ventanilla.portal import privacy as portal_privacy
from ventanilla.portal import social as portal_social
from ventanilla.portal import sync as portal_sync
from ventanilla.privacy import retention, subjects
from ventanilla.privacy import tasks as privacy_tasks
from ventanilla.privacy.models import DataType
from ventanilla.procedures import chat as procedures_chat
from ventanilla.procedures import privacy as procedures_privacy
from ventanilla.procedures import services as procedures
from ventanilla.webhooks_out import reactions as webhooks_out


def connect() -> None:
    """Add every reaction (idempotent: adding twice changes nothing)."""
    # A message from a staff member's linked phone (or "VINCULAR 123456") is staff's: it
    # never enters the resident dialog nor opens a case; its read receipts are staff's too.
    staff_traffic.inbound.add(crews.claim_inbounds)
    staff_traffic.statuses.add(crews.claim_statuses)
    commands.add(chat.SUPPORT)  # "apoyo 2026-000123" in the chat supports a public case
    commands.add(procedures_chat.CENSUS)  # "volante" / the menu: the census certificate
    commands.add(procedures_chat.RECEIPT)  # "justificante 2026-000123": the registry receipt
    # "cita" / "pedir cita": an appointment at an office; "anular cita" cancels it.
    commands.add(appointments_chat.APPOINTMENT)
    commands.add(appointments_chat.CANCEL)
    # "ALTA TRÁFICO" / "BAJA TRÁFICO" / the menu's alerts: subscribing to alert topics
    commands.add(broadcasts_chat.SUBSCRIBE)
    commands.add(broadcasts_chat.UNSUBSCRIBE)
    commands.add(broadcasts_chat.RELAY)  # "AVISO ...": a neighbourhood alert, moderated
    # A "+1" posted in a case's public thread (Mastodon, Bluesky) supports its public record.
    public_posts.add_support_counter(portal_social.support_from_public_post)
    # A case opened public in a public category is published at once.
    cases.case_opened.add(portal_sync.case_opened)
    # A case opened or changed rewrites its row of the statistics (insights.CaseFigures).
    cases.case_opened.add(insights_rollup.case_opened)
    cases.case_changed.add(insights_rollup.case_changed)
    # A case's change is told to its resident (queued with the change), then reaches its
    # public record.
    cases.case_changed.add(notifications.notify_resident)
    cases.case_changed.add(notifications.ask_satisfaction)
    cases.case_changed.add(portal_sync.case_changed)
    # A council's back office subscribed to case events gets a signed delivery (an outbox row
    # written with the change, sent by a task once it commits).
    cases.case_opened.add(webhooks_out.case_opened)
    cases.case_changed.add(webhooks_out.case_changed)
    # Staff who asked for it hear of a new case in their department, of a case assigned to
    # them, of a resident's answer and of a resident asking for a person, on the channel
    # they chose (crews.notifications).
    cases.case_opened.add(crews_notifications.case_opened)
    cases.case_changed.add(crews_notifications.case_changed)
    conversations.handoff_requested.add(crews_notifications.handoff_requested)
    # Every new case is entered in the registry, with the moment it arrived, last: its
    # gapless number is taken under a lock the council's next case waits for until this
    # one commits.
    cases.case_opened.add(procedures.case_opened)
    # ... and its resident is told the legal term, where its category has one (art. 21.4).
    cases.case_opened.add(procedures.tell_deadline)
    # Residents' rights: "mis datos" / "borrar mis datos" in the chat queue a request.
    commands.add(rights.MY_DATA)
    commands.add(rights.ERASE_MY_DATA)
    # A case continued on another channel: "vincular 2026-000123" sends a one-time code to
    # the case's own channel; written back, this identity joins the case's resident.
    commands.add(link.LINK)
    # A data subject is found by their address; each app exports its own rows about them.
    subjects.finders.add(citizens_privacy.find)
    subjects.exporters.add(citizens_privacy.export)
    subjects.exporters.add(conversations_privacy.export)
    subjects.exporters.add(cases_privacy.export)
    subjects.exporters.add(portal_privacy.export)
    subjects.exporters.add(appointments_privacy.export)
    subjects.exporters.add(broadcasts_privacy.export)  # subscriptions, alerts sent
    # Erasure, in order: what is found through the resident's cases first, the resident last.
    subjects.erasers.add(portal_privacy.erase)  # supports unlinked, drafts of their words gone
    subjects.erasers.add(appointments_privacy.erase)  # upcoming ones cancelled, all deleted
    subjects.erasers.add(conversations_privacy.erase)  # messages in and out, files
    subjects.erasers.add(cases_privacy.erase)  # cases kept, the resident's part removed
    subjects.erasers.add(channels_privacy.erase)  # provider events forget the address
    subjects.erasers.add(citizens_privacy.erase)  # the resident and their addresses
    # Retention: each app anonymises its own rows of one data type past the council's period.
    retention.retainers[DataType.MESSAGE_TEXT].add(conversations_privacy.retain_message_text)
    retention.retainers[DataType.ATTACHMENTS].add(conversations_privacy.retain_attachments)
    retention.retainers[DataType.CLOSED_CASES].add(cases_privacy.retain_closed_cases)
    # Issued documents past their period lose PDF, code and name; the row stays for the audit.
    retention.retainers[DataType.ISSUED_DOCUMENTS].add(procedures_privacy.retain_issued_documents)
    retention.stale_residents.add(conversations_privacy.stale_residents)  # then erased as above
    # Periodic jobs, enqueued by whichever worker sees them due first (core.schedule).
    schedule.jobs.add(
        schedule.Job("retention", privacy_tasks.apply_retention_daily, every=dt.timedelta(days=1))
    )
    schedule.jobs.add(
        schedule.Job("prune-task-rows", core_tasks.prune_task_rows, every=dt.timedelta(hours=1))
    )
    schedule.jobs.add(
        schedule.Job(
            "prune-live-events", core_tasks.prune_old_live_events, every=dt.timedelta(minutes=10)
        )
    )
    schedule.jobs.add(
        schedule.Job(
            "prune-webhook-deliveries", ingest.prune_deliveries, every=dt.timedelta(hours=1)
        )
    )
    schedule.jobs.add(
        schedule.Job(
            "prune-portal-codes", broadcasts_tasks.prune_portal_codes, every=dt.timedelta(hours=6)
        )
    )
    # Staff who asked for it hear of their cases at risk or overdue (crews.notifications).
    schedule.jobs.add(
        schedule.Job(
            "crews-deadlines", crews_tasks.notify_deadlines, every=dt.timedelta(minutes=15)
        )
    )
    # Mastodon and Bluesky mentions are fetched, not pushed: every minute, by a worker.
    schedule.jobs.add(
        schedule.Job(
            "poll-public-channels", polling.poll_public_channels, every=dt.timedelta(minutes=1)
        )
    )
    # A message whose dispatcher died, or whose retry came due unseen, is never stuck for long.
    schedule.jobs.add(
        schedule.Job(
            "wake-stuck-dispatchers",
            delivery_tasks.wake_stuck_dispatchers,
            every=dt.timedelta(seconds=15),
        )
    )
    # Stored webhooks are processed by the workers between tasks, in batches.
    schedule.drains.add(ingest.drain)
