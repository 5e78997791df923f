"""What reached an EFS file system: an in-memory tree of files and directories per file system, and a read route.

Nothing in moto models the data on an EFS file system. Extensions that write to one (``datasync_efs``) keep it here,
and tests and tools read it back through the emulator:

* ``GET /moto-api/emulator/efs-content/<account>/<region>/<fs-id>?path=/sub/dir``: a JSON object mapping the path of
  every file under ``path`` (recursively, absolute in the file system) to ``{size, sha256, mode, uid, gid, mtime}``;
  ``path`` defaults to ``/``; 404 when the file system is unknown or ``path`` is not a directory there;
* ``GET /moto-api/emulator/efs-content/<account>/<region>/<fs-id>/file?path=/sub/dir/name``: the file's bytes, 404
  when there is none.

The tree is kept on moto's ``FileSystem`` object itself, so it goes with the file system when DeleteFileSystem
succeeds and with the whole backend when moto resets (``/moto-api/reset`` recreates the backends), as ECR layer bytes
do in ``emulator/extensions/ecr_layers.py``. Every read and write holds the tree's lock. Readers first call the
hooks registered with ``before_read`` (``datasync_efs`` finishes the transfers whose time has come) through
``run_read_hooks``, so what the route shows is what AWS would have written by then.

The route is added to moto's ``/moto-api/`` table (``install_route()``, called by the extension that writes here):
moto's dispatcher builds its API app from that table at the first such request, after the extensions are installed.
"""

from __future__ import annotations

import hashlib
import json
import posixpath
import re
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from moto.efs.models import efs_backends
from moto.moto_api._internal import urls as moto_api_urls

from emulator.extensions import _patching

ROUTE_PREFIX = "/moto-api/emulator/efs-content/"
ROUTE = "{0}" + ROUTE_PREFIX + "(?P<content_path>.+)$"
ROUTE_OWNER = __name__
DEFAULT_UID = DEFAULT_GID = 65534  # "nobody": DataSync's default POSIX owner
DEFAULT_DIRECTORY_MODE = 0o755
_ATTRIBUTE = "_emulator_efs_content"  # on moto's FileSystem, whose info_json lists its fields by name
_ACCOUNT = re.compile(r"[0-9]{12}")
_REGION = re.compile(r"[a-z0-9-]+")
_FILE_SYSTEM = re.compile(r"fs-[0-9a-f]{8,40}")
_attach_lock = threading.Lock()
_read_hooks: list[Callable[[], None]] = []


class PathError(ValueError):
    """A path that is not absolute, or climbs out of the file system."""


def normalise(path: str) -> str:
    """``path`` as an absolute, normalised POSIX path (``/`` for the root)."""
    if not isinstance(path, str) or not path.startswith("/"):
        raise PathError(f"not an absolute path: {path!r}")
    if any(part == ".." for part in path.split("/")):
        raise PathError(f"path climbs out of the file system: {path!r}")
    normal = posixpath.normpath(path)
    return "/" if normal in ("/", "//") else normal


def join(*parts: str) -> str:
    """Absolute paths joined as a file system does: ``join('/ap', '/sub', 'a/b')`` is ``/ap/sub/a/b``."""
    return normalise("/" + "/".join(part.strip("/") for part in parts if part and part.strip("/")))


def is_under(path: str, directory: str) -> bool:
    return directory == "/" or path == directory or path.startswith(directory.rstrip("/") + "/")


@dataclass
class FileEntry:
    data: bytes
    mode: int
    uid: int
    gid: int
    mtime: float

    @property
    def size(self) -> int:
        return len(self.data)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    def describe(self) -> dict[str, Any]:
        return {
            "size": self.size,
            "sha256": self.sha256,
            "mode": f"{self.mode:04o}",
            "uid": self.uid,
            "gid": self.gid,
            "mtime": self.mtime,
        }


@dataclass
class DirectoryEntry:
    mode: int
    uid: int
    gid: int


class Content:
    """One file system's files and directories, by absolute path. The root directory always exists."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.files: dict[str, FileEntry] = {}
        self.directories: dict[str, DirectoryEntry] = {"/": DirectoryEntry(DEFAULT_DIRECTORY_MODE, 0, 0)}

    def is_directory(self, path: str) -> bool:
        with self.lock:
            return normalise(path) in self.directories

    def make_directories(self, path: str, mode: int = DEFAULT_DIRECTORY_MODE, uid: int = 0, gid: int = 0) -> None:
        """``mkdir -p``: every missing directory on the way gets ``mode``, ``uid`` and ``gid``."""
        path = normalise(path)
        with self.lock:
            if path in self.files:
                raise PathError(f"{path} is a file")
            missing = []
            while path not in self.directories:
                missing.append(path)
                path = posixpath.dirname(path)
            for directory in reversed(missing):
                if directory in self.files:
                    raise PathError(f"{directory} is a file")
                self.directories[directory] = DirectoryEntry(mode, uid, gid)

    def write(self, path: str, data: bytes, mode: int, uid: int, gid: int, mtime: float | None = None) -> None:
        path = normalise(path)
        with self.lock:
            if path in self.directories:
                raise PathError(f"{path} is a directory")
            self.make_directories(posixpath.dirname(path), uid=uid, gid=gid)
            self.files[path] = FileEntry(bytes(data), mode & 0o7777, uid, gid, time.time() if mtime is None else mtime)

    def read(self, path: str) -> FileEntry | None:
        with self.lock:
            return self.files.get(normalise(path))

    def remove(self, path: str) -> bool:
        """Remove a file, or an empty directory; False when there is neither."""
        path = normalise(path)
        with self.lock:
            if self.files.pop(path, None) is not None:
                return True
            if path != "/" and path in self.directories and not any(self.entries_under(path)):
                del self.directories[path]
                return True
            return False

    def entries_under(self, directory: str) -> Iterator[str]:
        """Every file and directory strictly below ``directory``."""
        directory = normalise(directory)
        with self.lock:
            for path in [*self.files, *self.directories]:
                if path != directory and is_under(path, directory):
                    yield path

    def files_under(self, directory: str) -> dict[str, FileEntry]:
        directory = normalise(directory)
        with self.lock:
            return {path: entry for path, entry in self.files.items() if is_under(path, directory)}

    def directories_under(self, directory: str) -> dict[str, DirectoryEntry]:
        directory = normalise(directory)
        with self.lock:
            return {
                path: entry
                for path, entry in self.directories.items()
                if path != directory and is_under(path, directory)
            }

    def listing(self, directory: str = "/") -> dict[str, dict[str, Any]]:
        return {path: entry.describe() for path, entry in sorted(self.files_under(directory).items())}


# --------------------------------------------------------------------------- where the content lives


def file_system_of(account_id: str, region: str, file_system_id: str) -> Any:
    """moto's FileSystem, or None when the account, Region or file system is unknown."""
    try:
        backend = efs_backends[account_id][region]
    except Exception:  # an unknown Region: moto raises several types
        return None
    return backend.file_systems_by_id.get(file_system_id)


def content_of_file_system(file_system: Any) -> Content:
    with _attach_lock:
        content = file_system.__dict__.get(_ATTRIBUTE)
        if content is None:
            content = file_system.__dict__[_ATTRIBUTE] = Content()
        return content


def content(account_id: str, region: str, file_system_id: str) -> Content | None:
    """The content of a file system that exists; None otherwise (a deleted file system's content is gone)."""
    file_system = file_system_of(account_id, region, file_system_id)
    return None if file_system is None else content_of_file_system(file_system)


def before_read(hook: Callable[[], None]) -> None:
    """Run ``hook`` before every read through the route (once per hook, however often it is registered)."""
    if hook not in _read_hooks:
        _read_hooks.append(hook)


def run_read_hooks() -> None:
    """What every reader calls first (the route, ``ecs_service_deployments``): writes whose time has come happen."""
    for hook in list(_read_hooks):
        hook()


# --------------------------------------------------------------------------- the read route


def _answer(status: int, payload: Any) -> tuple[int, dict[str, str], str]:
    return status, {"Content-Type": "application/json"}, json.dumps(payload)


def serve(request: Any, full_url: str, headers: Any) -> tuple[int, dict[str, str], bytes | str]:
    """moto-api handler for the listing and file routes."""
    parts = urlsplit(full_url)
    rest = [unquote(part) for part in parts.path[len(ROUTE_PREFIX) :].strip("/").split("/")]
    query = parse_qs(parts.query)
    wanted = query.get("path", ["/"])[0] or "/"
    if len(rest) not in (3, 4) or (len(rest) == 4 and rest[3] != "file"):
        return _answer(404, {"error": f"no such route: {parts.path}"})
    account_id, region, file_system_id = rest[:3]
    if not (_ACCOUNT.fullmatch(account_id) and _REGION.fullmatch(region) and _FILE_SYSTEM.fullmatch(file_system_id)):
        return _answer(404, {"error": f"no such file system: {'/'.join(rest[:3])}"})
    run_read_hooks()
    found = content(account_id, region, file_system_id)
    if found is None:
        return _answer(404, {"error": f"no file system {file_system_id} in {account_id}/{region}"})
    try:
        path = normalise(wanted)
    except PathError as error:
        return _answer(400, {"error": str(error)})
    if len(rest) == 4:
        entry = found.read(path)
        if entry is None:
            return _answer(404, {"error": f"no file {path} on {file_system_id}"})
        return 200, {"Content-Type": "application/octet-stream", "Content-Length": str(entry.size)}, entry.data
    if not found.is_directory(path):
        return _answer(404, {"error": f"no directory {path} on {file_system_id}"})
    return _answer(200, found.listing(path))


def route_installed() -> bool:
    return _patching.is_ours(moto_api_urls.url_paths.get(ROUTE), ROUTE_OWNER)


def install_route() -> None:
    """Serve the read route (idempotent); before moto builds its /moto-api/ app at the first such request."""
    if not route_installed():
        moto_api_urls.url_paths[ROUTE] = _patching.mark(serve, ROUTE_OWNER)
