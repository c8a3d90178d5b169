"""TLS for the IMAP and SMTP connections: the client context, and certificate failures in plain words."""

from __future__ import annotations

import ssl

# OpenSSL's X509_V_ERR_* verification codes, from openssl/x509_vfy.h (OpenSSL 3.0).
UNTRUSTED_ISSUER_CODES = {
    2,  # unable to get issuer certificate
    18,  # self-signed certificate
    19,  # self-signed certificate in certificate chain
    20,  # unable to get local issuer certificate
    21,  # unable to verify the first certificate
}
VALIDITY_PERIOD_CODES = {9, 10}  # certificate is not yet valid, certificate has expired
NAME_MISMATCH_CODES = {62, 64}  # hostname mismatch, IP address mismatch


def client_context(ca_file: str = "") -> ssl.SSLContext:
    """Create a client context that verifies the server's certificate chain and host name.

    With ``ca_file`` (a PEM file) only the certificates in it are trusted,
    which suits a private CA. Without it, the system's CA store is used.
    """
    return ssl.create_default_context(cafile=ca_file or None)


def ssl_error_in(exc: BaseException) -> ssl.SSLError | None:
    """Return the ssl.SSLError that ``exc`` is or was raised from, or None.

    aiosmtplib wraps a failed implicit-TLS handshake in SMTPConnectError, so
    the cause chain is followed, not only ``exc`` itself.
    """
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, ssl.SSLError):
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None


def describe_tls_failure(exc: BaseException, section: str) -> str | None:
    """Describe the failed TLS handshake behind ``exc`` and the setting to change. Return None when TLS was not the cause.

    ``section`` is the config section that contains the server's settings,
    "mailbox" or "smtp", so that the advice names the key to set.
    """
    error = ssl_error_in(exc)
    if error is None:
        return None

    if isinstance(error, ssl.SSLCertVerificationError):
        return _describe_certificate_failure(error, section)

    reason = error.reason or str(error)
    if reason == "WRONG_VERSION_NUMBER":
        return (
            "the server did not answer with TLS (wrong version number), so this port may not use implicit TLS. "
            f'Check [{section}] port, or set [{section}] security = "starttls" for a port that upgrades with STARTTLS'
        )
    return f"the TLS handshake failed: {reason.replace('_', ' ').lower()}"


def _describe_certificate_failure(error: ssl.SSLCertVerificationError, section: str) -> str:
    problem = (error.verify_message or str(error)).rstrip(".")
    if not problem[1:2].isupper():
        # "Hostname mismatch" reads as "hostname mismatch" mid-sentence, but "IP address" keeps its capitals.
        problem = problem[:1].lower() + problem[1:]
    code = error.verify_code

    if code in UNTRUSTED_ISSUER_CODES:
        advice = (
            "If the server uses a private CA or a self-signed certificate, "
            f"set [{section}] ca_file to that CA certificate or to the server's own certificate (a PEM file)"
        )
    elif code in VALIDITY_PERIOD_CODES:
        advice = "The server's certificate must be renewed, or this machine's clock is wrong"
    elif code in NAME_MISMATCH_CODES:
        advice = f"Set [{section}] host to a name that the server's certificate lists"
    else:
        advice = "Check the certificate that the server presents"
    return f"the server's TLS certificate was rejected: {problem}. {advice}"


def describe_session(connection: ssl.SSLSocket | ssl.SSLObject | None) -> str:
    """Return the TLS version and cipher of a connection, such as "TLSv1.3 (TLS_AES_256_GCM_SHA384)"."""
    version = connection.version() if connection is not None else None
    if version is None:
        return "no TLS"
    cipher = connection.cipher()
    return f"{version} ({cipher[0]})" if cipher else version
