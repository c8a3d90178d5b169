"""In-process IMAP and SMTP servers on loopback, for `mailbot demo` and the tests.

EmbeddedImapServer runs pymap's in-memory ``dict`` backend, and SmtpSink runs an
aiosmtpd server that stores every message it accepts. Both listen on 127.0.0.1
only, without TLS, and each runs its own asyncio loop in a background thread.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import socket
import threading
import time
from collections.abc import Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass
from types import TracebackType
from typing import Self, cast

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from proxyprotocol.reader import ProxyProtocolReader
from proxyprotocol.sock import SocketInfo
from pymap.backend.dict import Config as DictConfig
from pymap.backend.dict import DictBackend
from pymap.concurrent import Subsystem
from pymap.imap import IMAPServer, IMAPService
from pysasl.hashing import Cleartext

LOOPBACK_HOST = "127.0.0.1"

log = logging.getLogger("mailbot.embedded")


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that was free a moment ago.

    The socket is closed before the caller binds the port, so another process
    can take it in between. That race is accepted for loopback test servers.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((LOOPBACK_HOST, 0))
        return int(probe.getsockname()[1])


def _wait_for_imap_greeting(host: str, port: int, timeout_seconds: float) -> None:
    """Block until the server on host:port sends an IMAP "* OK" greeting.

    Reading the greeting, not only connecting, matters for pymap, because it
    never closes a connection whose handler has not started when the loop stops.
    """
    deadline = time.monotonic() + timeout_seconds
    while True:
        try:
            with socket.create_connection((host, port), timeout=1.0) as connection:
                if connection.recv(512).startswith(b"* OK"):
                    return
        except OSError as connect_error:
            if time.monotonic() >= deadline:
                raise TimeoutError(
                    f"no server accepted a connection on {host}:{port} within {timeout_seconds} s"
                ) from connect_error

        if time.monotonic() >= deadline:
            raise TimeoutError(f"the server on {host}:{port} sent no IMAP greeting within {timeout_seconds} s")
        time.sleep(0.01)


def _pymap_arguments(username: str, password: str, port: int, demo_data: bool) -> argparse.Namespace:
    """Build the Namespace that ``pymap.main.main()`` would build for these options.

    pymap 0.36.7 reads its whole configuration from this Namespace, so the
    parser is assembled from the same pieces as in ``main()``. The ``--opt=value``
    form keeps a password that starts with "-" from being read as an option.
    """
    parser = argparse.ArgumentParser(prog="pymap", add_help=False)
    parser.add_argument("--debug", action="store_true")
    parser.set_defaults(skip_services=[], passlib_cfg=None)
    IMAPService.add_arguments(parser)

    subparsers = parser.add_subparsers(dest="backend", required=True)
    DictBackend.add_subparser("dict", subparsers)

    command_line = [
        f"--host={LOOPBACK_HOST}",
        f"--port={port}",
        "--no-tls",
        "dict",
        f"--demo-user={username}",
        f"--demo-password={password}",
    ]
    if demo_data:
        command_line.append("--demo-data")
    return parser.parse_args(command_line)


class _ResponseBuffer:
    """Collects what pymap writes for one response and sends it at ``drain()``.

    pymap calls ``write()`` once per token of a response, and asyncio sends each
    call at once as its own TCP segment. imapclient 4.1 reads IDLE responses
    from a non-blocking socket, so a line split across segments raises
    IMAP4.abort "unterminated line". Sending whole responses keeps IDLE clients
    of the embedded server clear of that bug.
    """

    def __init__(self, writer: asyncio.StreamWriter) -> None:
        self._writer = writer
        self._pending = bytearray()

    def write(self, data: bytes) -> None:
        self._pending += data

    async def drain(self) -> None:
        self._flush()
        await self._writer.drain()

    def close(self) -> None:
        self._flush()
        self._writer.close()

    def __getattr__(self, name: str) -> object:
        return getattr(self._writer, name)

    def _flush(self) -> None:
        if self._pending and not self._writer.is_closing():
            self._writer.write(bytes(self._pending))
        self._pending.clear()


class _WholeResponseIMAPService(IMAPService):
    """pymap's IMAPService, except that every response goes out in one write."""

    async def start(self, stack: AsyncExitStack) -> None:
        # The same steps as IMAPService.start() in pymap 0.36.7, without the
        # systemd socket inheritance that the embedded server never uses.
        imap_server = IMAPServer(self.backend.login, self.config)

        async def serve_connection(
            reader: asyncio.StreamReader, writer: asyncio.StreamWriter, sock_info: SocketInfo
        ) -> None:
            # IMAPConnection only calls write(), drain() and close() on its
            # writer while TLS is off, and _ResponseBuffer provides all three.
            buffered_writer = cast(asyncio.StreamWriter, _ResponseBuffer(writer))
            await imap_server(reader, buffered_writer, sock_info)

        proxy_protocol_reader = ProxyProtocolReader(self.config.proxy_protocol)
        server = await asyncio.start_server(
            proxy_protocol_reader.get_callback(serve_connection),
            host=self.config.host,
            port=self.config.port,
        )
        await stack.enter_async_context(server)

        serving = asyncio.create_task(server.serve_forever())
        stack.callback(serving.cancel)


class EmbeddedImapServer:
    """A pymap IMAP server with one account and an in-memory mailbox.

    Without ``demo_data`` the account has only an empty INBOX, and everything
    stored is lost on ``stop()``. Clients log in with AUTHENTICATE PLAIN or LOGIN
    over plain TCP.
    """

    def __init__(
        self,
        username: str = "demo@alliance.test",
        password: str = "demopass",
        *,
        port: int | None = None,
        demo_data: bool = False,
        start_timeout_seconds: float = 10.0,
    ) -> None:
        self.host = LOOPBACK_HOST
        self.port = port if port is not None else free_port()
        self.username = username
        self.password = password
        self.demo_data = demo_data
        self.start_timeout_seconds = start_timeout_seconds

        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop_requested: asyncio.Event | None = None
        self._ready = threading.Event()
        self._startup_error: BaseException | None = None

    def start(self) -> Self:
        """Start the server thread and wait until it sends an IMAP greeting.

        Raises RuntimeError if pymap fails to start and TimeoutError if no
        greeting arrives within ``start_timeout_seconds``.
        """
        if self._thread is not None:
            raise RuntimeError(f"the IMAP server on {self.host}:{self.port} is already started")

        self._thread = threading.Thread(
            target=self._run_loop, name=f"pymap-imap-{self.port}", daemon=True
        )
        self._thread.start()

        try:
            self._wait_until_started()
        except BaseException:
            self._shut_down(self.start_timeout_seconds)
            raise

        log.info("pymap IMAP server started on %s:%d", self.host, self.port)
        return self

    def stop(self, timeout_seconds: float = 10.0) -> None:
        """Close the listener and every client connection, then join the thread.

        Does nothing if the server is not running.
        """
        if self._thread is None:
            return

        self._shut_down(timeout_seconds)
        log.info("pymap IMAP server stopped on %s:%d", self.host, self.port)

    def _shut_down(self, timeout_seconds: float) -> None:
        thread = self._thread
        assert thread is not None

        # The loop and its stop event exist only after the thread reports ready
        # or failed, so wait for that before asking the loop to end.
        self._ready.wait(timeout_seconds)
        loop = self._loop
        stop_requested = self._stop_requested
        if loop is not None and stop_requested is not None:
            try:
                loop.call_soon_threadsafe(stop_requested.set)
            except RuntimeError:
                pass  # The loop already ended because pymap failed.

        thread.join(timeout_seconds)
        if thread.is_alive():
            raise TimeoutError(
                f"the IMAP server thread for {self.host}:{self.port} "
                f"did not end within {timeout_seconds} s"
            )

        self._thread = None
        self._loop = None
        self._stop_requested = None
        self._ready.clear()
        self._startup_error = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def _wait_until_started(self) -> None:
        # The thread sets _ready once pymap listens or has failed. Only then is
        # the port probed, because a connection that succeeds earlier could
        # reach another process listening on that port.
        started_at = time.monotonic()
        if not self._ready.wait(self.start_timeout_seconds):
            raise TimeoutError(
                f"the pymap IMAP server on {self.host}:{self.port} "
                f"did not start within {self.start_timeout_seconds} s"
            )

        if self._startup_error is not None:
            raise RuntimeError(
                f"the pymap IMAP server failed to start on {self.host}:{self.port}: "
                f"{self._startup_error!r}"
            ) from self._startup_error

        remaining_seconds = self.start_timeout_seconds - (time.monotonic() - started_at)
        _wait_for_imap_greeting(self.host, self.port, max(remaining_seconds, 0.5))

    def _run_loop(self) -> None:
        # asyncio.run() cancels the remaining connection tasks and closes the loop
        # once _serve() returns, so stop() leaves nothing running behind.
        asyncio.run(self._serve())

    async def _serve(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop_requested = asyncio.Event()

        try:
            async with AsyncExitStack() as stack:
                await self._start_pymap(stack)
                self._ready.set()
                await self._stop_requested.wait()
        except Exception as error:
            if self._ready.is_set():
                log.exception("pymap IMAP server on %s:%d failed", self.host, self.port)
            else:
                self._startup_error = error
        finally:
            self._ready.set()

    async def _start_pymap(self, stack: AsyncExitStack) -> None:
        """Start the dict backend and the IMAP service the way ``pymap.main.run()`` does.

        ``main.run()`` is not used because it installs signal handlers, which
        only works in the main thread.
        """
        arguments = _pymap_arguments(self.username, self.password, self.port, self.demo_data)
        backend, config = await self._create_backend(arguments)
        config.apply_context()

        await backend.start(stack)
        await _WholeResponseIMAPService(backend, config).start(stack)

    async def _create_backend(self, arguments: argparse.Namespace) -> tuple[DictBackend, DictConfig]:
        """Create the dict backend and its config; a subclass may change how clients sign in."""
        # The password already sits in memory as plain text, so hashing it
        # protects nothing, while pymap's default hash would run PBKDF2 with
        # 500,000 rounds on every login. The asyncio subsystem replaces the
        # thread pool that pymap creates for hashing and never shuts down.
        return await DictBackend.init(
            arguments,
            hash_context=Cleartext(),
            cpu_subsystem=Subsystem.for_asyncio(),
        )


@dataclass(frozen=True)
class ReceivedEmail:
    """One message accepted by SmtpSink, with its SMTP envelope."""

    mail_from: str
    rcpt_tos: tuple[str, ...]
    content: bytes


class _RecordingHandler:
    """aiosmtpd handler that passes every accepted message to a callback."""

    def __init__(self, on_message: Callable[[ReceivedEmail], None]) -> None:
        self._on_message = on_message

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802
        # original_content is the DATA payload with dot-stuffing removed and
        # nothing decoded, whatever decode_data is set to.
        email = ReceivedEmail(
            mail_from=envelope.mail_from or "",
            rcpt_tos=tuple(envelope.rcpt_tos),
            content=envelope.original_content or b"",
        )
        self._on_message(email)
        return "250 Message accepted for delivery"


class SmtpSink:
    """An SMTP server on loopback that accepts every message and stores it.

    It offers no AUTH and no STARTTLS. The stored messages stay in memory until
    ``clear()``, and ``stop()`` keeps them, so they can be read after stopping.
    """

    def __init__(self, *, port: int | None = None, smtputf8: bool = True) -> None:
        self.host = LOOPBACK_HOST
        self.port = port if port is not None else free_port()
        # Whether the server offers SMTPUTF8, for addresses with non-ASCII characters.
        self.smtputf8 = smtputf8

        self._controller: Controller | None = None
        self._received: list[ReceivedEmail] = []
        self._arrived = threading.Condition()

    @property
    def messages(self) -> list[ReceivedEmail]:
        """A copy of the messages received so far, oldest first."""
        with self._arrived:
            return list(self._received)

    def start(self) -> Self:
        """Start the server thread and return once it accepts SMTP connections."""
        if self._controller is not None:
            raise RuntimeError(f"the SMTP sink on {self.host}:{self.port} is already started")

        # hostname must be given, because aiosmtpd's default comes from
        # get_localhost(), which can return ::1. server_hostname is the name in
        # the 220 greeting, and setting it skips a socket.getfqdn() lookup.
        controller = Controller(
            _RecordingHandler(self._record),
            hostname=self.host,
            port=self.port,
            server_hostname="localhost",
            enable_SMTPUTF8=self.smtputf8,
        )
        controller.start()
        self._controller = controller

        log.info("SMTP sink started on %s:%d", self.host, self.port)
        return self

    def stop(self) -> None:
        """Stop the server and join its thread. Does nothing if it is not running."""
        controller = self._controller
        if controller is None:
            return

        controller.stop()
        self._controller = None
        log.info("SMTP sink stopped on %s:%d", self.host, self.port)

    def clear(self) -> None:
        """Forget every message received so far."""
        with self._arrived:
            self._received.clear()

    def wait_for(self, count: int, timeout_seconds: float = 5.0) -> list[ReceivedEmail]:
        """Wait until at least ``count`` messages arrived and return all of them.

        Raises TimeoutError, naming how many arrived, after ``timeout_seconds``.
        """
        with self._arrived:
            arrived = self._arrived.wait_for(lambda: len(self._received) >= count, timeout_seconds)
            if not arrived:
                raise TimeoutError(
                    f"the SMTP sink on {self.host}:{self.port} received "
                    f"{len(self._received)} of {count} expected messages "
                    f"within {timeout_seconds} s"
                )
            return list(self._received)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def _record(self, email: ReceivedEmail) -> None:
        with self._arrived:
            self._received.append(email)
            self._arrived.notify_all()


__all__ = [
    "EmbeddedImapServer",
    "ReceivedEmail",
    "SmtpSink",
    "free_port",
]
