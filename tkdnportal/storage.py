"""Media storage: local disk or an S3-compatible bucket, and moving the files between them.

Every media file (evidence, supporting documents, NIE files, certificate PDFs and superseded
PDFs) is read and written through Django's storage API (``FieldFile.open``/``save``), never
through a path, so the same code runs on ``MEDIA_ROOT`` and on a bucket (settings:
``AWS_STORAGE_BUCKET_NAME``; docs/operations.md, "Object storage").

``move_media`` (``manage.py move_media --to s3|local``) copies every file the database names
from one storage to the other under the same name, checks size and SHA-256 on arrival, and
only then (with ``delete_source``) removes the source copy. Running it twice does nothing new.
``check_storage`` is the health probe of the storage in use.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.apps import apps
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, Storage, default_storage
from django.db import models

TARGETS = ("s3", "local")
LOCAL_BACKEND = "django.core.files.storage.FileSystemStorage"
_CHUNK = 1024 * 1024


class StorageUnavailable(Exception):
    """The media storage cannot be written or read back."""


def local_storage() -> FileSystemStorage:
    return FileSystemStorage(location=settings.MEDIA_ROOT)


def s3_storage() -> Storage:
    options = settings.MEDIA_S3_OPTIONS
    if not options.get("bucket_name"):
        raise StorageUnavailable("AWS_STORAGE_BUCKET_NAME is not set: no bucket to use.")
    from storages.backends.s3 import S3Storage

    return S3Storage(**options)


def storage_for(target: str) -> Storage:
    return s3_storage() if target == "s3" else local_storage()


def uses_object_storage() -> bool:
    """True when the media of this process live in a bucket (``AWS_STORAGE_BUCKET_NAME``)."""
    return settings.STORAGES["default"]["BACKEND"].endswith("S3Storage")


def check_storage() -> None:
    """Write, read back and delete a small object in the media storage in use.

    For the health endpoint: raises :class:`StorageUnavailable` with the reason (never the
    credentials) when any step fails.
    """
    name = f"health-check/{uuid.uuid4().hex}.txt"
    payload = b"tkdn-ik storage probe"
    try:
        stored = default_storage.save(name, ContentFile(payload))
        try:
            with default_storage.open(stored, "rb") as handle:
                if handle.read() != payload:
                    raise StorageUnavailable("The media storage returned other bytes.")
        finally:
            default_storage.delete(stored)
    except StorageUnavailable:
        raise
    except Exception as exc:  # noqa: BLE001 - any backend failure means "unavailable"
        raise StorageUnavailable(f"{type(exc).__name__}: {exc}") from exc


def referenced_names() -> list[str]:
    """Every media file name stored in a ``FileField`` of any model, sorted, no duplicates."""
    names: set[str] = set()
    for model in apps.get_models():
        for model_field in model._meta.get_fields():
            if isinstance(model_field, models.FileField) and model_field.concrete:
                names.update(
                    model._base_manager.exclude(**{model_field.attname: ""})
                    .exclude(**{f"{model_field.attname}__isnull": True})
                    .values_list(model_field.attname, flat=True)
                    .distinct()
                )
    return sorted(names)


def _digest(storage: Storage, name: str) -> tuple[int, str]:
    """Size and SHA-256 of a stored file, read in chunks."""
    sha = hashlib.sha256()
    size = 0
    with storage.open(name, "rb") as handle:
        for chunk in iter(lambda: handle.read(_CHUNK), b""):
            sha.update(chunk)
            size += len(chunk)
    return size, sha.hexdigest()


@dataclass
class MoveReport:
    copied: list[str] = field(default_factory=list)
    present: list[str] = field(default_factory=list)  # already at the target, same bytes
    missing: list[str] = field(default_factory=list)  # named in the database, in neither
    conflicts: list[str] = field(default_factory=list)  # at the target with other bytes
    deleted: list[str] = field(default_factory=list)  # source copies removed

    @property
    def ok(self) -> bool:
        return not self.missing and not self.conflicts


def move_media(
    *,
    source: Storage,
    target: Storage,
    names: list[str] | None = None,
    dry_run: bool = False,
    delete_source: bool = False,
) -> MoveReport:
    """Copy every named file (default: every file the database names) from source to target.

    Idempotent: a file already at the target with the same size and SHA-256 is left alone; one
    with other bytes is a conflict (never overwritten). A copy is read back and compared before
    the source copy is deleted (``delete_source``). ``dry_run`` only reports.
    """
    report = MoveReport()
    for name in referenced_names() if names is None else names:
        outcome = _move_one(source, target, name, dry_run=dry_run)
        getattr(report, outcome).append(name)
        if delete_source and not dry_run and outcome != "conflicts" and source.exists(name):
            source.delete(name)
            report.deleted.append(name)
    return report


def _move_one(source: Storage, target: Storage, name: str, *, dry_run: bool) -> str:
    """Copy one file; returns the report list it belongs to."""
    in_source = source.exists(name)
    in_target = target.exists(name)
    if not in_source:
        # Moved by an earlier run (source deleted); in neither: lost before this command ran.
        return "present" if in_target else "missing"
    wanted = _digest(source, name)
    if in_target:
        return "present" if _digest(target, name) == wanted else "conflicts"
    if dry_run:
        return "copied"
    with source.open(name, "rb") as handle:
        stored = target.save(name, handle)
    # Read back what arrived: a truncated upload must never lead to deleting the source.
    if stored != name or _digest(target, name) != wanted:
        raise StorageUnavailable(f"{name}: the copy at the target differs from the source.")
    return "copied"


def iter_report_lines(report: MoveReport, *, dry_run: bool) -> Iterator[str]:
    verb = "would copy" if dry_run else "copied"
    yield f"{verb}: {len(report.copied)}"
    yield f"already at the target (same size and SHA-256): {len(report.present)}"
    yield f"source copies deleted: {len(report.deleted)}"
    yield f"missing in both storages: {len(report.missing)}"
    for name in report.missing:
        yield f"  missing: {name}"
    yield f"conflicts (other bytes at the target, left alone): {len(report.conflicts)}"
    for name in report.conflicts:
        yield f"  conflict: {name}"
