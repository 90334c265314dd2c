"""Sending work to the Celery broker, shared by every app (the bottom layer of the project).

``enqueue`` is the one way the services queue a task: from ``transaction.on_commit`` callbacks
and from the periodic sweeps (``applications.tasks.sweep_stalled_task`` for SUBMITTED,
``registry.tasks.sweep_approved_task`` for APPROVED).
"""

import logging

logger = logging.getLogger(__name__)


def enqueue(task, *args) -> bool:
    """Send ``task`` to the broker; never fail the caller because the broker is down.

    Called from ``transaction.on_commit`` callbacks. If the broker cannot be reached the work is
    not lost: the row is already committed in its waiting state and the periodic sweeps
    (``applications.tasks.sweep_stalled_task``, ``registry.tasks.sweep_approved_task``) enqueue
    it again. Returns whether it was sent.
    """
    try:
        task.delay(*args)
    except Exception:  # noqa: BLE001 - any broker error; the sweep is the safety net
        logger.warning(
            "Broker unavailable: %s%r left for the sweep", task.name, args, exc_info=True
        )
        return False
    return True
