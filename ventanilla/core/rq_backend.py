"""The Redis task backend (``TASKS_BACKEND=rq``): django-tasks-rq, keeping task priorities.

rq has no priorities: a worker takes from its queues in the order it listens to them
(``settings.TASK_QUEUES``), first come first served within each. The database backend runs
a task below the default priority (a broadcast's fan-out) after every other ready task;
here such a task goes to ``TASKS_LOW_PRIORITY_QUEUE``, which workers take from last, so
replies to residents are never kept waiting behind bulk sending whichever backend runs.
"""

from __future__ import annotations

from typing import Any, TypeVar

import django_tasks_rq
from django.conf import settings
from django_tasks.base import DEFAULT_TASK_PRIORITY, Task, TaskResult

T = TypeVar("T")


class RQBackend(django_tasks_rq.RQBackend):
    """django-tasks-rq, with tasks below the default priority in the low-priority queue."""

    # django-tasks-rq refuses tasks with a priority; this backend honours them (coarsely)
    supports_priority = True

    def enqueue(self, task: Task[Any, T], args: Any, kwargs: Any) -> TaskResult[T]:
        if task.priority < DEFAULT_TASK_PRIORITY:
            task = task.using(queue_name=settings.TASKS_LOW_PRIORITY_QUEUE)
        return super().enqueue(task, args, kwargs)


def listen_order() -> list[str]:
    """Return every queue, in the order an rq worker takes from them (low priority last)."""
    return [*settings.TASK_QUEUES, settings.TASKS_LOW_PRIORITY_QUEUE]
