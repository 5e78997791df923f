# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""An image in an OCI registry outside ECR, read through the registry HTTP API with oras-py.

cloudops.fargate.ecr_image copies such an image into an ECR repository: the manifest (or the one an index
names for a platform) and its blobs are read here, byte for byte, and written with ECR's own API, so the
image keeps its digest. oras-py handles the registry's authentication: anonymous bearer tokens (Docker
Hub, Amazon ECR Public, GHCR), a user name and password exchanged for a token, or the credentials
``docker login`` left in the Docker configuration.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

from ansible_collections.cloudops.fargate.plugins.module_utils._common import AWSActionError

try:
    import oras.container
    import oras.provider
    import requests
except ImportError:  # reported by the module, which needs it only for source_image
    HAS_ORAS = False
else:
    HAS_ORAS = True

DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
DOCKER_MANIFEST_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
ACCEPTED_MEDIA_TYPES = [DOCKER_MANIFEST, DOCKER_MANIFEST_LIST, OCI_MANIFEST, OCI_INDEX]
INDEX_MEDIA_TYPES = (DOCKER_MANIFEST_LIST, OCI_INDEX)

# Docker Hub serves the registry API on another host than its name.
_DOCKER_HUB_NAMES = ("docker.io", "index.docker.io", "registry.hub.docker.com")
_DOCKER_HUB_API = "registry-1.docker.io"
# registry/name[:tag][@sha256:digest]; the registry part has a dot or a port, or is localhost.
_REFERENCE = re.compile(
    r"(?:(?P<registry>(?:[a-zA-Z0-9-]+(?:\.[a-zA-Z0-9-]+)+|localhost|\[[0-9a-fA-F:]+\])(?::[0-9]+)?)/)?"
    r"(?P<name>[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*)"
    r"(?::(?P<tag>[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}))?"
    r"(?:@(?P<digest>sha256:[a-f0-9]{64}))?"
)
PLATFORM = re.compile(r"(?P<os>[a-z0-9]+)/(?P<architecture>[a-z0-9_]+)(?:/(?P<variant>[a-z0-9]+))?")


def parse_reference(reference: str) -> dict[str, str | None] | None:
    """``{registry, name, tag, digest}`` of an image reference, as docker reads it; None when it is not one.

    A name without a registry is on Docker Hub, under ``library/`` when it has no namespace; a reference with
    neither tag nor digest means ``latest``.
    """
    match = _REFERENCE.fullmatch(reference or "")
    if not match:
        return None
    parts = match.groupdict()
    registry = parts["registry"] or "docker.io"
    name = parts["name"]
    if registry in _DOCKER_HUB_NAMES:
        registry = "docker.io"
        if "/" not in name:
            name = f"library/{name}"
    if not parts["tag"] and not parts["digest"]:
        parts["tag"] = "latest"
    return {"registry": registry, "name": name, "tag": parts["tag"], "digest": parts["digest"]}


def reference_errors(reference: str | None, platform: str | None) -> list[str]:
    errors = []
    if reference is not None and parse_reference(reference) is None:
        errors.append(
            f"source_image {reference!r} is not an image reference: registry/repository[:tag][@sha256:<64 hex digits>]"
        )
    if platform is not None and not PLATFORM.fullmatch(platform):
        errors.append(f"platform {platform!r} is not os/architecture[/variant], e.g. linux/amd64 or linux/arm64")
    return errors


def select_platform(index: dict[str, Any], platform: str) -> dict[str, Any] | None:
    """The descriptor of the index entry for ``platform`` (os/architecture[/variant]); None when it has none.

    Attestation manifests (``unknown/unknown``) never match; without a variant in ``platform`` the first entry
    of that os and architecture wins, as docker pulls it.
    """
    wanted = PLATFORM.fullmatch(platform).groupdict()
    for entry in index.get("manifests") or []:
        found = entry.get("platform") or {}
        if found.get("os") != wanted["os"] or found.get("architecture") != wanted["architecture"]:
            continue
        if wanted["variant"] and found.get("variant") != wanted["variant"]:
            continue
        return entry
    return None


def index_platforms(index: dict[str, Any]) -> list[str]:
    platforms = []
    for entry in index.get("manifests") or []:
        found = entry.get("platform") or {}
        if found.get("os") and found.get("os") != "unknown":
            platforms.append("/".join(p for p in (found["os"], found.get("architecture"), found.get("variant")) if p))
    return platforms


class OciSource:
    """One image of an OCI registry: its manifests by tag or digest and its blobs, with their bytes intact."""

    def __init__(
        self, reference: str, *, insecure: bool = False, username: str | None = None, password: str | None = None
    ) -> None:
        parts = parse_reference(reference)
        self.reference = reference
        self.tag = parts["tag"]
        self.digest = parts["digest"]
        host = _DOCKER_HUB_API if parts["registry"] == "docker.io" else parts["registry"]
        self.repository = f"{parts['registry']}/{parts['name']}"
        self._container = oras.container.Container(parts["name"], registry=host)
        self._registry = oras.provider.Registry(hostname=host, insecure=insecure, auth_backend="token")
        self._scheme = "http" if insecure else "https"
        if username:
            self._registry.auth.set_basic_auth(username, password or "")

    def _request(self, url: str, what: str, **kwargs: Any):
        try:
            return self._registry.do_request(url, "GET", **kwargs)
        except (requests.RequestException, ValueError, OSError) as e:
            raise AWSActionError(f"Cannot read {what} from {self.repository}: {e}") from e

    def manifest(self, tag_or_digest: str) -> dict[str, Any]:
        """The manifest exactly as the registry serves it: ``{repository, registry_id, digest, manifest, media_type}``
        (registry_id None: not an ECR registry)."""
        what = f"the manifest {tag_or_digest}"
        url = f"{self._scheme}://{self._container.manifest_url(tag_or_digest)}"
        response = self._request(url, what, headers={"Accept": ", ".join(ACCEPTED_MEDIA_TYPES)})
        if response.status_code == 404:
            raise AWSActionError(f"Source image {self.repository}:{tag_or_digest} not found ({self.reference})")
        if response.status_code in (401, 403):
            raise AWSActionError(
                f"The registry refused access to {self.repository}:{tag_or_digest} (HTTP {response.status_code}):"
                " give source_registry_username and source_registry_password, or log in with docker first"
            )
        if response.status_code != 200:
            raise AWSActionError(
                f"Cannot read {what} from {self.repository}: HTTP {response.status_code} {response.text[:200]}"
            )
        body = response.content
        digest = "sha256:" + hashlib.sha256(body).hexdigest()
        if tag_or_digest.startswith("sha256:") and digest != tag_or_digest:
            raise AWSActionError(f"{self.repository} served a manifest hashing to {digest} for {tag_or_digest}")
        manifest = body.decode("utf-8")
        media_type = response.headers.get("Content-Type", "").split(";")[0].strip() or None
        if media_type not in ACCEPTED_MEDIA_TYPES:
            media_type = json.loads(manifest).get("mediaType")
        return {
            "repository": self.repository,
            "registry_id": None,
            "requested_registry_id": None,
            "digest": digest,
            "manifest": manifest,
            "media_type": media_type,
            "origin": self,
        }

    def open_blob(self, digest: str):
        """A stream of the blob's bytes as stored (no content decoding); close it when done."""
        url = f"{self._scheme}://{self._container.get_blob_url(digest)}"
        response = self._request(url, f"blob {digest}", stream=True)
        if response.status_code != 200:
            response.close()
            raise AWSActionError(f"Cannot read blob {digest} from {self.repository}: HTTP {response.status_code}")
        return _ClosingRaw(response)

    def read_blob(self, digest: str) -> bytes:
        with self.open_blob(digest) as stream:
            return stream.read()


class _ClosingRaw:
    """The undecoded body of a streamed response, closing the response at the end of a ``with``."""

    def __init__(self, response) -> None:
        self._response = response

    def read(self, size: int = -1) -> bytes:
        try:
            return self._response.raw.read(None if size < 0 else size, decode_content=False)
        except Exception as e:  # urllib3's errors do not derive from OSError; the caller reports OSError
            raise OSError(f"reading the blob failed: {e}") from e

    def __enter__(self) -> _ClosingRaw:
        return self

    def __exit__(self, *_exc: object) -> None:
        self._response.close()
