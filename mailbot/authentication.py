"""Read the receiving mail host's Authentication-Results (RFC 8601) to catch forged senders.

Only headers written by the alliance's own receiving host count, named by its
authserv-id in the settings, because anyone can add such a header to a
message before sending it. A message counts as forged when that host found
DMARC, DKIM or SPF failing for the domain in its From address.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from email.message import Message

from mailbot.message import InboundMail

FAILING_RESULTS = ("fail", "permerror")
# DMARC results that are a verdict; "none" means the domain publishes no policy, so DKIM and SPF decide.
DMARC_VERDICTS = ("pass", "fail", "permerror")
RESULT = re.compile(r"\b(dmarc|dkim|spf)\s*=\s*([a-z]+)\b([^;]*)", re.IGNORECASE)
PROPERTY = re.compile(r"\b(header\.from|header\.d|header\.i|smtp\.mailfrom|smtp\.helo)\s*=\s*([^\s;()]+)", re.IGNORECASE)


@dataclass(frozen=True)
class AuthenticationFailure:
    """A check the receiving host found failing, in words for the business manager."""

    method: str
    result: str
    domain: str

    def describe(self) -> str:
        return f"{self.method.upper()} {self.result} for {self.domain}"


def authentication_failure(mail: InboundMail, trusted_authserv_id: str) -> AuthenticationFailure | None:
    """Return the DMARC, DKIM or SPF failure the trusted host found for the From domain, or None.

    Returns None when ``trusted_authserv_id`` is empty, so that an alliance
    whose mail host writes no such header is not locked out.
    """
    if not trusted_authserv_id:
        return None
    from_domain = mail.sender_address.rpartition("@")[2].lower()
    if not from_domain:
        return None

    results: dict[str, list[str]] = {"dmarc": [], "dkim": [], "spf": []}
    for header in _authentication_headers(mail.message):
        authserv_id, _, text = header.partition(";")
        # The authserv-id may be followed by a version number, as in "mx.example.org 1".
        if authserv_id.split()[:1] != [trusted_authserv_id.lower()]:
            continue
        for match in RESULT.finditer(text):
            method, result, properties = match.group(1).lower(), match.group(2).lower(), match.group(3)
            domains = {_domain_of(value) for _, value in PROPERTY.findall(properties)}
            # A result about another domain, such as a mailing list's DKIM signature, is not about the sender.
            if domains and from_domain not in domains:
                continue
            results[method].append(result)

    # DMARC is the verdict on the From domain when the host checked it. A passing DMARC
    # outweighs one failing DKIM signature among several, as happens when a relay re-signs mail.
    verdicts = [result for result in results["dmarc"] if result in DMARC_VERDICTS]
    if verdicts:
        failing = [result for result in verdicts if result in FAILING_RESULTS]
        return AuthenticationFailure("dmarc", failing[0], from_domain) if failing and "pass" not in verdicts else None
    if any(result in FAILING_RESULTS for result in results["dkim"]) and "pass" not in results["dkim"]:
        return AuthenticationFailure("dkim", next(r for r in results["dkim"] if r in FAILING_RESULTS), from_domain)
    if any(result in FAILING_RESULTS for result in results["spf"]):
        return AuthenticationFailure("spf", next(r for r in results["spf"] if r in FAILING_RESULTS), from_domain)
    return None


def _authentication_headers(message: Message) -> list[str]:
    return [" ".join(str(value).split()).lower() for value in message.get_all("Authentication-Results") or []]


def _domain_of(value: str) -> str:
    return value.strip().strip('"<>').rpartition("@")[2].lower()
