"""Writes of the application workflow, one module per concern (as zulip's ``zerver/actions/``).

- ``transitions``: ``application_transition``, the one function that assigns a status, and its
  table (``TRANSITIONS``, ``REASON_REQUIRED``).
- ``owner``: the applicant portal's writes (profile, products, documents, drafts, submit, ...).
- ``review``: officials' review decisions (mark checked, reject, request revision).
- ``processing``: the worker's calculation step and its retry.
- ``outreach``: outreach events (officials), registrations and the waiting list (owners),
  attendance (walk-ins too) and the reminder of the day before.
- ``outreach_notices``: what the owners of an event are told when it changes or is cancelled.

The approval and everything after it (issue, revoke, extend) queue registry tasks and live in
``registry.services``: this package never imports the registry. The public names are re-exported
here, so callers write ``from applications.services import application_submit``.
"""

from .outreach import (
    event_cancel,
    event_save,
    registration_cancel,
    registration_create,
    registration_record_attendance,
    registration_remind,
    registration_walk_in,
)
from .outreach_notices import event_change_notice_send, event_change_notify
from .owner import (
    ALLOWED_UPLOAD_TYPES,
    CERTIFIED_STATUSES,
    PRODUCT_LOCKED_STATUSES,
    application_copy,
    application_create,
    application_draft_save,
    application_follow_rule_set,
    application_renew,
    application_renewable,
    application_snapshot_data,
    application_start,
    application_submit,
    application_withdraw,
    company_save,
    document_delete,
    document_upload,
    product_save,
    upload_inspect,
    upload_sniff,
)
from .processing import application_calculate, application_retry, processing_retry
from .review import application_mark_checked, application_reject, application_request_revision
from .transitions import REASON_REQUIRED, TRANSITIONS, application_transition, company_lock

__all__ = [
    "ALLOWED_UPLOAD_TYPES",
    "CERTIFIED_STATUSES",
    "PRODUCT_LOCKED_STATUSES",
    "REASON_REQUIRED",
    "TRANSITIONS",
    "application_calculate",
    "application_copy",
    "application_create",
    "application_draft_save",
    "application_follow_rule_set",
    "application_mark_checked",
    "application_reject",
    "application_request_revision",
    "application_renew",
    "application_renewable",
    "application_retry",
    "application_snapshot_data",
    "application_start",
    "application_submit",
    "application_transition",
    "company_lock",
    "application_withdraw",
    "company_save",
    "document_delete",
    "document_upload",
    "event_cancel",
    "event_change_notice_send",
    "event_change_notify",
    "event_save",
    "processing_retry",
    "product_save",
    "registration_cancel",
    "registration_create",
    "registration_record_attendance",
    "registration_remind",
    "registration_walk_in",
    "upload_inspect",
    "upload_sniff",
]
