"""Read the end of a service's console log for error messages."""

from __future__ import annotations

from pathlib import Path

_READ_BYTES = 64 * 1024


def log_tail(path: Path, lines: int = 20) -> str:
    """The last ``lines`` lines of ``path``, or a note saying it cannot be read."""
    try:
        with open(path, "rb") as handle:
            handle.seek(0, 2)
            size = handle.tell()
            handle.seek(max(0, size - _READ_BYTES))
            data = handle.read()
    except OSError as exc:
        return f"(no log at {path}: {exc.strerror})"
    text = data.decode("utf-8", errors="replace").rstrip("\n")
    if not text:
        return f"(log {path} is empty)"
    return "\n".join(text.splitlines()[-lines:])


def describe_log(path: Path, lines: int = 20) -> str:
    """A block for an error message: where the log is and its last lines."""
    return f"last {lines} lines of {path}:\n{log_tail(path, lines)}"
