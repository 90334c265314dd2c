"""PAdES signatures on certificate PDFs, and their validation (docs/certificates.md).

Every certificate PDF is signed by the portal's key as a PAdES baseline signature (pyHanko):
B-B always, B-T when a timestamp authority is configured (``TKDN_SIGNING_TSA_URL``), with the
validation data embedded (B-LT) when revocation fetching is on. The key and its chain come from
the settings: a PKCS#12 file and passphrase, or a PKCS#11 token (an HSM). Without either, a
development CA and signing key are created once under ``var/signing/``, named "development — not
trusted", so ``make run``, the tests and the demo sign like production does; ``check --deploy``
warns about it.

Guarantees:

* The signature covers the whole file (the chain certificates travel in its CMS container), so
  any later change to any byte breaks it.
* RSA keys: pyHanko raises the PDF version to 2.0 for ECDSA curves, and PDF/A-3 is a PDF 1.7
  profile.
* ``validate`` never raises for a bad file: it says what it found in a :class:`SignatureCheck`.
"""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
import io
import logging
import os
import threading
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

logger = logging.getLogger(__name__)

DEV_PASSPHRASE = b"development-not-trusted"
DEV_NAME = "Portal TKDN-IK (development - not trusted)"
# The signature field every certificate carries (one per document).
FIELD_NAME = "TandaTanganPortal"

_lock = threading.Lock()


# --- Keys --------------------------------------------------------------------------------------


def _name(common_name: str, organisation: str):
    from cryptography import x509
    from cryptography.x509.oid import NameOID

    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "ID"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def create_key_pair(
    directory: Path, *, organisation: str, passphrase: bytes, valid_days: int = 3650
) -> tuple[Path, Path]:
    """Create a CA and a document-signing certificate; return (PKCS#12 path, CA PEM path).

    Used for the development keys and by tests that need a "production" key. RSA 3072 (see the
    module docstring), key usage digitalSignature + nonRepudiation, 10 years.
    """
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.hazmat.primitives.serialization import pkcs12

    directory.mkdir(parents=True, exist_ok=True)
    now = datetime.datetime.now(datetime.UTC)
    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=3072)
    ca_name = _name(f"{organisation} CA", organisation)
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=valid_days))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), False)
        .sign(ca_key, hashes.SHA256())
    )
    key = rsa.generate_private_key(public_exponent=65537, key_size=3072)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(_name(organisation, organisation))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=valid_days - 1))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(True, True, False, False, False, False, False, False, False),
            critical=True,
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), False
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
        .sign(ca_key, hashes.SHA256())
    )
    p12 = pkcs12.serialize_key_and_certificates(
        b"tkdn-signing",
        key,
        certificate,
        [ca],
        serialization.BestAvailableEncryption(passphrase),
    )
    p12_path, ca_path = directory / "signing.p12", directory / "ca.pem"
    # Written under temporary names and moved in place: a second process never reads half a
    # file, and the CA and key always belong together.
    for path, data in ((ca_path, ca.public_bytes(serialization.Encoding.PEM)), (p12_path, p12)):
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_bytes(data)
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    return p12_path, ca_path


def development_keys() -> tuple[Path, Path]:
    """The development key pair under ``TKDN_SIGNING_DEV_DIR``, created on first use."""
    directory = Path(settings.TKDN_SIGNING_DEV_DIR)
    p12, ca = directory / "signing.p12", directory / "ca.pem"
    if p12.exists() and ca.exists():
        return p12, ca
    with _lock:
        directory.mkdir(parents=True, exist_ok=True)
        # A lock file across processes (web and worker may start together).
        lock = directory / ".create.lock"
        try:
            fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
        except FileExistsError:
            fd = None
        if fd is None:
            for _ in range(200):  # another process is creating them: wait up to 20 s
                if p12.exists() and ca.exists():
                    return p12, ca
                threading.Event().wait(0.1)
            lock.unlink(missing_ok=True)
            return development_keys()
        try:
            os.close(fd)
            if not (p12.exists() and ca.exists()):
                logger.warning("Creating the development signing key under %s", directory)
                create_key_pair(directory, organisation=DEV_NAME, passphrase=DEV_PASSPHRASE)
        finally:
            lock.unlink(missing_ok=True)
    return p12, ca


def uses_development_key() -> bool:
    return not (settings.TKDN_SIGNING_PKCS12_FILE or settings.TKDN_SIGNING_PKCS11_MODULE)


def _key_caching_signer_class():
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
    from pyhanko.sign import signers
    from pyhanko.sign.general import get_pyca_cryptography_hash

    class KeyCachingSigner(signers.SimpleSigner):
        """pyHanko's SimpleSigner re-parses and re-checks its private key on every signature
        (about 90 ms for RSA-3072, twice per PDF: the size estimate and the real one). The
        parsed key is kept here instead; signing then costs a few milliseconds."""

        _pyca_key = None

        def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
            mechanism = self.get_signature_mechanism_for_digest(digest_algorithm)
            try:
                name = mechanism.signature_algo
            except ValueError:
                name = mechanism["algorithm"].native
            if name != "rsassa_pkcs1v15":
                return super().sign_raw(data, digest_algorithm)
            if self._pyca_key is None:
                self._pyca_key = serialization.load_der_private_key(
                    self.signing_key.dump(), password=None
                )
            return self._pyca_key.sign(
                data, PKCS1v15(), get_pyca_cryptography_hash(digest_algorithm)
            )

    return KeyCachingSigner


@lru_cache(maxsize=4)
def _pkcs12_signer(path: str, passphrase: bytes, mtime: float):
    from pyhanko.sign import signers

    loaded = signers.SimpleSigner.load_pkcs12(path, passphrase=passphrase)
    if loaded is None:
        raise ImproperlyConfigured(
            f"The signing key {path} could not be read (wrong passphrase or not PKCS#12)."
        )
    return _key_caching_signer_class()(
        signing_cert=loaded.signing_cert,
        signing_key=loaded.signing_key,
        cert_registry=loaded.cert_registry,
    )


@lru_cache(maxsize=2)
def _pkcs11_signer_cached(module: str, token: str, key: str, cert_file: str, pin: str):
    try:
        from pyhanko.config.pkcs11 import TokenCriteria
        from pyhanko.keys import load_certs_from_pemder
        from pyhanko.sign import pkcs11
    except ImportError as exc:  # pragma: no cover - depends on the optional package
        raise ImproperlyConfigured(
            "TKDN_SIGNING_PKCS11_MODULE is set but python-pkcs11 is not installed "
            "(pip install python-pkcs11)."
        ) from exc
    session = pkcs11.open_pkcs11_session(
        module,
        token_criteria=TokenCriteria(label=token) if token else None,
        user_pin=pin or None,
    )
    # The certificate (and its chain) from a PEM file, or from the token by the key's label.
    certs = list(load_certs_from_pemder([cert_file])) if cert_file else []
    return pkcs11.PKCS11Signer(
        session,
        key_label=key or None,
        cert_label=None if certs else key or None,
        signing_cert=certs[0] if certs else None,
        ca_chain=certs[1:] or None,
    )


def _pkcs11_signer():
    """A signer on a PKCS#11 token (an HSM); needs the ``python-pkcs11`` package. One session
    per process, opened on first use."""
    return _pkcs11_signer_cached(
        settings.TKDN_SIGNING_PKCS11_MODULE,
        settings.TKDN_SIGNING_PKCS11_TOKEN_LABEL,
        settings.TKDN_SIGNING_PKCS11_KEY_LABEL,
        settings.TKDN_SIGNING_PKCS11_CERT_FILE,
        settings.TKDN_SIGNING_PKCS11_PIN or "",
    )


def signer():
    """The portal's signer, from the settings (cached per key file and its modification time)."""
    if settings.TKDN_SIGNING_PKCS11_MODULE:
        return _pkcs11_signer()
    if settings.TKDN_SIGNING_PKCS12_FILE:
        path = settings.TKDN_SIGNING_PKCS12_FILE
        passphrase = (settings.TKDN_SIGNING_PKCS12_PASSPHRASE or "").encode()
    else:
        p12, _ = development_keys()
        path, passphrase = str(p12), DEV_PASSPHRASE
    try:
        mtime = os.stat(path).st_mtime
    except OSError as exc:
        raise ImproperlyConfigured(f"The signing key file {path} cannot be read: {exc}") from exc
    return _pkcs12_signer(path, passphrase, mtime)


def _root_of(chain) -> list:
    """The self-signed certificates of a chain (its roots)."""
    return [c for c in chain if c.subject == c.issuer]


def trust_roots() -> list:
    """The roots a portal signature must chain to: the signing chain's own root, the
    development CA in development, and every PEM named in ``TKDN_SIGNING_TRUST_ROOTS``."""
    from pyhanko.keys import load_cert_from_pemder

    roots = []
    if uses_development_key():
        roots.append(load_cert_from_pemder(str(development_keys()[1])))
    for path in settings.TKDN_SIGNING_TRUST_ROOTS:
        roots.append(load_cert_from_pemder(path))
    try:
        current = signer()
        roots.extend(_root_of([current.signing_cert, *current.cert_registry]))
    except ImproperlyConfigured:
        logger.warning("No signing key configured; validating against the listed roots only")
    unique = {root.sha256: root for root in roots}
    return list(unique.values())


def signing_certificate_pem() -> bytes:
    """The public signing certificate and its chain, PEM: for buyers' PDF readers."""
    from asn1crypto import pem

    current = signer()
    chain = [current.signing_cert, *[c for c in current.cert_registry if c != current.signing_cert]]
    return b"".join(pem.armor("CERTIFICATE", cert.dump()) for cert in chain)


def _validation_context(*, fetch: bool):
    from pyhanko_certvalidator import ValidationContext

    return ValidationContext(
        trust_roots=trust_roots(),
        allow_fetching=fetch,
        # The development CA and many government CAs publish no revocation data reachable
        # from here: a missing answer is not a failure, a "revoked" answer is.
        revocation_mode="soft-fail",
    )


# --- Signing -----------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class SignatureInfo:
    """What the certificate page shows about a signature: signer, time, algorithm, level."""

    signer: str
    signed_at: datetime.datetime
    algorithm: str
    level: str
    certificate_sha256: str


def _signer_name(cert) -> str:
    """The signer as people read it: common name, and the organisation when it differs."""
    subject = cert.subject.native
    name = subject.get("common_name") or cert.subject.human_friendly
    organisation = subject.get("organization_name") or ""
    return f"{name} ({organisation})" if organisation and organisation != name else name


def _algorithm(cert, md: str) -> str:
    public_key = cert.public_key
    bits = public_key.bit_size
    return f"{public_key.algorithm.upper()}-{bits} / {md.upper().replace('SHA', 'SHA-')}"


def sign_pdf(data: bytes, *, reason: str, location: str) -> tuple[bytes, SignatureInfo]:
    """Sign PDF ``data`` with the portal's key; return the signed bytes and what was signed.

    Called by ``registry.services.certificate_render_pdf`` right after rendering. The chain
    certificates are in the CMS container; a timestamp (B-T) and embedded revocation data (B-LT)
    are added when configured.
    """
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import signers, timestamps
    from pyhanko.sign.fields import SigSeedSubFilter

    current = signer()
    writer = IncrementalPdfFileWriter(io.BytesIO(data))
    # The signing certificate and its chain travel in the signature's CMS container, so a reader
    # builds the chain offline and the signature still covers the whole file; revocation data
    # (B-LT) goes into a DSS after signing when fetching is on.
    fetch = settings.TKDN_SIGNING_FETCH_REVOCATION
    timestamper = (
        timestamps.HTTPTimeStamper(settings.TKDN_SIGNING_TSA_URL)
        if settings.TKDN_SIGNING_TSA_URL
        else None
    )
    meta = signers.PdfSignatureMetadata(
        field_name=FIELD_NAME,
        subfilter=SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        reason=reason,
        location=location,
        name=settings.TKDN_ISSUER_NAME,
        embed_validation_info=fetch,
        validation_context=_validation_context(fetch=True) if fetch else None,
    )
    # A fixed reservation for the signature container skips pyHanko's dry run that measures it
    # (half of the signing time): RSA-3072 with a two-certificate chain needs about 5 kB, a
    # timestamp token about 5 kB more.
    reserved = 32 * 1024 if timestamper else 16 * 1024
    signed = signers.sign_pdf(
        writer, meta, signer=current, timestamper=timestamper, bytes_reserved=reserved
    ).getvalue()
    level = "PAdES B-LT" if fetch else ("PAdES B-T" if timestamper else "PAdES B-B")
    info = SignatureInfo(
        signer=_signer_name(current.signing_cert),
        signed_at=datetime.datetime.now(datetime.UTC),
        algorithm=_algorithm(current.signing_cert, "sha256"),
        level=level,
        certificate_sha256=hashlib.sha256(current.signing_cert.dump()).hexdigest(),
    )
    return signed, info


# --- Validation --------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class SignatureCheck:
    """The outcome of checking a PDF's signature, in facts a page can put in plain words.

    ``state``: ``"valid"`` (intact, covers the whole file, chains to a portal root),
    ``"untrusted"`` (intact but made by a key the portal does not trust), ``"broken"`` (the file
    was changed after signing, or the signature does not cover all of it), ``"unsigned"`` or
    ``"unreadable"`` (not a PDF a parser can open).
    """

    state: str
    signer: str = ""
    signed_at: datetime.datetime | None = None
    algorithm: str = ""
    certificate_sha256: str = ""
    detail: str = ""

    @property
    def ok(self) -> bool:
        return self.state == "valid"


def validate(data: bytes) -> SignatureCheck:
    """Check the (last) signature of PDF ``data`` against the portal's trust roots."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.errors import SignatureValidationError
    from pyhanko.sign.validation.status import SignatureCoverageLevel

    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        signatures = reader.embedded_signatures
    except Exception as exc:  # noqa: BLE001 - any parser failure means "not readable"
        return SignatureCheck(state="unreadable", detail=type(exc).__name__)
    if not signatures:
        return SignatureCheck(state="unsigned")
    embedded = signatures[-1]
    try:
        status = validate_pdf_signature(embedded, _validation_context(fetch=False))
    except (SignatureValidationError, ValueError, KeyError) as exc:
        return SignatureCheck(state="broken", detail=str(exc)[:300])
    except Exception as exc:  # noqa: BLE001 - a damaged signature dictionary
        return SignatureCheck(state="broken", detail=type(exc).__name__)
    cert = status.signing_cert
    facts = {
        "signer": _signer_name(cert) if cert is not None else "",
        "signed_at": status.signer_reported_dt,
        "algorithm": _algorithm(cert, status.md_algorithm) if cert is not None else "",
        "certificate_sha256": hashlib.sha256(cert.dump()).hexdigest() if cert is not None else "",
    }
    # Whole file: the signed revision is the last one, or only a DSS (validation data) follows.
    whole = status.coverage == SignatureCoverageLevel.ENTIRE_FILE or (
        status.coverage == SignatureCoverageLevel.ENTIRE_REVISION
        and status.modification_level is not None
        and status.modification_level.name in ("NONE", "LTA_UPDATES")
    )
    if not (status.intact and status.valid) or not whole:
        return SignatureCheck(state="broken", **facts)
    if not status.trusted:
        return SignatureCheck(state="untrusted", **facts)
    return SignatureCheck(state="valid", **facts)


# --- System check --------------------------------------------------------------------------------


@checks.register(checks.Tags.security, deploy=True)
def check_signing_key(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Deployment check: certificates must not be signed with the development key."""
    if uses_development_key():
        return [
            checks.Warning(
                "Certificates are signed with the development key (not trusted by anyone).",
                hint="Set TKDN_SIGNING_PKCS12_FILE and TKDN_SIGNING_PKCS12_PASSPHRASE (or a "
                "PKCS#11 token); see docs/certificates.md.",
                id="registry.W001",
            )
        ]
    path = settings.TKDN_SIGNING_PKCS12_FILE
    if path and not Path(path).is_file():
        return [
            checks.Error(f"TKDN_SIGNING_PKCS12_FILE {path} does not exist.", id="registry.E001")
        ]
    return []
