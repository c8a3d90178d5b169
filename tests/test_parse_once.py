"""Each inbound message is parsed once, in slices, and every reader of it gets what a whole parse would give."""

from __future__ import annotations

import base64
import email
import email.feedparser
import email.policy
from email.message import Message
from pathlib import Path

import pytest
from corpus_world import NOW, build_world
from sqlalchemy import select

from mailbot import message as message_module
from mailbot import transfer_encoding
from mailbot.config import load_settings
from mailbot.daemon import Daemon
from mailbot.message import parse_message
from mailbot.store.models import InboundMessage
from mailbot.transfer_encoding import decoded_payload, strict_base64
from mailbot.workflow import MailboxPosition

CORPUS = Path(__file__).parent / "corpus"
MESSAGES = sorted(CORPUS.glob("*/*.eml"))
# A PST's reply with two documents and the receiving host's Authentication-Results: every reader of a message runs on it.
PLAN_REPLY = CORPUS / "attachments" / "two-documents.eml"

FILE_BYTES = bytes(range(256)) * 40
FILE_BASE64 = base64.encodebytes(FILE_BYTES)


def _attachment(transfer_encoding_value: bytes, body: bytes, content_type: bytes = b"application/pdf") -> bytes:
    return (
        b"From: Sam Carter <sam.carter@northgate-high.example>\r\n"
        b"Subject: Re: session plan\r\n"
        b"MIME-Version: 1.0\r\n"
        b"Content-Type: " + content_type + b"; name=plan.pdf\r\n"
        b"Content-Disposition: attachment; filename=plan.pdf\r\n"
        b"Content-Transfer-Encoding: " + transfer_encoding_value + b"\r\n\r\n" + body
    )


@pytest.mark.parametrize("message", MESSAGES, ids=[str(path.relative_to(CORPUS).with_suffix("")) for path in MESSAGES])
def test_sliced_parse_matches_whole(message: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Seven bytes at a time cuts CRLF pairs, header lines and multi-byte characters at every possible place.
    monkeypatch.setattr(message_module, "PARSE_CHUNK_BYTES", 7)
    raw = message.read_bytes()

    sliced = parse_message(raw)
    whole = email.message_from_bytes(raw, policy=email.policy.compat32)

    assert sliced.as_bytes() == whole.as_bytes()
    assert [part.get_content_type() for part in sliced.walk()] == [part.get_content_type() for part in whole.walk()]
    assert [[type(defect) for defect in part.defects] for part in sliced.walk()] == [[type(defect) for defect in part.defects] for part in whole.walk()]


def test_plan_reply_parsed_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    daemon = Daemon(load_settings(build_world(tmp_path)))
    raw = PLAN_REPLY.read_bytes()
    parses: list[int] = []
    original_close = email.feedparser.FeedParser.close

    def counted_close(self: email.feedparser.FeedParser) -> Message:
        # Every parse by the email package, whole or fed in pieces, ends with this call.
        parses.append(1)
        return original_close(self)

    monkeypatch.setattr(email.feedparser.FeedParser, "close", counted_close)
    try:
        outcome = daemon.intake.apply(raw, MailboxPosition("INBOX", 1, 1, len(raw)), NOW)
        with daemon.sessions() as session:
            recorded = session.scalars(select(InboundMessage.outcome)).one()
    finally:
        daemon.close()

    assert outcome.outcome == "plan_received"
    assert recorded == "plan_received"
    assert len(parses) == 1


@pytest.mark.parametrize(
    "body",
    [
        FILE_BASE64,
        FILE_BASE64.replace(b"\n", b"\r\n"),
        FILE_BASE64.replace(b"\n", b""),
        FILE_BASE64.rstrip(b"=\n"),
        FILE_BASE64[:-6] + b"\n",
        FILE_BASE64 + FILE_BASE64,
        FILE_BASE64.replace(b"A", b"*", 3),
        FILE_BASE64 + b"\x80\xff\n",
        b"QQ==QQ==\n",
        b"====\n",
        b"",
    ],
    ids=["lf", "crlf", "one-line", "padding-missing", "cut-short", "padding-inside", "stray-characters", "8-bit", "two-blocks", "padding-only", "empty"],
)
@pytest.mark.parametrize("slice_characters", [5, 8, 1024 * 1024])
def test_base64_decoded_as_email_package(body: bytes, slice_characters: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(transfer_encoding, "BASE64_SLICE_CHARACTERS", slice_characters)
    part = email.message_from_bytes(_attachment(b"base64", body), policy=email.policy.default)

    decoded = decoded_payload(part)

    assert decoded == part.get_payload(decode=True)


def test_base64_file_decoded_in_slices(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(transfer_encoding, "BASE64_SLICE_CHARACTERS", 8)

    assert strict_base64(FILE_BASE64.decode("ascii")) == FILE_BYTES
    assert strict_base64("QQ==QQ==") is None


@pytest.mark.parametrize(
    ("transfer_encoding_value", "content_type"),
    [
        (b"base64 ", b"application/pdf"),
        (b"=?utf-8?q?base64?=", b"application/pdf"),
        (b"BASE64", b"application/pdf"),
        (b"quoted-printable", b"application/pdf"),
        (b"base64", b"application/pdf; charset=idna"),
    ],
    ids=["trailing-space", "encoded-word", "upper-case", "quoted-printable", "idna-charset"],
)
@pytest.mark.parametrize("body", [FILE_BASE64, FILE_BASE64 + b"\xe9\n"], ids=["ascii", "8-bit"])
def test_unusual_encodings_decoded_as_email_package(transfer_encoding_value: bytes, content_type: bytes, body: bytes) -> None:
    raw = _attachment(transfer_encoding_value, body, content_type)
    part = email.message_from_bytes(raw, policy=email.policy.default)

    decoded = decoded_payload(part)

    assert decoded == part.get_payload(decode=True)
