"""Applying fixes to text, and writing files so that a crash never leaves half a file.

Fixes whose edits overlap an already accepted fix are skipped in this round; the fix loop in
``engine`` re-lints and tries them again on the new text.
"""
from __future__ import annotations

import os
import re
import stat
import tempfile
from typing import Iterable, List, Set, Tuple

from .findings import Edit, Fix


def _overlaps(a: Edit, b: Edit) -> bool:
    if (a.start, a.end, a.content) == (b.start, b.end, b.content):
        return False  # the same edit from two findings of one request
    if a.start == a.end == b.start == b.end:
        return True  # two insertions at one point: order would matter
    return a.start < b.end and b.start < a.end or (a.start == b.start and a.end == b.end)


def apply_fixes(text: str, fixes: Iterable[Fix]) -> Tuple[str, List[Fix]]:
    """Applies every fix that does not collide with one accepted before it."""
    accepted: List[Edit] = []
    applied: List[Fix] = []
    for fix in sorted(fixes, key=lambda f: min((e.start for e in f.edits), default=0)):
        if not fix.edits or any(_overlaps(edit, other) for edit in fix.edits for other in accepted):
            continue
        accepted.extend(edit for edit in fix.edits if edit not in accepted)
        applied.append(fix)
    return apply_edits(text, accepted), applied


def apply_edits(text: str, edits: Iterable[Edit]) -> str:
    unique = sorted({(e.start, e.end, e.content) for e in edits}, reverse=True)
    for start, end, content in unique:
        text = text[:start] + content + text[end:]
    return text


TEMPORARY_PREFIX = ".imslint-"
_TEMPORARY = re.compile(r"\.imslint-([0-9]+)-[A-Za-z0-9_]+\.tmp")
_swept: Set[str] = set()


def _sweep(directory: str) -> None:
    """Removes the temporary files of killed imslint runs from ``directory`` (once a process).

    Only names ``write_atomically`` makes are touched, and only when the process that made one
    is gone: a temporary file of a run still going belongs to it. Without process ids to check
    (not POSIX) nothing is removed.
    """
    if directory in _swept or os.name != "posix":
        return
    _swept.add(directory)
    try:
        names = os.listdir(directory)
    except OSError:
        return
    for name in names:
        match = _TEMPORARY.fullmatch(name)
        if match and not _running(int(match.group(1))):
            try:
                os.unlink(os.path.join(directory, name))
            except OSError:
                pass


def _running(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)  # signal 0: sends nothing, only asks whether the process exists
    except ProcessLookupError:
        return False
    except OSError:  # exists, another user's; or cannot tell: leave its file alone
        return True
    return True


class NotFixed(Exception):
    """imslint left the file as it was; the message says why."""


class FileChanged(NotFixed):
    """The file changed on disk after imslint read it; it was not overwritten."""


class Refused(NotFixed):
    """Writing the file would damage it or what shares it: a link, its owner."""


def write_atomically(path: str, data: bytes, expected: bytes) -> None:
    """Replaces ``path`` with ``data`` unless its content is no longer ``expected``.

    The new content goes to a temporary file in the same directory (same file system), is
    flushed to disk, takes the original's owner, group and mode bits, and then replaces the
    original in one ``os.replace``: readers see the old file or the new one, never a mix.

    What a replacement cannot keep is refused (``Refused``), never damaged: a symbolic link
    (the caller passes the file it points to), a file with other hard links (a new file would
    split them), and an owner or group this process cannot give the new file.
    """
    directory = os.path.dirname(os.path.abspath(path))
    status = os.lstat(path)
    if stat.S_ISLNK(status.st_mode):
        raise Refused("it is a symbolic link, and replacing it would turn it into a plain file")
    if not stat.S_ISREG(status.st_mode):
        raise Refused("it is not a regular file")
    if status.st_nlink > 1:
        raise Refused(
            f"it has {status.st_nlink} hard links, and writing it safely (a new file renamed over it)"
            " would split them; `imslint fix --diff` shows the change to make"
        )
    mode = stat.S_IMODE(status.st_mode)
    if not mode & stat.S_IWUSR:
        raise PermissionError(f"{path} is read-only; not fixed")
    _sweep(directory)
    # The name carries our process id, so a later run can tell a temporary file whose writer
    # was killed (SIGKILL, power loss) from one another run is still writing (``_sweep``).
    handle, temporary = tempfile.mkstemp(prefix=f"{TEMPORARY_PREFIX}{os.getpid()}-", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        _keep_owner(temporary, status)  # before chmod: a change of owner clears set-id bits
        os.chmod(temporary, mode)
        with open(path, "rb") as current:
            if current.read() != expected:
                raise FileChanged(f"{path} changed while imslint was fixing it; left as it is now")
        os.replace(temporary, path)
    except BaseException:
        try:
            os.unlink(temporary)
        except FileNotFoundError:
            pass
        raise


def _keep_owner(temporary: str, original: os.stat_result) -> None:
    """Gives ``temporary`` the owner and group of ``original``, or refuses (see ``Refused``)."""
    if not hasattr(os, "chown"):  # pragma: no cover - not POSIX: no owners to keep
        return
    made = os.stat(temporary)
    if (made.st_uid, made.st_gid) == (original.st_uid, original.st_gid):
        return
    try:
        os.chown(temporary, original.st_uid, original.st_gid)
    except PermissionError:
        raise Refused(
            f"it belongs to {_owner(original.st_uid, original.st_gid)}, and imslint, running as"
            f" {_owner(made.st_uid, made.st_gid)}, cannot give a rewritten file that owner and group"
        ) from None


def _owner(uid: int, gid: int) -> str:
    """``user:group`` by name where the system knows them, else by number."""
    try:
        import grp
        import pwd
    except ImportError:  # pragma: no cover - not POSIX
        return f"{uid}:{gid}"
    try:
        user = pwd.getpwuid(uid).pw_name
    except KeyError:
        user = str(uid)
    try:
        group = grp.getgrgid(gid).gr_name
    except KeyError:
        group = str(gid)
    return f"{user}:{group}"
