"""``manage.py move_media --to s3|local``: copy every media file between disk and the bucket.

For switching storage (docs/operations.md, "Object storage"): every file the database names
(evidence, documents, NIE files, certificate PDFs, superseded PDFs) is copied from the other
storage under the same name, read back and compared (size and SHA-256). Idempotent: files
already at the target with the same bytes are counted, not copied again; a file with other
bytes at the target is a conflict and is left alone. ``--delete-source`` removes each source
copy once its copy is verified; ``--dry-run`` only counts. Exit status 1 when a file is missing
in both storages or conflicts.

The bucket comes from AWS_STORAGE_BUCKET_NAME (and AWS_S3_ENDPOINT_URL, credentials), the
folder from MEDIA_ROOT: both must be set while moving, whichever the portal uses.
"""

from django.core.management.base import BaseCommand, CommandError

from tkdnportal.storage import (
    TARGETS,
    StorageUnavailable,
    iter_report_lines,
    move_media,
    storage_for,
)


class Command(BaseCommand):
    help = "Pindahkan berkas media antara disk lokal dan object storage (S3) tanpa kehilangan."

    def add_arguments(self, parser):
        parser.add_argument("--to", required=True, choices=TARGETS, help="Target storage.")
        parser.add_argument("--dry-run", action="store_true", help="Count only, copy nothing.")
        parser.add_argument(
            "--delete-source",
            action="store_true",
            help="Delete each source copy once its copy at the target is verified.",
        )

    def handle(self, *args, to: str, dry_run: bool, delete_source: bool, **options):
        try:
            source = storage_for("local" if to == "s3" else "s3")
            target = storage_for(to)
            report = move_media(
                source=source, target=target, dry_run=dry_run, delete_source=delete_source
            )
        except StorageUnavailable as exc:
            raise CommandError(str(exc)) from exc
        for line in iter_report_lines(report, dry_run=dry_run):
            self.stdout.write(line)
        if not report.ok:
            raise CommandError("Some files are missing or conflict (listed above).")
