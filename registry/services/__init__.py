"""Writes of the registry, one module per concern.

- ``issue``: the approval (which queues the issue), the issue step (number, snapshot, PDF,
  ISSUED), its failure and its retry.
- ``lifecycle``: revoke, extend, expire.
- ``notifications``: the owner's e-mail.
- ``reminders``: the expiry reminder e-mails (90, 30, 7 days before), once per step.
- ``programme``: the regional office's IKM populations and yearly targets.
- ``dates``: validity and whole-year arithmetic.

Status changes go through ``applications.services.application_transition``. The public names are
re-exported here (``from registry.services import certificate_issue``).
"""

from .dates import add_years, validity_dates
from .issue import (
    application_approve,
    application_retry,
    certificate_complete_issue,
    certificate_issue,
    certificate_issue_failed,
    certificate_issue_retry,
    certificate_number,
    certificate_render_pdf,
    certificate_snapshot,
)
from .lifecycle import IN_FORCE, certificate_extend, certificate_revoke, certificates_expire
from .notifications import certificate_email_owner
from .programme import population_record, target_save
from .reminders import certificate_reminder_send, certificate_reminders_sweep, reminder_step_due

__all__ = [
    "IN_FORCE",
    "add_years",
    "application_approve",
    "application_retry",
    "certificate_complete_issue",
    "certificate_email_owner",
    "certificate_extend",
    "certificate_issue",
    "certificate_issue_failed",
    "certificate_issue_retry",
    "certificate_reminder_send",
    "certificate_reminders_sweep",
    "certificate_number",
    "certificate_render_pdf",
    "certificate_revoke",
    "certificate_snapshot",
    "certificates_expire",
    "population_record",
    "reminder_step_due",
    "target_save",
    "validity_dates",
]
