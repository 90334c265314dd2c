"""Domain exceptions of the application workflow; messages are shown to users as they are."""

from django.utils.translation import gettext_lazy as _


class WorkflowError(Exception):
    """Base class: a request the workflow refuses, with a message fit for the user."""

    default_message = _("Permintaan tidak dapat diproses.")

    def __init__(self, message: str | None = None):
        self.message = message or self.default_message
        super().__init__(str(self.message))


class IllegalTransition(WorkflowError):
    default_message = _("Perubahan status ini tidak diizinkan.")


class TransitionConflict(WorkflowError):
    """The application changed under us (another official or the worker acted first)."""

    default_message = _(
        "Permohonan ini baru saja diubah oleh pihak lain. Muat ulang halaman untuk melihat "
        "status terbarunya."
    )


class ReasonRequired(WorkflowError):
    default_message = _("Alasan wajib diisi untuk keputusan ini.")


class EventClosed(WorkflowError):
    """An outreach event no longer takes registrations or cancellations (started, cancelled)."""

    default_message = _("Pendaftaran acara ini sudah ditutup.")
