"""Writes of the registry, one module per concern.

- ``issue``: the approval (which queues the issue), the issue step (number, snapshot, PDF,
  ISSUED), its failure and its retry.
- ``lifecycle``: revoke, extend, expire.
- ``notifications``: the owner's e-mail.
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
    "certificate_number",
    "certificate_render_pdf",
    "certificate_revoke",
    "certificate_snapshot",
    "certificates_expire",
    "validity_dates",
]
