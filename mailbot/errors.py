"""The exceptions mailbot raises, under one root."""


class MailbotError(Exception):
    """Base class for every error mailbot raises on purpose."""


class ConfigError(MailbotError, ValueError):
    """The configuration file or environment is invalid; the message names the key."""


class RulesError(MailbotError, ValueError):
    """A file under rules/ is missing or malformed; the message names the file and key."""


class MailboxError(MailbotError, ConnectionError):
    """The IMAP server could not be reached, refused the login, or failed a command."""


class LoginRejected(MailboxError):
    """The IMAP server refused the username and password or token, which retrying soon will not change."""


class CaseNotFound(MailbotError, LookupError):
    """No case has the requested reference."""
