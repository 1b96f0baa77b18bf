"""Reads of the staff inbox: scope, queues, filters, counts, pages and a case's thread.

Every read of cases starts from ``Case.objects.visible_to(user)`` (kept in ``Scope.cases``),
so a query written here cannot reach a case the user may not see.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ventanilla.cases.access import can_act, roles_of, sees_whole_council, staff_of
from ventanilla.cases.history import HistoryLine, history_lines
from ventanilla.cases.models import (
    Case,
    CaseAccess,
    CaseQuerySet,
    Category,
    Department,
    Note,
    Role,
)
from ventanilla.cases.search import case_search
from ventanilla.cases.workflow import Status
from ventanilla.channels import policy
from ventanilla.channels.models import Channel
from ventanilla.conversations.models import Conversation, Direction, Message
from ventanilla.core.models import Council
from ventanilla.inbox.models import CannedReply

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

PAGE_SIZE = 50
#: counts stop here: "999+" is as useful to an agent as the exact figure, and far cheaper
COUNT_LIMIT = 999
#: the newest messages and notes shown in a case's thread
THREAD_LIMIT = 300
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
#: sort key -> (field, descending)
SORTS: dict[str, tuple[str, bool]] = {
    "due": ("due_at", False),
    "newest": ("created_at", True),
    "updated": ("updated_at", True),
}


@dataclass(frozen=True)
class Scope:
    """What one staff member may see and do, worked out once per request."""

    user: Any
    council: Council
    cases: CaseQuerySet
    department_ids: frozenset[int]
    whole_council: bool
    can_act: bool
    can_audit: bool


def scope_for(user: Any) -> Scope | None:
    """Return the user's scope, or None when they are not staff of any council."""
    staff = staff_of(user)
    if staff is None:
        return None
    return Scope(
        user=user,
        council=staff.council,
        cases=Case.objects.visible_to(user),
        department_ids=frozenset(staff.departments.values_list("id", flat=True)),
        whole_council=sees_whole_council(user),
        can_act=can_act(user),
        can_audit=bool(roles_of(user) & {Role.AUDITOR, Role.ADMINISTRATOR}),
    )


# -- queues ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Queue:
    key: str
    label: StrOrPromise
    description: StrOrPromise


QUEUES: dict[str, Queue] = {
    queue.key: queue
    for queue in (
        Queue("mine", _("Mine"), _("Open cases assigned to me")),
        Queue("department", _("My departments"), _("Open cases of my departments")),
        Queue("unassigned", _("Unassigned"), _("Open cases nobody has taken yet")),
        Queue("at_risk", _("At risk"), _("Open cases whose deadline is near")),
        Queue("overdue", _("Overdue"), _("Open cases past their deadline")),
        Queue("waiting", _("Waiting for the resident"), _("Cases waiting for an answer")),
        Queue("all", _("All"), _("Every open case of the council")),
    )
}


def queues_for(scope: Scope) -> list[Queue]:
    """Return the queues this staff member has, in the order the inbox shows them."""
    keys = ["mine"]
    if scope.department_ids:
        keys.append("department")
    keys += ["unassigned", "at_risk", "overdue", "waiting"]
    if scope.whole_council:
        keys.append("all")
    return [QUEUES[key] for key in keys]


def default_queue(scope: Scope) -> str:
    return "department" if scope.department_ids else queues_for(scope)[-1].key


def queue_cases(
    scope: Scope,
    key: str,
    *,
    status: str = "",
    now: dt.datetime | None = None,
    any_status: bool = False,
) -> CaseQuerySet:
    """Return the cases of queue ``key``: open ones, or those of ``status`` when given,
    or of every status with ``any_status`` (a search)."""
    now = now or timezone.now()
    if status:
        cases = scope.cases.filter(status=status)
    else:
        cases = scope.cases if any_status else scope.cases.open()
    if key == "mine":
        return cases.filter(assignee=scope.user)
    if key == "department":
        return cases.filter(department_id__in=scope.department_ids)
    if key == "unassigned":
        return cases.filter(assignee__isnull=True)
    if key == "at_risk":
        margin = dt.timedelta(hours=settings.AT_RISK_MARGIN_HOURS)
        return cases.filter(due_at__gte=now, due_at__lt=now + margin)
    if key == "overdue":
        return cases.filter(due_at__lt=now)
    if key == "waiting":
        return cases.filter(status=Status.WAITING_RESIDENT)
    return cases


@dataclass(frozen=True)
class QueueCount:
    queue: Queue
    count: int

    @property
    def capped(self) -> bool:
        return self.count > COUNT_LIMIT

    @property
    def shown(self) -> str:
        return f"{COUNT_LIMIT}+" if self.capped else str(self.count)


def queue_counts(scope: Scope, now: dt.datetime | None = None) -> list[QueueCount]:
    """Return each queue with its number of cases, counted up to COUNT_LIMIT + 1."""
    now = now or timezone.now()
    queues = queues_for(scope)
    counts = bounded_counts(
        [queue_cases(scope, queue.key, now=now) for queue in queues], COUNT_LIMIT + 1
    )
    return [QueueCount(queue, count) for queue, count in zip(queues, counts, strict=True)]


def bounded_counts(querysets: Sequence[QuerySet[Any]], limit: int) -> list[int]:
    """Count each queryset up to ``limit`` rows, all in one statement (one round trip).

    ``SELECT (SELECT COUNT(*) FROM (... LIMIT n)), (SELECT COUNT(*) FROM (... LIMIT n)), ...``:
    each count stops at its limit, without ORDER BY, so the cost does not grow with the table.
    """
    if not querysets:
        return []
    parts: list[str] = []
    params: list[Any] = []
    for queryset in querysets:
        try:
            sql, part_params = queryset.order_by().values("pk")[:limit].query.sql_with_params()
        except EmptyResultSet:  # a filter that matches nothing (an agent without departments)
            parts.append("0")
            continue
        # ``sql`` is Django's own compilation, its values kept apart in ``part_params``.
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) AS bounded)")  # noqa: S608
        params.extend(part_params)
    with connections[querysets[0].db].cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts), params)
        row = cursor.fetchone()
    return [int(value) for value in row]


# -- filters --------------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueFilters:
    q: str = ""
    status: str = ""
    category: int | None = None
    department: int | None = None
    channel: int | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    sort: str = "due"


def filter_cases(cases: CaseQuerySet, filters: QueueFilters, council: Council) -> CaseQuerySet:
    """Narrow ``cases`` by the filters (the status filter is the queue's business)."""
    if filters.category:
        cases = cases.filter(category_id=filters.category)
    if filters.department:
        cases = cases.filter(department_id=filters.department)
    if filters.channel:
        cases = cases.filter(channel_id=filters.channel)
    if filters.date_from:
        start = dt.datetime.combine(filters.date_from, dt.time.min, tzinfo=council.tz)
        cases = cases.filter(created_at__gte=start)
    if filters.date_to:
        end = dt.datetime.combine(
            filters.date_to + dt.timedelta(days=1), dt.time.min, tzinfo=council.tz
        )
        cases = cases.filter(created_at__lt=end)
    if filters.q:
        cases = cases.filter(case_search(filters.q, council=council))
    return cases


def categories_of(scope: Scope) -> QuerySet[Category]:
    return Category.objects.filter(council=scope.council).order_by("name_es")


def departments_for_filter(scope: Scope) -> QuerySet[Department]:
    """Departments an agent may filter by: only their own, unless they see the whole council."""
    departments = Department.objects.filter(council=scope.council)
    if not scope.whole_council:
        departments = departments.filter(pk__in=scope.department_ids)
    return departments


def channels_of(scope: Scope) -> QuerySet[Channel]:
    return Channel.objects.filter(council=scope.council)


# -- keyset pagination ----------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    cases: list[Case]
    next_cursor: str | None
    previous_cursor: str | None


def encode_cursor(case: Case, sort: str) -> str:
    field, _descending = SORTS[sort]
    value: dt.datetime = getattr(case, field)
    return f"{(value - EPOCH) // dt.timedelta(microseconds=1)}.{case.pk}"


def decode_cursor(cursor: str) -> tuple[dt.datetime, int] | None:
    try:
        micros, pk = (int(part) for part in cursor.split("."))
        return EPOCH + dt.timedelta(microseconds=micros), pk
    except (ValueError, OverflowError):
        return None


def _beyond(sort: str, position: tuple[dt.datetime, int], *, forward: bool) -> Q:
    """Return the cases after (``forward``) or before ``position`` in the sort's order."""
    field, descending = SORTS[sort]
    value, pk = position
    later = forward != descending
    op = "gt" if later else "lt"
    return Q(**{f"{field}__{op}": value}) | Q(**{field: value, f"id__{op}": pk})


def _ordering(sort: str, *, reverse: bool = False) -> list[str]:
    field, descending = SORTS[sort]
    if descending != reverse:
        return [f"-{field}", "-id"]
    return [field, "id"]


def paginate(
    cases: CaseQuerySet,
    sort: str,
    *,
    after: str = "",
    before: str = "",
    size: int | None = None,
) -> Page:
    """Return one page of ``cases`` by keyset: as fast on page 1,000 as on page 1."""
    size = size or PAGE_SIZE
    sort = sort if sort in SORTS else "due"
    cases = cases.select_related("category", "department", "assignee", "channel", "citizen")
    position = decode_cursor(before) if before else None
    if position is not None:
        rows = list(
            cases.filter(_beyond(sort, position, forward=False)).order_by(
                *_ordering(sort, reverse=True)
            )[: size + 1]
        )
        more_before = len(rows) > size
        rows = rows[:size][::-1]
        return Page(
            cases=rows,
            next_cursor=encode_cursor(rows[-1], sort) if rows else None,
            previous_cursor=encode_cursor(rows[0], sort) if rows and more_before else None,
        )
    position = decode_cursor(after) if after else None
    if position is not None:
        cases = cases.filter(_beyond(sort, position, forward=True))
    rows = list(cases.order_by(*_ordering(sort))[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    return Page(
        cases=rows,
        next_cursor=encode_cursor(rows[-1], sort) if rows and more else None,
        previous_cursor=encode_cursor(rows[0], sort) if rows and position else None,
    )


def neighbours(cases: CaseQuerySet, sort: str, case: Case) -> tuple[str | None, str | None]:
    """Return the references of the cases before and after ``case`` in a queue."""
    sort = sort if sort in SORTS else "due"
    position = (getattr(case, SORTS[sort][0]), case.pk)
    previous = (
        cases.filter(_beyond(sort, position, forward=False))
        .order_by(*_ordering(sort, reverse=True))
        .values_list("reference", flat=True)
        .first()
    )
    following = (
        cases.filter(_beyond(sort, position, forward=True))
        .order_by(*_ordering(sort))
        .values_list("reference", flat=True)
        .first()
    )
    return previous, following


# -- one case -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ThreadItem:
    kind: str  # "message" or "note"
    at: dt.datetime
    item: Message | Note


def thread_of(case: Case, limit: int = THREAD_LIMIT) -> tuple[list[ThreadItem], bool]:
    """Return the case's messages (every channel) and notes, oldest first, and if cut short."""
    messages = list(
        case.messages.select_related("channel", "author", "conversation")
        .prefetch_related("attachments")
        .order_by("-created_at", "-id")[: limit + 1]
    )
    notes = list(case.notes.select_related("author").order_by("-created_at", "-id")[: limit + 1])
    items = [ThreadItem("message", m.created_at, m) for m in messages] + [
        ThreadItem("note", n.created_at, n) for n in notes
    ]
    items.sort(key=lambda entry: (entry.at, entry.kind, entry.item.pk))
    truncated = len(items) > limit
    return items[-limit:], truncated


def description_repeats_thread(case: Case, thread: list[ThreadItem]) -> bool:
    """Whether the case's description only repeats the resident's messages shown with it.

    A report made in a chat takes its description from the resident's messages, one a
    line; the page then shows those messages, not the description again. A description
    staff wrote or changed, or one from the portal's form, is still shown.
    """
    lines = [line.strip() for line in case.description.splitlines() if line.strip()]
    said = {
        entry.item.text.strip()
        for entry in thread
        if isinstance(entry.item, Message) and entry.item.direction == Direction.IN
    }
    return bool(lines) and all(line in said for line in lines)


def history_of(case: Case) -> list[HistoryLine]:
    """Return the case's history, newest first, with the words people read."""
    return history_lines(case.events.select_related("actor").order_by("-created_at", "-id"))


def other_cases_of(scope: Scope, case: Case, limit: int = 10) -> list[Case]:
    """Return the resident's other cases that this staff member may see."""
    if case.citizen_id is None:
        return []
    return list(
        scope.cases.filter(citizen_id=case.citizen_id)
        .exclude(pk=case.pk)
        .select_related("category")
        .order_by("-created_at")[:limit]
    )


def reply_conversation(case: Case) -> Conversation | None:
    """Return the conversation a reply goes to: where the resident last wrote about the case."""
    for messages in (case.messages.filter(direction=Direction.IN), case.messages.all()):
        message = messages.select_related("conversation__channel").order_by("-created_at").first()
        if message is not None:
            return message.conversation
    if case.citizen_id is None:
        return None
    conversations = Conversation.objects.select_related("channel").filter(
        council_id=case.council_id, citizen_id=case.citizen_id
    )
    if case.channel_id is not None:
        conversations = conversations.filter(channel_id=case.channel_id)
    return conversations.order_by("-last_inbound_at", "-updated_at").first()


def reply_window(conversation: Conversation | None) -> policy.ReplyWindow:
    """Return the provider's free-form window for the conversation an agent would answer."""
    if conversation is None:
        return policy.ReplyWindow(applies=False, open=True, closes_at=None)
    return policy.reply_window(
        provider=conversation.channel.provider, last_inbound_at=conversation.last_inbound_at
    )


def assignable_staff(case: Case) -> QuerySet[Any]:
    """Return the people a case may be assigned to: its department's agents and supervisors."""
    return (
        get_user_model()
        .objects.filter(is_active=True, staff__council_id=case.council_id)
        .filter(
            Q(groups__name=Role.AGENT, staff__departments=case.department_id)
            | Q(groups__name__in=[Role.SUPERVISOR, Role.ADMINISTRATOR])
        )
        .distinct()
        .order_by("username")
    )


def canned_groups(council: Council, case: Case) -> list[tuple[str, list[tuple[int, str, str]]]]:
    """Return the council's canned replies grouped by language, the resident's own first.

    Each reply is (pk, title, text), with ``{{1}}`` already replaced by the case reference.
    """
    names = dict(settings.LANGUAGES)
    language = resident_language(case)
    groups: dict[str, list[tuple[int, str, str]]] = {}
    for reply in CannedReply.objects.of(council):
        text = reply.text.replace("{{1}}", case.reference)
        groups.setdefault(reply.language, []).append((reply.pk, reply.title, text))
    order = sorted(groups, key=lambda code: (code != language, code))
    return [(str(names.get(code, code)), groups[code]) for code in order]


def resident_language(case: Case) -> str:
    return case.citizen.language if case.citizen_id and case.citizen else ""


# -- audit ----------------------------------------------------------------------------------


def access_log(
    scope: Scope, *, reference: str = "", username: str = "", before: int | None = None
) -> Sequence[CaseAccess]:
    """Return a page of the council's case access log, newest first."""
    entries = CaseAccess.objects.filter(case__council_id=scope.council.pk).select_related(
        "case", "user"
    )
    if reference:
        entries = entries.filter(case__reference=reference.strip())
    if username:
        entries = entries.filter(user__username=username.strip())
    if before:
        entries = entries.filter(pk__lt=before)
    return list(entries.order_by("-id")[:PAGE_SIZE])
