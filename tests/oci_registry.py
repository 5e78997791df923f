"""A real OCI registry on 127.0.0.1 (Debian's docker-registry, the CNCF distribution registry).

Images (emulator/oci_images.py) are pushed through the registry HTTP API (monolithic blob upload, then the manifest),
the way any client pushes, so what the registry serves is exactly what was built.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

from emulator.oci_images import Image, build_image, build_index, sha256

__all__ = ["Image", "Registry", "build_image", "build_index", "running_registry", "sha256"]

REGISTRY_BINARY = "docker-registry"
# Bypass HTTP(S)_PROXY: the registry is local.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def registry_binary() -> str | None:
    return shutil.which(REGISTRY_BINARY) or (f"/usr/bin/{REGISTRY_BINARY}" if Path(f"/usr/bin/{REGISTRY_BINARY}").exists() else None)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Registry:
    """A running registry; ``push`` puts an image (and an index's images first) under a repository and tag."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.host = f"127.0.0.1:{port}"
        self.url = f"http://{self.host}"

    def _request(self, method: str, url: str, data: bytes | None = None, headers: dict[str, str] | None = None):
        request = urllib.request.Request(url, data=data, method=method, headers=headers or {})
        return _OPENER.open(request, timeout=30)

    def push_blob(self, repository: str, blob: bytes) -> None:
        with self._request("POST", f"{self.url}/v2/{repository}/blobs/uploads/") as response:
            location = response.headers["Location"]
        if location.startswith("/"):
            location = self.url + location
        separator = "&" if "?" in location else "?"
        headers = {"Content-Type": "application/octet-stream"}
        self._request("PUT", f"{location}{separator}digest={sha256(blob)}", blob, headers).close()

    def push(self, repository: str, reference: str, image: Image) -> None:
        for child in image.children:
            self.push(repository, child.digest, child)
        for blob in image.blobs.values():
            self.push_blob(repository, blob)
        headers = {"Content-Type": image.media_type}
        self._request("PUT", f"{self.url}/v2/{repository}/manifests/{reference}", image.manifest, headers).close()

    def is_up(self) -> bool:
        try:
            with self._request("GET", f"{self.url}/v2/") as response:
                return response.status == 200
        except (urllib.error.URLError, OSError):
            return False


@contextlib.contextmanager
def running_registry(directory: Path, timeout: float = 30) -> Iterator[Registry]:
    """docker-registry serving ``directory`` on a free loopback port, without authentication."""
    binary = registry_binary()
    if binary is None:
        raise RuntimeError(f"{REGISTRY_BINARY} is not installed: run tools/install_test_servers.sh")
    port = _free_port()
    directory.mkdir(parents=True, exist_ok=True)
    config = directory / "config.yml"
    config.write_text(
        json.dumps(
            {
                "version": 0.1,
                "log": {"level": "error", "accesslog": {"disabled": True}},
                "storage": {"filesystem": {"rootdirectory": str(directory / "data")}},
                "http": {"addr": f"127.0.0.1:{port}"},
            }
        )
    )
    log = (directory / "registry.log").open("w")
    process = subprocess.Popen([binary, "serve", str(config)], stdout=log, stderr=subprocess.STDOUT)
    registry = Registry(port)
    try:
        deadline = time.monotonic() + timeout
        while not registry.is_up():
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"docker-registry did not start: {(directory / 'registry.log').read_text()[-2000:]}")
            time.sleep(0.1)
        yield registry
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()
