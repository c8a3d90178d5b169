"""An SMTP server for the benchmarks, run as its own process: `python -m bench.sink --port N`.

It accepts every message, keeps none of them, and writes one JSON line per
message to stdout: the arrival time on ``time.monotonic()``, the envelope
recipients, the size and the ``X-Mailbot-Case`` header. On Linux that clock
is CLOCK_MONOTONIC, which every process on the machine shares, so the
benchmark process can subtract its own readings from these.

It runs apart from the benchmark and from mailbot so that neither shares a
Python interpreter lock with the server it sends to.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
import time
from email.parser import BytesHeaderParser
from email.policy import compat32

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

LOOPBACK_HOST = "127.0.0.1"
# Large enough for a 25 MB plan forwarded whole; aiosmtpd's default is 32 MiB.
DATA_SIZE_LIMIT_BYTES = 200_000_000
READY_LINE = "READY"


class ReportingHandler:
    """Reports each accepted message on stdout and drops its content."""

    def __init__(self) -> None:
        self.header_parser = BytesHeaderParser(policy=compat32)
        self.lock = threading.Lock()

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802
        arrived = time.monotonic()
        content = envelope.original_content or b""
        header_end = content.find(b"\r\n\r\n")
        headers = self.header_parser.parsebytes(content[: header_end if header_end >= 0 else len(content)])
        record = {
            "at": arrived,
            "to": list(envelope.rcpt_tos),
            "bytes": len(content),
            "case": headers.get("X-Mailbot-Case"),
        }
        with self.lock:
            sys.stdout.write(json.dumps(record) + "\n")
            sys.stdout.flush()
        return "250 Message accepted for delivery"


def main() -> None:
    parser = argparse.ArgumentParser(description="Run an SMTP server on 127.0.0.1 that reports each message on stdout.")
    parser.add_argument("--port", type=int, required=True, help="TCP port to listen on")
    arguments = parser.parse_args()

    controller = Controller(
        ReportingHandler(),
        hostname=LOOPBACK_HOST,
        port=arguments.port,
        server_hostname="localhost",
        enable_SMTPUTF8=True,
        data_size_limit=DATA_SIZE_LIMIT_BYTES,
    )
    controller.start()

    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    signal.signal(signal.SIGINT, lambda *_: stopped.set())
    sys.stdout.write(READY_LINE + "\n")
    sys.stdout.flush()
    stopped.wait()
    controller.stop()


if __name__ == "__main__":
    main()
