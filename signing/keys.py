"""Where the signing key and certificate come from, and which certificates are trusted.

The key never lives in the database. In order of precedence:
1. a PKCS#11 token (`KL14_SIGNING_PKCS11_MODULE`, `..._TOKEN`, `..._KEY_LABEL`, `..._CERT_LABEL`,
   `..._PIN`): the key stays in the hardware;
2. a PKCS#12 file (`KL14_SIGNING_PKCS12` and `KL14_SIGNING_PKCS12_PASSWORD`): the issuing
   organisation's certificate and key;
3. the demo material that `manage.py signing_demo` creates under `KL14_SIGNING_DIR` (`var/signing/`
   by default, never committed; the tests use a temporary directory): a local demo CA and a
   signing certificate it issued, for `make run` and the tests only.

Trusted roots (`KL14_SIGNING_TRUST_ROOTS`, PEM files) decide what "signed by a trusted certificate"
means on verification; with the demo material, its CA is the trusted root. An RFC 3161 timestamp is
added when `KL14_TSA_URL` is set.
"""

import datetime
import functools
import os
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

DEMO_CA_CERT = "demo-ca.pem"
DEMO_SIGNER = "demo-signer.p12"
DEMO_PASSWORD = b"kl14-demo-signing"  # protects a throw-away demo key, never a real one
DEMO_ORGANISATION = "KL14 demo — Tỉnh Gia Lai"


@dataclass(frozen=True)
class Config:
    pkcs11_module: str = ""
    pkcs11_token: str = ""
    pkcs11_key_label: str = ""
    pkcs11_cert_label: str = ""
    pkcs11_pin: str = ""
    pkcs12: str = ""
    pkcs12_password: str = ""
    demo_dir: str = ""
    trust_roots: tuple = ()
    tsa_url: str = ""

    @property
    def source(self) -> str:
        if self.pkcs11_module:
            return "pkcs11"
        if self.pkcs12:
            return "pkcs12"
        return "demo"


def config() -> Config:
    return Config(
        pkcs11_module=getattr(settings, "KL14_SIGNING_PKCS11_MODULE", ""),
        pkcs11_token=getattr(settings, "KL14_SIGNING_PKCS11_TOKEN", ""),
        pkcs11_key_label=getattr(settings, "KL14_SIGNING_PKCS11_KEY_LABEL", ""),
        pkcs11_cert_label=getattr(settings, "KL14_SIGNING_PKCS11_CERT_LABEL", ""),
        pkcs11_pin=getattr(settings, "KL14_SIGNING_PKCS11_PIN", ""),
        pkcs12=getattr(settings, "KL14_SIGNING_PKCS12", ""),
        pkcs12_password=getattr(settings, "KL14_SIGNING_PKCS12_PASSWORD", ""),
        demo_dir=str(getattr(settings, "KL14_SIGNING_DIR", "")),
        trust_roots=tuple(getattr(settings, "KL14_SIGNING_TRUST_ROOTS", ()) or ()),
        tsa_url=getattr(settings, "KL14_TSA_URL", ""),
    )


def signer():
    """The pyHanko signer of this installation (cached per process and configuration)."""
    return _signer(config())


@functools.lru_cache(maxsize=4)
def _signer(cfg: Config):
    from pyhanko.sign import signers

    if cfg.source == "pkcs11":
        from pyhanko.config.pkcs11 import TokenCriteria
        from pyhanko.sign.pkcs11 import PKCS11Signer, open_pkcs11_session

        session = open_pkcs11_session(
            cfg.pkcs11_module,
            token_criteria=TokenCriteria(label=cfg.pkcs11_token or None),
            user_pin=cfg.pkcs11_pin or None,
        )
        return PKCS11Signer(
            session,
            cert_label=cfg.pkcs11_cert_label or cfg.pkcs11_key_label,
            key_label=cfg.pkcs11_key_label or cfg.pkcs11_cert_label,
        )
    if cfg.source == "pkcs12":
        path, password = cfg.pkcs12, cfg.pkcs12_password.encode() or None
    else:
        path, password = str(Path(cfg.demo_dir) / DEMO_SIGNER), DEMO_PASSWORD
        if not Path(path).exists():
            raise ImproperlyConfigured(
                "No signing certificate: set KL14_SIGNING_PKCS12 (and its password) or the "
                "KL14_SIGNING_PKCS11_* variables, or run `manage.py signing_demo` for a local "
                "demo CA."
            )
    try:
        loaded = signers.SimpleSigner.load_pkcs12(path, passphrase=password)
    except OSError as error:
        raise ImproperlyConfigured(
            f"Cannot read the signing PKCS#12 file {path}: {error}"
        ) from None
    if loaded is None:
        raise ImproperlyConfigured(f"Cannot open the signing PKCS#12 file {path}.")
    return _fast_signer_class()(
        signing_key=loaded.signing_key,
        signing_cert=loaded.signing_cert,
        cert_registry=loaded.cert_registry,
    )


@functools.cache
def _fast_signer_class():
    from cryptography.hazmat.primitives.asymmetric.ec import ECDSA, EllipticCurvePrivateKey
    from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
    from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
    from cryptography.hazmat.primitives.serialization import load_der_private_key
    from pyhanko.sign import signers
    from pyhanko.sign.general import get_pyca_cryptography_hash

    class FastSigner(signers.SimpleSigner):
        """pyHanko's SimpleSigner re-reads (and re-checks) the private key for every signature,
        about 0.1 s each with RSA; this one reads it once."""

        _private_key = None

        def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
            mechanism = self.get_signature_mechanism_for_digest(digest_algorithm).signature_algo
            if self._private_key is None:
                self._private_key = load_der_private_key(self.signing_key.dump(), password=None)
            key, algo = self._private_key, get_pyca_cryptography_hash(digest_algorithm)
            if mechanism == "rsassa_pkcs1v15" and isinstance(key, RSAPrivateKey):
                return key.sign(data, PKCS1v15(), algo)
            if mechanism == "ecdsa" and isinstance(key, EllipticCurvePrivateKey):
                return key.sign(data, signature_algorithm=ECDSA(algo))
            return super().sign_raw(data, digest_algorithm)

    return FastSigner


def trust_roots() -> list:
    """The trusted root certificates (asn1crypto), from KL14_SIGNING_TRUST_ROOTS or the demo CA."""
    return list(_trust_roots(config()))


@functools.lru_cache(maxsize=4)
def _trust_roots(cfg: Config) -> tuple:
    from pyhanko.keys import load_certs_from_pemder

    paths = list(cfg.trust_roots)
    if not paths and cfg.source == "demo":
        demo = Path(cfg.demo_dir) / DEMO_CA_CERT
        if demo.exists():
            paths = [str(demo)]
    return tuple(load_certs_from_pemder(paths)) if paths else ()


def validation_context():
    """A pyHanko validation context trusting exactly our roots. No revocation fetching: the
    verification never goes to the network (the demo CA publishes no CRL)."""
    from pyhanko_certvalidator import ValidationContext

    return ValidationContext(
        trust_roots=trust_roots(), allow_fetching=False, revocation_mode="soft-fail"
    )


def timestamper():
    """An RFC 3161 client when KL14_TSA_URL is set, else None."""
    url = config().tsa_url
    if not url:
        return None
    from pyhanko.sign.timestamps import HTTPTimeStamper

    return HTTPTimeStamper(url, timeout=10)


def clear_caches():
    _signer.cache_clear()
    _trust_roots.cache_clear()


# --- the demo CA --------------------------------------------------------------------------------


def create_demo(directory, *, organisation=DEMO_ORGANISATION, force=False) -> bool:
    """Creates a demo CA and a signing certificate it issued under `directory` (0700, files 0600).
    Returns False when they already exist (unless `force`)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.hazmat.primitives.serialization import pkcs12
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    directory = Path(directory)
    if (directory / DEMO_SIGNER).exists() and (directory / DEMO_CA_CERT).exists() and not force:
        return False
    directory.mkdir(parents=True, exist_ok=True)
    os.chmod(directory, 0o700)
    now = datetime.datetime.now(datetime.UTC) - datetime.timedelta(days=1)

    def name(common):
        return x509.Name(
            [
                x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
                x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
                x509.NameAttribute(NameOID.COMMON_NAME, common),
            ]
        )

    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ca_name = name("KL14 Demo CA (không dùng cho văn bản thật)")
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), False)
        .sign(ca_key, hashes.SHA256())
    )
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name("KL14 — ký hồ sơ (demo)"))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=1825))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), False
        )
        .sign(ca_key, hashes.SHA256())
    )
    bundle = pkcs12.serialize_key_and_certificates(
        b"kl14-demo-signer",
        key,
        cert,
        [ca_cert],
        serialization.BestAvailableEncryption(DEMO_PASSWORD),
    )
    _write(directory / DEMO_SIGNER, bundle)
    _write(directory / DEMO_CA_CERT, ca_cert.public_bytes(serialization.Encoding.PEM))
    clear_caches()
    return True


def _write(path: Path, data: bytes):
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
