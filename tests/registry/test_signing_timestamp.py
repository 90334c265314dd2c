"""PAdES B-T: with a timestamp authority configured, the signature carries an RFC 3161 token.

A small TSA runs on localhost for the test (pyHanko's dummy TSA answering over HTTP), with its own
CA among the portal's trust roots, as an operator would list a real TSA's root.
"""

import datetime
import http.server
import threading

import pytest

from registry import signing

pytestmark = pytest.mark.django_db


def _tsa(tmp_path):
    """A TSA certificate (extended key usage timeStamping) and key, and its CA's PEM path."""
    from asn1crypto import keys as asn1_keys
    from asn1crypto import x509 as asn1_x509
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import ExtendedKeyUsageOID

    now = datetime.datetime.now(datetime.UTC)
    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ca_name = signing._name("TSA Uji CA", "TSA Uji")
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False), True
        )
        .sign(ca_key, hashes.SHA256())
    )
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    cert = (
        x509.CertificateBuilder()
        .subject_name(signing._name("TSA Uji", "TSA Uji"))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=29))
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
        .add_extension(
            x509.KeyUsage(True, True, False, False, False, False, False, False, False), True
        )
        .sign(ca_key, hashes.SHA256())
    )
    ca_pem = tmp_path / "tsa-ca.pem"
    ca_pem.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    der_key = key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return (
        asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER)),
        asn1_keys.PrivateKeyInfo.load(der_key),
        asn1_x509.Certificate.load(ca.public_bytes(serialization.Encoding.DER)),
        ca_pem,
    )


def test_a_configured_tsa_makes_the_signature_b_t(tmp_path, settings):
    from asn1crypto import tsp
    from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper

    tsa_cert, tsa_key, tsa_ca, ca_pem = _tsa(tmp_path)
    stamper = DummyTimeStamper(tsa_cert=tsa_cert, tsa_key=tsa_key, certs_to_embed=[tsa_ca])
    requests = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - the http.server API
            body = self.rfile.read(int(self.headers["Content-Length"]))
            requests.append(self.headers["Content-Type"])
            answer = stamper.request_tsa_response(tsp.TimeStampReq.load(body)).dump()
            self.send_response(200)
            self.send_header("Content-Type", "application/timestamp-reply")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        settings.TKDN_SIGNING_TSA_URL = f"http://127.0.0.1:{server.server_port}/"
        settings.TKDN_SIGNING_TRUST_ROOTS = [str(ca_pem)]
        from tests.registry.test_signing import _issued, _pdf

        certificate = _issued()
        assert requests == ["application/timestamp-query"]
        assert certificate.signature_level == "PAdES B-T"
        data = _pdf(certificate)
        assert signing.validate(data).ok
        # The token is in the signature: pyHanko reads its time back.
        import io

        from pyhanko.pdf_utils.reader import PdfFileReader
        from pyhanko.sign.validation import validate_pdf_signature
        from pyhanko_certvalidator import ValidationContext

        embedded = PdfFileReader(io.BytesIO(data)).embedded_signatures[0]
        status = validate_pdf_signature(
            embedded,
            signer_validation_context=ValidationContext(
                trust_roots=signing.trust_roots(), allow_fetching=False
            ),
            ts_validation_context=ValidationContext(
                trust_roots=signing.trust_roots(), allow_fetching=False
            ),
        )
        assert status.timestamp_validity is not None and status.timestamp_validity.trusted
    finally:
        server.shutdown()
