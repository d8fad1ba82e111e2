"""Reading the scanned folder's files, and only those.

`licet scan` runs unattended on repositories strangers wrote, so every file it
reads from the scanned folder passes `read_inside` first:

- it must stay inside the folder: a symbolic link is followed only when the
  file it leads to is inside the folder too (`sub/bom.json -> ../bom.json`
  is read; `bom.json -> /etc/passwd` or `-> ../../x` is not);
- it must be a regular file: a named pipe (FIFO) would block the scan, a
  device (`/dev/zero`, `/dev/urandom`) never ends, a socket or a folder holds
  no text. The kind is checked with `stat` before the file is opened, and the
  file is opened with O_NONBLOCK (and O_NOFOLLOW on the resolved path, so a
  link swapped in meanwhile is refused), then checked again on the open file;
- it is read up to a stated size, never further:
  `MAX_TEXT_BYTES` (1 MiB) for what people write (model cards, policies,
  pyproject.toml, requirements files): the largest real ones (Hub cards with
  long evaluation tables, pip-compile output with hashes for a few hundred
  packages) are a few hundred KB; `MAX_DOCUMENT_BYTES` (16 MiB) for what tools
  write and grows with the number of dependencies (CycloneDX and SPDX JSON,
  uv.lock, poetry.lock, a distribution's METADATA): a BOM of a large container
  image with some ten thousand components is a few MB. Both bound the memory a
  file can take (its text and its parsed form) to a small multiple of the cap.

A file that fails a check raises `SkippedFile` (a `ScanError`, so where it is
not caught it is an exit-2 error naming the file and why). The readers catch
it for files that list components and report it as a `skipped-file` warning
instead (`Gathering.skip`); files the user names on the command line are the
user's choice and are read wherever they are (`root=None`), still only when
they are regular files within the caps.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

from ..errors import LicetError
from ..inputs import size_text

MAX_TEXT_BYTES = 1 << 20  # 1 MiB: cards, policies, pyproject.toml, requirements files
MAX_DOCUMENT_BYTES = 16 << 20  # 16 MiB: SBOMs, lock files, distribution METADATA

LIMITS_TEXT = "cards, policies and requirements up to 1 MiB; SBOMs, lock files and metadata up to 16 MiB"
SKIPPED_HINTS = {
    "licet.scan.outside": "licet scan reads only files inside the scanned folder; put the file itself in the folder, or name it on the "
                          "command line",
    "licet.scan.not-a-file": "licet scan reads only regular files; a pipe or a device could block it or never end",
    "licet.scan.too-large": f"licet scan reads files up to a size ({LIMITS_TEXT}), which bounds the time and memory one file "
                            "can take; split the file, or leave out of it what is not shipped",
}
SKIPPED_HINT = f"licet scan reads only regular files inside the scanned folder ({LIMITS_TEXT})"


class ScanError(LicetError):
    """A repository file licet scan reads that is malformed or unreadable."""

    default_code = "licet.scan.invalid"


class SkippedFile(ScanError):
    """A file the scan does not read: outside the folder, not a regular file, or too large."""

    default_code = "licet.scan.skipped"

    def __init__(self, display: str, reason: str, *, code: str) -> None:
        super().__init__(f"not read: {reason}", code=code, file=display, hint=SKIPPED_HINTS.get(code, SKIPPED_HINT))
        self.display = display
        self.reason = reason


def json_type(value: Any, mapping: str = "an object") -> str:
    """What a JSON, YAML or TOML value is, for a message: 'a string', 'an array'...
    (`mapping` names a dict: 'an object' in JSON, 'a table' in TOML)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return mapping
    return "a date or time"  # TOML's other values


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISDIR(mode):
        return "a folder"
    return "not a regular file"


def real_root(root: Path) -> Path:
    """The scanned folder with every symbolic link resolved: what "inside" means."""
    return root.resolve()


def outside_reason(root: Path, path: Path) -> str | None:
    """Why `path` (a file or folder under `root`) does not stay inside `root`
    once links are followed; None when it does (or does not exist)."""
    try:
        resolved = path.resolve(strict=True)
    except FileNotFoundError:
        if os.path.islink(path):
            return _link_text(path) + ", which leads nowhere"
        return None
    except (OSError, RuntimeError):
        return "it is a symbolic link that loops"
    if resolved.is_relative_to(real_root(root)):
        return None
    if os.path.islink(path):
        return _link_text(path) + ", outside the scanned folder"
    return "it is outside the scanned folder" + (" (through a symbolic link)" if _lexically_inside(root, path) else "")


def _lexically_inside(root: Path, path: Path) -> bool:
    try:
        Path(os.path.abspath(path)).relative_to(os.path.abspath(root))
    except ValueError:
        return False
    return True


def _link_text(path: Path) -> str:
    try:
        return f"it is a symbolic link to '{os.readlink(path)}'"
    except OSError:  # pragma: no cover - a link that vanished meanwhile
        return "it is a symbolic link"


def check_file(path: Path, display: str, *, root: Path | None, limit: int) -> tuple[Path, os.stat_result]:
    """The resolved path and stat of a file `read_inside` may read; else `SkippedFile`."""
    if root is not None:
        why = outside_reason(root, path)
        if why is not None:
            raise SkippedFile(display, why, code="licet.scan.outside")
    try:
        resolved = path.resolve(strict=True)
        info = os.stat(resolved)
    except FileNotFoundError:
        raise ScanError("file not found", code="licet.scan.not-found", file=display, hint="check the path") from None
    except (OSError, RuntimeError) as err:
        raise SkippedFile(display, f"it cannot be examined ({_os_reason(err)})", code="licet.scan.unreadable") from None
    if not stat.S_ISREG(info.st_mode):
        raise SkippedFile(display, f"it is {_kind(info.st_mode)}, not a regular file", code="licet.scan.not-a-file")
    if info.st_size > limit:
        raise SkippedFile(display, f"it is {size_text(info.st_size)}, over the {size_text(limit)} licet reads of such a file",
                          code="licet.scan.too-large")
    return resolved, info


def read_bytes_inside(path: Path, display: str, *, root: Path | None, limit: int) -> bytes:
    """The bytes of a regular file inside `root` (anywhere when `root` is None), at most `limit` of them."""
    resolved, info = check_file(path, display, root=root, limit=limit)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(resolved, flags)
    except OSError as err:
        raise SkippedFile(display, f"it cannot be opened ({_os_reason(err)})", code="licet.scan.unreadable") from None
    try:
        opened = os.fstat(fd)
        if not stat.S_ISREG(opened.st_mode) or (opened.st_dev, opened.st_ino) != (info.st_dev, info.st_ino):
            raise SkippedFile(display, "it changed while licet was opening it", code="licet.scan.not-a-file")
        chunks: list[bytes] = []
        left = limit + 1
        while left > 0:
            chunk = os.read(fd, min(left, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
    except OSError as err:
        raise SkippedFile(display, f"it cannot be read ({_os_reason(err)})", code="licet.scan.unreadable") from None
    finally:
        os.close(fd)
    data = b"".join(chunks)
    if len(data) > limit:
        raise SkippedFile(display, f"it grew past the {size_text(limit)} licet reads of such a file", code="licet.scan.too-large")
    return data


def read_inside(path: Path, display: str, *, root: Path | None, limit: int) -> str:
    """The text of a regular file inside `root` (anywhere when `root` is
    None: a path the user gave), read as UTF-8 with universal newlines, as
    `Path.read_text` reads it. A file licet must not read raises
    `SkippedFile`; one that is not UTF-8 a `ScanError`."""
    data = read_bytes_inside(path, display, root=root, limit=limit)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise ScanError(f"cannot read: {err}", code="licet.scan.unreadable", file=display, hint="the file must be readable UTF-8 text") from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def exists(path: Path) -> bool:
    """Whether anything is at `path`, a dangling link, a pipe or a device
    included: those are reported, not passed over as absent."""
    return os.path.lexists(path)


def _os_reason(err: BaseException) -> str:
    return err.strerror if isinstance(err, OSError) and err.strerror else type(err).__name__
