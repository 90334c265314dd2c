"""E-mail to files for development (``EMAIL_URL=filemail://``, used by ``make run``).

Django's file backend writes each message, attachments included, to a file under
``EMAIL_FILE_PATH``; this one also logs one line per message (recipients, subject, file), so the
terminal shows that a mail went out and where to read it, never a base64 PDF.
"""

import logging

from django.core.mail.backends.filebased import EmailBackend as FileEmailBackendBase

logger = logging.getLogger(__name__)


class FileEmailBackend(FileEmailBackendBase):
    def send_messages(self, email_messages):
        sent = super().send_messages(email_messages)
        for message in email_messages or []:
            logger.info(
                "E-mail to %s: %s → %s",
                ", ".join(message.recipients()),
                message.subject,
                self._fname,
            )
        return sent
