"""The worker's calculation step and its retry by an official.

The calculation itself is the pure engine (``applications.calculation``); this module reads the
stored lines, records the result through the transition service and decides where the
application goes next.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from applications import calculation, rules
from applications.exceptions import IllegalTransition
from applications.formatting import format_percent
from applications.models import Application
from applications.reasons import ReasonCode
from applications.selectors import application_calculation_input
from tkdnportal.tasks import enqueue

from .transitions import S, application_transition


def application_calculate(*, application_id: int) -> Application | None:
    """Compute the TKDN-IK value of a SUBMITTED application from its stored lines (worker step).

    Called by ``application_calculate_task``. Idempotent: an application that is no longer
    SUBMITTED (already computed, withdrawn, ...) is left alone and ``None`` is returned. The
    result and breakdown are stored with the move to CALCULATED; then the application goes to
    the reviewers' queue (UNDER_REVIEW), or, below the threshold, straight to REJECTED with
    reason BELOW_THRESHOLD (spec §5). Input the engine refuses (data that slipped past the
    forms) moves it to PROCESSING_FAILED with the engine's message, never silently stuck.
    """
    application = Application.objects.select_related("product").get(pk=application_id)
    if application.status != S.SUBMITTED:
        return None
    try:
        # The application's own set, with the operator's settings (confirmed or not).
        rule_set = rules.of(application)
        inp = application_calculation_input(application=application, rule_set=rule_set)
        result = calculation.calculate(inp, rule_set)
    except calculation.CalculationError as exc:
        return application_transition(
            application=application,
            to_status=S.PROCESSING_FAILED,
            note=exc.message_id,
            reason_code=ReasonCode.INVALID_INPUT,
            expected_from=[S.SUBMITTED],
            extra_updates={"failed_step": "calculate", "processing_error": exc.message_id},
        )
    breakdown = calculation.result_to_dict(result)
    with transaction.atomic():
        application_transition(
            application=application,
            to_status=S.CALCULATED,
            note=_("Nilai TKDN-IK dihitung: %(value)s.")
            % {"value": format_percent(result.tkdn_ik)},
            expected_from=[S.SUBMITTED],
            extra_updates={
                "tkdn_ik": result.tkdn_ik,
                "eligible": result.eligible,
                "breakdown": breakdown,
                "computed_at": timezone.now(),
                "failed_step": "",
                "processing_error": "",
            },
        )
        if result.eligible:
            application_transition(
                application=application,
                to_status=S.UNDER_REVIEW,
                note=_("Masuk antrean verifikasi petugas dinas."),
                expected_from=[S.CALCULATED],
            )
        else:
            application_transition(
                application=application,
                to_status=S.REJECTED,
                note=_(
                    "Nilai TKDN-IK %(value)s%% di bawah ambang batas %(threshold)s%%; "
                    "sertifikat tidak dapat diterbitkan."
                )
                % {"value": result.tkdn_ik, "threshold": result.threshold},
                reason_code=ReasonCode.BELOW_THRESHOLD,
                expected_from=[S.CALCULATED],
            )
    return application


def processing_retry(*, application: Application, actor, to_status: str, task) -> Application:
    """PROCESSING_FAILED → ``to_status`` (the step that failed), ``task`` queued again on commit.

    The one way a failed step is retried: ``application_retry`` (calculation → SUBMITTED) and
    ``registry.services.certificate_issue_retry`` (issue → APPROVED) call it with their step.
    """
    return application_transition(
        application=application,
        to_status=to_status,
        actor=actor,
        note=_("Pemrosesan diulang oleh petugas."),
        expected_from=[S.PROCESSING_FAILED],
        extra_updates={"failed_step": "", "processing_error": ""},
        on_commit=lambda: enqueue(task, application.pk),
    )


def application_retry(*, application: Application, actor) -> Application:
    """PROCESSING_FAILED → SUBMITTED after a failed calculation, queued again on commit.

    Called from the admin's retry action. A failed *issue* step is retried by the registry
    (``registry.services.certificate_issue_retry``), which owns the issue task; here it raises
    ``IllegalTransition``.
    """
    from applications.tasks import application_calculate_task

    if application.failed_step == "issue":
        raise IllegalTransition()
    return processing_retry(
        application=application,
        actor=actor,
        to_status=S.SUBMITTED,
        task=application_calculate_task,
    )
