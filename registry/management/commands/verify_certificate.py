"""``manage.py verify_certificate FILE``: check a certificate PDF three ways, in plain words.

The same checks as the verify page and ``POST /api/v1/verify-file/`` (registry.verification):
the digital signature, the file's SHA-256 against the register, and the certificate's status
today. Exit status 0 when the file is authentic (signature valid and a file the portal issued),
1 when it is not, 2 when the file cannot be read. ``--json`` prints the API's answer instead.
"""

import json as json_module
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from registry.verification import verify_file


class Command(BaseCommand):
    help = "Periksa berkas PDF sertifikat TKDN-IK: tanda tangan digital, register, status."

    def add_arguments(self, parser):
        parser.add_argument("file", help="The certificate PDF to check.")
        parser.add_argument("--json", action="store_true", help="Print the result as JSON.")
        parser.add_argument(
            "--language", default="id", choices=["id", "en"], help="Language of the messages."
        )

    def handle(self, *args, file: str, json: bool = False, language: str = "id", **options):
        path = Path(file)
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"{path}: {exc.strerror or exc}", returncode=2) from exc
        with translation.override(language):
            result = verify_file(data)
            if json:
                self.stdout.write(_dumps(result.as_dict()))
            else:
                marks = {True: "✔", False: "✖"}
                self.stdout.write(f"{path.name}  SHA-256 {result.sha256}")
                self.stdout.write(f"{marks[result.signature.ok]} {result.signature_message()}")
                self.stdout.write(
                    f"{marks[result.register in ('current', 'superseded')]} "
                    f"{result.register_message()}"
                )
                self.stdout.write(f"{marks[result.status == 'VALID']} {result.status_message()}")
        if not result.authentic:
            raise SystemExit(1)


def _dumps(value) -> str:
    return json_module.dumps(value, indent=2, ensure_ascii=False)
