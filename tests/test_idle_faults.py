"""IDLE faults that real servers and networks produce: a broken response line, then a clean reconnect.

imapclient aborts with "unterminated line" when a server sends part of a
line during IDLE and the connection then drops. A scripted IMAP server on
loopback reproduces that on its first connection and behaves on the next;
the watcher must log the loss, reconnect, and wake the daemon so that mail
that arrived meanwhile is read.
"""

from __future__ import annotations

import logging
import socket
import socketserver
import threading

import pytest

from mailbot.config import MailboxSettings
from mailbot.embedded import free_port
from mailbot.watcher import IdleWatcher

CAPABILITIES = b"IMAP4rev1 IDLE UIDPLUS MOVE"


class ScriptedImapHandler(socketserver.StreamRequestHandler):
    """Speaks just enough IMAP for a login, a SELECT and IDLE; the first connection breaks mid-line during IDLE."""

    def handle(self) -> None:
        server: ScriptedImapServer = self.server  # type: ignore[assignment]
        with server.lock:
            server.connections += 1
            number = server.connections

        self.wfile.write(b"* OK [CAPABILITY " + CAPABILITIES + b"] scripted server ready\r\n")
        for line in self.rfile:
            tag, _, command = line.decode().strip().partition(" ")
            verb = command.split(" ", 1)[0].upper()
            if verb == "CAPABILITY":
                self.wfile.write(b"* CAPABILITY " + CAPABILITIES + b"\r\n" + tag.encode() + b" OK done\r\n")
            elif verb == "LOGIN":
                self.wfile.write(tag.encode() + b" OK [CAPABILITY " + CAPABILITIES + b"] logged in\r\n")
            elif verb in ("SELECT", "EXAMINE"):
                self.wfile.write(b"* 0 EXISTS\r\n* OK [UIDVALIDITY 7] ok\r\n" + tag.encode() + b" OK [READ-WRITE] selected\r\n")
            elif verb == "IDLE":
                self.wfile.write(b"+ idling\r\n")
                if number == 1:
                    # Part of a line, then the connection drops: the fault imapclient reports as unterminated.
                    self.wfile.write(b"* 1 EXIS")
                    self.wfile.flush()
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
            elif verb == "DONE" or tag.upper() == "DONE":
                self.wfile.write(server.idle_tag + b" OK idle done\r\n")
            elif verb == "LOGOUT":
                self.wfile.write(b"* BYE\r\n" + tag.encode() + b" OK bye\r\n")
                return
            else:
                self.wfile.write(tag.encode() + b" OK\r\n")
            if verb == "IDLE":
                server.idle_tag = tag.encode()


class ScriptedImapServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, port: int) -> None:
        super().__init__(("127.0.0.1", port), ScriptedImapHandler)
        self.lock = threading.Lock()
        self.connections = 0
        self.idle_tag = b"*"


@pytest.fixture
def scripted_server():
    server = ScriptedImapServer(free_port())
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_broken_line_during_idle_reconnects(scripted_server: ScriptedImapServer, caplog: pytest.LogCaptureFixture) -> None:
    settings = MailboxSettings(host="127.0.0.1", port=scripted_server.server_address[1], security="none", username="bot", password="secret")
    woken = threading.Event()
    watcher = IdleWatcher(settings, woken.set)

    with caplog.at_level(logging.INFO, logger="mailbot.watcher"):
        watcher.start()
        # The reconnect waits one second first, then wakes the daemon once it idles again.
        assert woken.wait(10), "the watcher did not reconnect and wake the daemon"
        watcher.stop()

    assert scripted_server.connections >= 2
    lost = [record.getMessage() for record in caplog.records if "IDLE connection to" in record.getMessage()]
    assert lost, "the lost connection was not logged"
    assert "reconnecting in 1 s" in lost[0]
    assert sum("IDLE on" in record.getMessage() for record in caplog.records) >= 2
