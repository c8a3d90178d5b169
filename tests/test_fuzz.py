"""Thousands of damaged copies of the corpus messages, each applied by the intake without a crash.

Each example takes a corpus message and damages it the way real mail gets
damaged: bytes changed, lines cut or repeated, headers garbled, charsets and
boundaries misnamed. The intake must either act on it or set it aside, and
must never reach its last-resort handler for unexpected errors.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from corpus_world import NOW, build_world
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from mailbot.config import load_settings
from mailbot.daemon import Daemon
from mailbot.store.models import InboundMessage
from mailbot.workflow import MailboxPosition

CORPUS = Path(__file__).parent / "corpus"
SEEDS = [path.read_bytes() for path in sorted(CORPUS.glob("*/*.eml"))]
CRASH_REASON = "mailbot failed while handling this message"
# MAILBOT_FUZZ_EXAMPLES raises the count for a longer run by hand; the default keeps the suite quick.
EXAMPLES = int(os.environ.get("MAILBOT_FUZZ_EXAMPLES", "2000"))
# The same examples every run, so CI is repeatable; MAILBOT_FUZZ_RANDOM=1 explores new ones by hand.
DERANDOMIZE = os.environ.get("MAILBOT_FUZZ_RANDOM") != "1"

# Header lines and fragments that real senders get wrong.
GARBLED_HEADERS = [
    b"Content-Type: text/plain; charset=x-unknown-charset",
    b"Content-Type: text/plain; charset=\"utf-8",
    b"Content-Type: multipart/mixed",
    b"Content-Type: multipart/mixed; boundary=\"\"",
    b"Content-Transfer-Encoding: base64",
    b"Content-Transfer-Encoding: x-uuencode",
    b"Content-Transfer-Encoding: quoted-printable",
    b"Content-Disposition: attachment; filename*0*=utf-8''%FF%FE; filename*2=\"x\"",
    b"Subject: =?utf-8?B?notbase64?=",
    b"Subject: =?unknown?Q?x?=",
    b"From: \"unclosed <@>",
    b"From: <>",
    b"In-Reply-To: <PST-2026-0101.e101e101e101e101e101@star-tsa.example",
    b"References: <<<>>>",
    b"Message-ID:",
    b"Auto-Submitted: auto-replied",
    b"Authentication-Results: mx.star-tsa.example; dmarc=fail header.from=",
    b"Date: Thu, 31 Feb 2027 25:61:00 +9999",
    b"Content-Type: message/rfc822",
    b"Content-Type: application/ms-tnef; name=winmail.dat",
]


@pytest.fixture(scope="module")
def daemon(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Daemon]:
    """A daemon on one copy of the corpus world, kept for all examples so their effects pile up as in a real inbox."""
    folder = tmp_path_factory.mktemp("fuzz-world")
    running = Daemon(load_settings(build_world(folder)))
    yield running
    running.close()


@st.composite
def damaged_messages(draw: st.DrawFn) -> bytes:
    message = bytearray(draw(st.sampled_from(SEEDS)))
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        operation = draw(st.sampled_from(["flip", "cut", "repeat", "header", "truncate", "splice"]))
        if not message:
            break
        position = draw(st.integers(min_value=0, max_value=len(message) - 1))
        if operation == "flip":
            message[position] = draw(st.integers(min_value=0, max_value=255))
        elif operation == "cut":
            end = min(len(message), position + draw(st.integers(min_value=1, max_value=200)))
            del message[position:end]
        elif operation == "repeat":
            end = min(len(message), position + draw(st.integers(min_value=1, max_value=200)))
            message[position:position] = message[position:end]
        elif operation == "header":
            message[0:0] = draw(st.sampled_from(GARBLED_HEADERS)) + b"\r\n"
        elif operation == "truncate":
            del message[position:]
        else:
            message[position:position] = draw(st.binary(min_size=1, max_size=64))
    return bytes(message)


@settings(max_examples=EXAMPLES, deadline=None, derandomize=DERANDOMIZE, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture])
@given(raw=damaged_messages())
def test_damaged_message_never_crashes(daemon: Daemon, raw: bytes) -> None:
    position = MailboxPosition("INBOX", 1, _next_uid(daemon), len(raw))

    outcome = daemon.intake.apply(raw, position, NOW)

    with daemon.sessions() as session:
        recorded = session.scalars(select(InboundMessage).where(InboundMessage.uid == position.uid)).one()
    assert not (recorded.reason or "").startswith(CRASH_REASON), recorded.reason
    assert outcome.destination.value in ("processed", "attention")


def _next_uid(daemon: Daemon) -> int:
    with daemon.sessions() as session:
        last = session.scalars(select(InboundMessage.uid).order_by(InboundMessage.uid.desc()).limit(1)).first()
    return (last or 0) + 1
