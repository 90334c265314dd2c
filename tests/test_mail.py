"""``make run`` writes e-mails to files under var/ with one log line each (issue 13)."""

import logging
import subprocess
import sys
from pathlib import Path

from django.core.mail import EmailMessage, get_connection

ROOT = Path(__file__).resolve().parent.parent


def test_file_backend_writes_the_message_and_logs_one_line(tmp_path, caplog):
    connection = get_connection("tkdnportal.mail.FileEmailBackend", file_path=str(tmp_path))
    message = EmailMessage("Sertifikat terbit", "Isi surat", to=["dewi@contoh.id"])
    message.attach("sertifikat.pdf", b"%PDF-1.7 " + b"x" * 5000, "application/pdf")
    with caplog.at_level(logging.INFO, logger="tkdnportal.mail"):
        assert connection.send_messages([message]) == 1
    files = list(tmp_path.iterdir())
    assert len(files) == 1 and "Sertifikat terbit" in files[0].read_text()
    (line,) = [r.getMessage() for r in caplog.records if r.name == "tkdnportal.mail"]
    assert "dewi@contoh.id" in line and "Sertifikat terbit" in line and str(files[0]) in line
    assert "JVBERi" not in line  # never the base64 attachment


def test_make_run_sends_mail_to_files_through_the_settings(tmp_path):
    makefile = (ROOT / "Makefile").read_text()
    assert "EMAIL_URL=filemail://" in makefile.split("RUN_ENV :=")[1].splitlines()[0]
    out = subprocess.run(
        [sys.executable, "-c", "from django.conf import settings; print(settings.EMAIL_BACKEND)"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={
            "PATH": "/usr/bin:/bin",
            "DJANGO_SETTINGS_MODULE": "tkdnportal.settings",
            "DEBUG": "true",
            "EMAIL_URL": "filemail://",
            "TKDN_VAR_DIR": str(tmp_path),
        },
        check=True,
    )
    assert out.stdout.strip() == "tkdnportal.mail.FileEmailBackend"
