"""Is a TCP port free on localhost, and if not, who holds it (best effort, through psutil)."""

from __future__ import annotations

import errno
import logging
import socket

import psutil

logger = logging.getLogger(__name__)

_MAX_COMMAND = 160


def port_in_use(port: int) -> bool:
    """True if a server could not bind ``port`` on 127.0.0.1 / ::1 (``localhost``) right now."""
    for family, address in ((socket.AF_INET, "127.0.0.1"), (socket.AF_INET6, "::1")):
        try:
            probe = socket.socket(family, socket.SOCK_STREAM)
        except OSError:  # no IPv6 here
            continue
        with probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind((address, port))
            except OSError as exc:
                if exc.errno == errno.EADDRINUSE:
                    return True
                if exc.errno in (errno.EADDRNOTAVAIL, errno.EAFNOSUPPORT):
                    continue
                raise
    return False


def listening_pids(port: int) -> set[int | None]:
    """The pids of the processes with a TCP socket listening on ``port`` (None: a listener whose process
    cannot be seen, e.g. another user's when we are not root). Empty when nothing listens."""
    try:
        connections = psutil.net_connections(kind="tcp")
    except psutil.Error as exc:
        logger.debug("cannot list TCP sockets: %s", exc)
        return set()
    return {
        connection.pid
        for connection in connections
        if connection.status == psutil.CONN_LISTEN and connection.laddr and connection.laddr.port == port
    }


def port_owner(port: int) -> str | None:
    """``"pid 123 (java -Xmx512m ...)"`` for the process listening on ``port``, None if unknown."""
    for pid in sorted(pid for pid in listening_pids(port) if pid is not None):
        try:
            command = " ".join(psutil.Process(pid).cmdline())
        except psutil.Error:
            continue
        if len(command) > _MAX_COMMAND:
            command = command[: _MAX_COMMAND - 3] + "..."
        return f"pid {pid} ({command})"
    return None


def describe_busy_port(port: int) -> str:
    owner = port_owner(port)
    return f"port {port} is already in use by {owner}" if owner else f"port {port} is already in use"
