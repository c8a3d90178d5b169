"""The SASL messages that carry an OAuth 2.0 access token: XOAUTH2 and OAUTHBEARER (RFC 7628).

Both go to the server unencoded here; imaplib and the SMTP code base64-encode
them on the wire.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

XOAUTH2 = "XOAUTH2"
OAUTHBEARER = "OAUTHBEARER"
# OAUTHBEARER is the standard (RFC 7628), so it is taken when the server offers both.
PREFERENCE = (OAUTHBEARER, XOAUTH2)

# After a rejected token, RFC 7628 section 3.2.3 has the client reply to the server's error challenge with a
# single 0x01 byte. Google's description of XOAUTH2 has the client send an empty reply instead.
ERROR_ACKNOWLEDGEMENTS = {OAUTHBEARER: b"\x01", XOAUTH2: b""}


def choose_mechanism(offered: Iterable[str]) -> str | None:
    """Return the OAuth 2.0 mechanism to use from the server's offered SASL mechanism names; None when it offers neither."""
    names = {name.upper() for name in offered}
    for mechanism in PREFERENCE:
        if mechanism in names:
            return mechanism
    return None


def initial_response(mechanism: str, username: str, token: str, host: str, port: int) -> bytes:
    """Build the client's first message for ``mechanism``, which carries ``token`` for ``username``."""
    if mechanism == XOAUTH2:
        return f"user={username}\x01auth=Bearer {token}\x01\x01".encode()
    if mechanism == OAUTHBEARER:
        # The GS2 header names the user as authzid, where "," and "=" must be escaped (RFC 5801 section 4).
        authzid = username.replace("=", "=3D").replace(",", "=2C")
        return f"n,a={authzid},\x01host={host}\x01port={port}\x01auth=Bearer {token}\x01\x01".encode()
    raise ValueError(f"{mechanism} is not an OAuth 2.0 SASL mechanism; use {' or '.join(PREFERENCE)}")


def responder(mechanism: str, first: bytes) -> Callable[[bytes], bytes]:
    """Return the callback that answers the server's challenges: ``first`` to the empty one, then the error acknowledgement.

    A non-empty challenge after the first message is the server's error
    report (JSON), which the client acknowledges so that the server sends
    its final NO or 535.
    """
    sent = False

    def answer(challenge: bytes) -> bytes:
        nonlocal sent
        if not sent and not challenge:
            sent = True
            return first
        return ERROR_ACKNOWLEDGEMENTS[mechanism]

    return answer
