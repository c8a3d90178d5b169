"""Real mail servers on loopback for the tests, and the account record they hand out."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Account:
    """Login details for one IMAP mailbox on a test server.

    ``server`` is the name of the implementation behind it, "pymap" or "dovecot".
    """

    host: str
    port: int
    username: str
    password: str
    server: str
