"""A TCP relay between opsync and the MariaDB server that a test can cut and restore: what a
network cut or a FAC server restart looks like from opsync's side (connections dropped, then
refused), with the real server behind it.
"""

import contextlib
import socket
import threading

from tests import backend


class Relay:
    """Listens on a port of its own and forwards each connection to the server.

    cut() closes the listening socket and every relayed connection: clients see their session
    lost, then new connections refused. restore() listens again, on the same port.
    """

    def __init__(self):
        self.port = free_port()
        self.listener: socket.socket | None = None
        self.pairs: list[tuple[socket.socket, socket.socket]] = []
        self.guard = threading.Lock()
        self.restore()

    def restore(self) -> None:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(16)
        self.listener = listener
        threading.Thread(target=self.accept, args=(listener,), daemon=True).start()

    def accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:  # cut
                return
            server = socket.create_connection((backend.MYSQL["host"], backend.MYSQL["port"]))
            with self.guard:
                self.pairs.append((client, server))
            for source, target in ((client, server), (server, client)):
                threading.Thread(target=pump, args=(source, target), daemon=True).start()

    def cut(self) -> None:
        with contextlib.suppress(OSError):
            self.listener.shutdown(socket.SHUT_RDWR)  # wakes the accept() in progress: close() alone would not
        self.listener.close()
        with self.guard:
            for pair in self.pairs:
                for end in pair:
                    close(end)
            self.pairs = []

    def close(self) -> None:
        self.cut()


def pump(source: socket.socket, target: socket.socket) -> None:
    with contextlib.suppress(OSError):  # either end closed
        while data := source.recv(65536):
            target.sendall(data)
    close(source)
    close(target)


def close(end: socket.socket) -> None:
    with contextlib.suppress(OSError):  # already closed by the other side
        end.shutdown(socket.SHUT_RDWR)
    end.close()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
