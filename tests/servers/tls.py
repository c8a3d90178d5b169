"""TLS test servers: certificates made at test time, Dovecot and aiosmtpd helpers, and a config writer.

A test gets a private CA, server certificates the CA issues and self-signed
ones, all written as PEM files into a folder the test owns (its tmp_path),
so no key is stored in the repository. Keys are EC P-256, which are much
quicker to generate than RSA keys.
"""

from __future__ import annotations

import ipaddress
import json
import os
import shutil
import ssl
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from aiosmtpd.smtp import Envelope
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from .dovecot import DovecotServer

# The names every loopback test server is reached by.
LOOPBACK_NAMES = ("127.0.0.1", "localhost")
# A name no test server has, for certificates that must fail the host name check.
WRONG_NAMES = ("mail.wrong-host.example",)
VALIDITY = timedelta(days=2)

ALLIANCE_SECTION = """
[alliance]
name = "STAR Teaching School Alliance"
address = "pst@star-tsa.example"
business_manager = "bm@star-tsa.example"
strategic_lead = "lead@star-tsa.example"
staff = ["bm@star-tsa.example", "lead@star-tsa.example"]
"""


@dataclass(frozen=True)
class ServerCertificate:
    """A server's certificate and private key as PEM files."""

    cert_path: Path
    key_path: Path

    def server_context(self) -> ssl.SSLContext:
        """Create a server-side TLS context that presents this certificate."""
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.cert_path, self.key_path)
        return context


class CertificateAuthority:
    """A private CA that issues server certificates; ``cert_path`` is what a client puts in ``ca_file``."""

    def __init__(self, folder: Path, common_name: str = "mailbot test CA") -> None:
        self.folder = folder
        self._key = ec.generate_private_key(ec.SECP256R1())
        self._name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
        now = datetime.now(timezone.utc)
        self._certificate = (
            _builder(self._name, self._name, self._key.public_key(), now - timedelta(hours=1), now + VALIDITY)
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(_ca_key_usage(), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(self._key.public_key()), critical=False)
            .sign(self._key, hashes.SHA256())
        )
        self.cert_path = folder / "ca.pem"
        self.cert_path.write_bytes(self._certificate.public_bytes(serialization.Encoding.PEM))

    def issue(
        self,
        stem: str,
        names: tuple[str, ...] = LOOPBACK_NAMES,
        *,
        not_before: datetime | None = None,
        not_after: datetime | None = None,
    ) -> ServerCertificate:
        """Issue a server certificate for ``names`` (host names or IP addresses), written as ``<stem>.pem``."""
        now = datetime.now(timezone.utc)
        key = ec.generate_private_key(ec.SECP256R1())
        subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, names[0])])
        certificate = (
            _builder(subject, self._name, key.public_key(), not_before or now - timedelta(hours=1), not_after or now + VALIDITY)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(_subject_alternative_names(names), critical=False)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(self._key.public_key()), critical=False
            )
            .sign(self._key, hashes.SHA256())
        )
        return _write(self.folder, stem, certificate, key)


def self_signed(folder: Path, stem: str, names: tuple[str, ...] = LOOPBACK_NAMES) -> ServerCertificate:
    """Write a self-signed server certificate for ``names``, as an administrator's quick setup would have."""
    now = datetime.now(timezone.utc)
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, names[0])])
    certificate = (
        _builder(name, name, key.public_key(), now - timedelta(hours=1), now + VALIDITY)
        .add_extension(_subject_alternative_names(names), critical=False)
        .sign(key, hashes.SHA256())
    )
    return _write(folder, stem, certificate, key)


def _builder(
    subject: x509.Name, issuer: x509.Name, public_key: ec.EllipticCurvePublicKey, not_before: datetime, not_after: datetime
) -> x509.CertificateBuilder:
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
    )


def _ca_key_usage() -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=True,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=True,
        crl_sign=True,
        encipher_only=False,
        decipher_only=False,
    )


def _subject_alternative_names(names: tuple[str, ...]) -> x509.SubjectAlternativeName:
    entries: list[x509.GeneralName] = []
    for name in names:
        try:
            entries.append(x509.IPAddress(ipaddress.ip_address(name)))
        except ValueError:
            entries.append(x509.DNSName(name))
    return x509.SubjectAlternativeName(entries)


def _write(folder: Path, stem: str, certificate: x509.Certificate, key: ec.EllipticCurvePrivateKey) -> ServerCertificate:
    cert_path = folder / f"{stem}.pem"
    key_path = folder / f"{stem}.key"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return ServerCertificate(cert_path, key_path)


@dataclass(frozen=True)
class CertificateCase:
    """A server certificate, the ca_file a client is given for it, and the problem a client must report.

    ``problem`` is None when the client must accept the certificate.
    """

    name: str
    certificate: ServerCertificate
    ca_file: str
    problem: str | None


def certificate_cases(folder: Path) -> dict[str, CertificateCase]:
    """Make the three standard cases in ``folder``: trusted, self-signed and wrong-host."""
    authority = CertificateAuthority(folder)
    cases = [
        CertificateCase("trusted", authority.issue("trusted"), str(authority.cert_path), None),
        CertificateCase("self-signed", self_signed(folder, "self-signed"), "", "self-signed certificate"),
        CertificateCase(
            "wrong-host",
            authority.issue("wrong-host", WRONG_NAMES),
            str(authority.cert_path),
            "IP address mismatch, certificate is not valid for '127.0.0.1'",
        ),
    ]
    return {case.name: case for case in cases}


def write_config(path: Path, mailbox: dict[str, object], smtp: dict[str, object], database_url: str, extra: str = "") -> Path:
    """Write a mailbot config to ``path`` whose [mailbox] and [smtp] have exactly the given keys; return ``path``."""
    lines = ["[mailbox]", *_toml_lines(mailbox), "", "[smtp]", *_toml_lines(smtp), "", "[database]", f"url = {json.dumps(database_url)}"]
    path.write_text("\n".join(lines) + "\n" + ALLIANCE_SECTION + extra, encoding="utf-8")
    return path


def _toml_lines(values: dict[str, object]) -> list[str]:
    # JSON's strings, numbers and booleans are also valid TOML values.
    return [f"{key} = {json.dumps(value)}" for key, value in values.items()]


class RecordingHandler:
    """An aiosmtpd handler that accepts every message and keeps its content in ``accepted``."""

    def __init__(self) -> None:
        self.accepted: list[bytes] = []

    async def handle_DATA(self, server: object, session: object, envelope: Envelope) -> str:  # noqa: N802
        self.accepted.append(bytes(envelope.content or b""))
        return "250 Message accepted"


def require_dovecot() -> None:
    """Skip the calling test when Dovecot is not installed, or fail it when MAILBOT_REQUIRE_DOVECOT=1."""
    if shutil.which("dovecot") is not None:
        return
    reason = "dovecot is not installed: run apt-get install -y dovecot-imapd"
    if os.environ.get("MAILBOT_REQUIRE_DOVECOT") == "1":
        pytest.fail(f"{reason} (MAILBOT_REQUIRE_DOVECOT=1 is set)", pytrace=False)
    pytest.skip(reason)


def start_tls_dovecots(certificates: dict[str, ServerCertificate]) -> dict[str, DovecotServer]:
    """Start one Dovecot per certificate, each offering STARTTLS and IMAPS with it; keyed like ``certificates``."""
    servers: dict[str, DovecotServer] = {}
    try:
        for name, certificate in certificates.items():
            servers[name] = DovecotServer(ssl_cert=certificate.cert_path, ssl_key=certificate.key_path).start()
    except BaseException:
        stop_dovecots(servers.values())
        raise
    return servers


def stop_dovecots(servers: Iterable[DovecotServer]) -> None:
    """Stop and delete the servers in parallel, because each one takes about a second to exit."""
    def stop(server: DovecotServer) -> None:
        server.stop()
        server.cleanup()

    with ThreadPoolExecutor() as pool:
        list(pool.map(stop, servers))
