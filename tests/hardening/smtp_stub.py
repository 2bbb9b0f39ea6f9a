"""A mail server that refuses every message: it greets, answers EHLO, and rejects MAIL FROM with 554.

Hand-written (forty lines of socketserver) rather than adding aiosmtpd: the tests need a server that says no, not
one that receives mail.
"""

from __future__ import annotations

import socketserver
import threading
from collections.abc import Iterator
from contextlib import contextmanager


class _Refusing(socketserver.StreamRequestHandler):
    def handle(self) -> None:
        self.wfile.write(b"220 refusing.invalid ESMTP stub\r\n")
        for raw in self.rfile:
            verb = raw.decode("ascii", "replace").strip().split(" ", 1)[0].upper()
            if verb in {"EHLO", "HELO"}:
                self.wfile.write(b"250 refusing.invalid\r\n")
            elif verb == "MAIL":
                self.server.refusals += 1  # type: ignore[attr-defined]
                self.wfile.write(b"554 5.7.1 Message refused\r\n")
            elif verb == "QUIT":
                self.wfile.write(b"221 Bye\r\n")
                return
            elif verb in {"RSET", "NOOP"}:
                self.wfile.write(b"250 OK\r\n")
            else:
                self.wfile.write(b"503 Bad sequence of commands\r\n")


class RefusingSMTPServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    refusals = 0


@contextmanager
def refusing_smtp_server() -> Iterator[RefusingSMTPServer]:
    """A refusing server on a free port of 127.0.0.1 (`server.server_address[1]`), stopped afterwards."""
    server = RefusingSMTPServer(("127.0.0.1", 0), _Refusing)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
