"""Signing with a PKCS#11 token (an HSM in production): SoftHSM2 stands in for the hardware.

The key is imported into a fresh SoftHSM2 token; the portal then signs a certificate through
pyHanko's PKCS11Signer exactly as it would with a ministry HSM, and the signature validates.
"""

import shutil
import subprocess
from pathlib import Path

import pytest

from registry import signing

SOFTHSM_MODULE = Path("/usr/lib/softhsm/libsofthsm2.so")

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        not (SOFTHSM_MODULE.exists() and shutil.which("softhsm2-util")),
        reason="SoftHSM2 is not installed (make install-test installs softhsm2)",
    ),
]


def test_a_certificate_signed_on_a_pkcs11_token_validates(tmp_path, settings, monkeypatch):
    import pkcs11
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.serialization import pkcs12
    from pkcs11 import Attribute
    from pkcs11.util.rsa import decode_rsa_private_key

    from tests.registry.test_signing import _issued, _pdf

    # A token of our own (SoftHSM2 reads its configuration when the module is first loaded).
    (tmp_path / "tokens").mkdir()
    conf = tmp_path / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {tmp_path / 'tokens'}\nobjectstore.backend = file\n")
    monkeypatch.setenv("SOFTHSM2_CONF", str(conf))
    subprocess.run(
        ["softhsm2-util", "--init-token", "--free", "--label", "tkdn-hsm",
         "--so-pin", "12345678", "--pin", "87654321"],
        check=True, capture_output=True,
    )  # fmt: skip
    # The production key pair, its private key imported into the token.
    p12_path, _ca = signing.create_key_pair(
        tmp_path / "keys", organisation="Kementerian Perindustrian HSM", passphrase=b"x"
    )
    key, cert, chain = pkcs12.load_key_and_certificates(p12_path.read_bytes(), b"x")
    der = key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    )
    token = pkcs11.lib(str(SOFTHSM_MODULE)).get_token(token_label="tkdn-hsm")
    with token.open(rw=True, user_pin="87654321") as session:
        attributes = decode_rsa_private_key(der)
        attributes.update(
            {Attribute.LABEL: "tkdn-signing", Attribute.ID: b"\x01", Attribute.TOKEN: True}
        )
        session.create_object(attributes)
    pem = tmp_path / "chain.pem"
    pem.write_bytes(b"".join(c.public_bytes(serialization.Encoding.PEM) for c in [cert, *chain]))
    settings.TKDN_SIGNING_PKCS11_MODULE = str(SOFTHSM_MODULE)
    settings.TKDN_SIGNING_PKCS11_TOKEN_LABEL = "tkdn-hsm"
    settings.TKDN_SIGNING_PKCS11_KEY_LABEL = "tkdn-signing"
    settings.TKDN_SIGNING_PKCS11_CERT_FILE = str(pem)
    settings.TKDN_SIGNING_PKCS11_PIN = "87654321"
    signing._pkcs11_signer_cached.cache_clear()
    try:
        assert not signing.uses_development_key()
        assert signing.check_signing_key() == []
        certificate = _issued()
        check = signing.validate(_pdf(certificate))
        assert check.ok, check
        assert "Kementerian Perindustrian HSM" in check.signer
        assert certificate.signature_signer == check.signer
    finally:
        signing._pkcs11_signer_cached.cache_clear()
