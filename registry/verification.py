"""Checking a certificate PDF someone holds, three ways (used by the verify pages, the API and
``manage.py verify_certificate``):

1. **Signature**: the PAdES signature is intact, covers the whole file and was made by a key the
   portal trusts (``registry.signing.validate``).
2. **Register**: the file's SHA-256 is that of a certificate PDF the portal issued (the current
   one, or an earlier one replaced after an extension).
3. **Status today**: valid, expired or revoked, with the dates.

Nothing is stored. Each check is a fact with a plain sentence for people (Indonesian, English by
the active language) and a code for machines.
"""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
import io

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from . import signing
from .models import Certificate, SupersededPdf


@dataclasses.dataclass(frozen=True)
class FileVerification:
    sha256: str
    signature: signing.SignatureCheck
    #: ``current`` (the certificate's PDF as stored now), ``superseded`` (an earlier PDF of it,
    #: replaced after an extension) or ``unknown`` (no PDF the portal issued has this hash).
    register: str
    certificate: Certificate | None
    superseded: SupersededPdf | None
    #: The certificate number the file names in its metadata, when the hash is unknown.
    claimed_number: str
    status: str | None  # Certificate.EffectiveStatus or None without a certificate
    today: datetime.date

    @property
    def issued_unsigned(self) -> bool:
        """A file the portal issued before it signed certificates (its hash is the proof)."""
        return (
            self.signature.state in ("unsigned", "unreadable")
            and self.register == "current"
            and self.certificate is not None
            and self.certificate.signed_at is None
        )

    @property
    def authentic(self) -> bool:
        """The register knows this very file and its signature is valid (or it was issued
        before certificates were signed)."""
        in_register = self.register in ("current", "superseded")
        return in_register and (self.signature.ok or self.issued_unsigned)

    # --- Plain words ---------------------------------------------------------------------------

    def signature_message(self) -> str:
        check = self.signature
        if check.state == "valid":
            when = timezone.localtime(check.signed_at) if check.signed_at else None
            return _(
                "Tanda tangan digital utuh dan dibuat dengan kunci portal (%(signer)s) pada "
                "%(when)s. Berkas tidak berubah sejak ditandatangani."
            ) % {
                "signer": check.signer,
                "when": date_format(when, "j F Y H:i") if when else "—",
            }
        if check.state == "untrusted":
            return _(
                "Tanda tangan digital utuh, tetapi dibuat dengan kunci yang bukan milik portal "
                "(%(signer)s)."
            ) % {"signer": check.signer or "?"}
        if check.state == "broken":
            return _(
                "Tanda tangan digital TIDAK SAH: berkas telah diubah setelah ditandatangani, atau "
                "tanda tangannya rusak."
            )
        if self.issued_unsigned:
            return _(
                "Berkas ini diterbitkan sebelum portal menandatangani sertifikat secara digital; "
                "keasliannya dibuktikan oleh sidik jarinya di register."
            )
        if check.state == "unsigned":
            return _("Berkas ini tidak bertanda tangan digital.")
        return _("Berkas ini tidak dapat dibaca sebagai PDF.")

    def register_message(self) -> str:
        if self.register == "current" and self.certificate is not None:
            return _(
                "Sidik jari SHA-256 berkas sama dengan berkas sertifikat %(number)s di register."
            ) % {"number": self.certificate.number}
        if self.register == "superseded" and self.superseded is not None:
            return _(
                "Berkas ini adalah versi lama sertifikat %(number)s yang telah diganti pada "
                "%(date)s (%(reason)s). Gunakan berkas terbaru."
            ) % {
                "number": self.superseded.certificate.number,
                "date": date_format(timezone.localtime(self.superseded.superseded_at), "j F Y"),
                "reason": self.superseded.reason,
            }
        if self.claimed_number:
            return _(
                "Sidik jari SHA-256 berkas TIDAK ADA di register. Berkas menyebut nomor "
                "%(number)s, tetapi isinya bukan berkas yang diterbitkan portal."
            ) % {"number": self.claimed_number}
        return _("Sidik jari SHA-256 berkas TIDAK ADA di register: bukan berkas yang diterbitkan.")

    def status_message(self) -> str:
        cert = self.certificate
        if cert is None or self.status is None:
            return _("Status tidak dapat ditentukan karena berkas tidak dikenali.")
        if self.status == Certificate.EffectiveStatus.REVOKED:
            return _("Sertifikat %(number)s DICABUT pada %(date)s.") % {
                "number": cert.number,
                "date": date_format(timezone.localtime(cert.revoked_at), "j F Y"),
            }
        if self.status == Certificate.EffectiveStatus.EXPIRED:
            return _("Sertifikat %(number)s KEDALUWARSA sejak %(date)s.") % {
                "number": cert.number,
                "date": date_format(cert.expires_on + datetime.timedelta(days=1), "j F Y"),
            }
        return _("Sertifikat %(number)s BERLAKU hari ini, sampai %(date)s.") % {
            "number": cert.number,
            "date": date_format(cert.expires_on, "j F Y"),
        }

    def as_dict(self) -> dict:
        """The JSON answer of the API (codes and messages)."""
        cert = self.certificate
        check = self.signature
        return {
            "sha256": self.sha256,
            "authentic": self.authentic,
            "signature": {
                "state": check.state,
                "signer": check.signer,
                "signed_at": check.signed_at.isoformat() if check.signed_at else None,
                "algorithm": check.algorithm,
                "message": self.signature_message(),
            },
            "register": {
                "match": self.register,
                "number": cert.number if cert else (self.claimed_number or None),
                "message": self.register_message(),
            },
            "status": {
                "code": str(self.status) if self.status else None,
                "issue_date": cert.issue_date.isoformat() if cert else None,
                "expires_on": cert.expires_on.isoformat() if cert else None,
                "revoked_at": cert.revoked_at.isoformat() if cert and cert.revoked_at else None,
                "message": self.status_message(),
            },
        }


def _claimed_number(data: bytes) -> str:
    """The certificate number in the file's metadata (first keyword), if it has one."""
    try:
        from pypdf import PdfReader

        keywords = (PdfReader(io.BytesIO(data), strict=False).metadata or {}).get("/Keywords")
    except Exception:  # noqa: BLE001 - an unreadable file names nothing
        return ""
    first = str(keywords or "").split(",")[0].strip()
    return first[:40] if first.startswith("TKDNIK/") else ""


def verify_file(data: bytes, *, today: datetime.date | None = None) -> FileVerification:
    """Check PDF ``data`` three ways (module docstring); never raises for a bad file."""
    today = today or timezone.localdate()
    digest = hashlib.sha256(data).hexdigest()
    certificate = Certificate.objects.filter(pdf_sha256=digest).first()
    superseded = None
    register = "unknown"
    if certificate is not None:
        register = "current"
    else:
        superseded = (
            SupersededPdf.objects.select_related("certificate").filter(sha256=digest).first()
        )
        if superseded is not None:
            register, certificate = "superseded", superseded.certificate
    return FileVerification(
        sha256=digest,
        signature=signing.validate(data),
        register=register,
        certificate=certificate,
        superseded=superseded,
        claimed_number="" if certificate else _claimed_number(data),
        status=certificate.effective_status(today) if certificate else None,
        today=today,
    )
