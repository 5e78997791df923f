"""ECR layer API: keep uploaded layer bytes, serve them by GetDownloadUrlForLayer, make PutImage content-addressed.

moto 5.2.5 implements the push half of ECR's layer API only in outline, so an image cannot be copied between
repositories the way ``cloudops.fargate.ecr_image`` (and ``docker pull``) does it:

* ``GetDownloadUrlForLayer`` raises NotImplementedError;
* ``CompleteLayerUpload`` keeps only the size of the uploaded bytes, and ignores the ``layerDigests`` it is given
  (ECR: ``InvalidLayerException`` when the bytes hash to another digest);
* ``PutImage`` stores whatever ``imageDigest`` it is given (ECR: ``ImageDigestDoesNotMatchException`` unless it is
  the sha256 of the manifest bytes) and, without one, invents a digest (a hash of the layer digests, or a random one
  out of 101 for a manifest list) instead of the sha256 of the manifest;
* ``PutImage`` accepts an image manifest whose config or layers the repository does not hold (ECR:
  ``LayersNotFoundException``).

This extension wraps ``ECRBackend.complete_layer_upload`` (check the digest, then keep the bytes on the repository, so
they go with it on DeleteRepository and moto's reset) and ``ECRBackend.put_image`` (digest = sha256 of the exact
manifest string, a given ``imageDigest`` checked against it; for Docker v2 and OCI image manifests the config and
layers must be layers uploaded into this repository or referenced by an image already in it, foreign and
non-distributable layers excepted), and implements ``ECRResponse.get_download_url_for_layer``.

The download URL points at the emulator itself: ``/moto-api/emulator/ecr-layers/<account>/<region>/<registry>/
<digest>/<repository>``. moto's dispatcher sends every ``/moto-api/`` path to its own API app, which it builds from
``moto.moto_api._internal.urls.url_paths`` when the first such request arrives (and in-process mocks read that table
on every request), so adding a route there serves the bytes without touching emulator/server.py; the request
counter leaves ``/moto-api/`` paths uncounted, as a pre-signed S3 GET is no ECR API call either. Under ``mock_aws``
the URL uses moto's in-process host ``motoapi.amazonaws.com`` (reachable with ``requests``, which moto intercepts).

As on ECR, a URL is only handed out for a layer an image in the repository refers to (``LayerInaccessibleException``
otherwise). Manifest lists and OCI indexes get the sha256 digest too, but their references are not checked
(ECR's ``ReferencedImagesNotFoundException`` stays unimplemented). Not modelled either: ``LayerAlreadyExistsException``,
``EmptyUploadException`` and the 5 MiB minimum part size.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from moto.core.exceptions import ServiceException
from moto.core.responses import ActionResult
from moto.ecr.exceptions import InvalidParameterException
from moto.ecr.models import ECRBackend, Repository, ecr_backends
from moto.ecr.responses import ECRResponse
from moto.moto_api._internal import urls as moto_api_urls

from emulator.extensions import _patching
from emulator.extensions._patching import Patch

DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
IMAGE_MANIFEST_MEDIA_TYPES = (DOCKER_MANIFEST, OCI_MANIFEST)

DOWNLOAD_PATH_PREFIX = "/moto-api/emulator/ecr-layers/"
# moto's url_paths syntax: "{0}" is the URL base; a named group becomes a Flask converter in server mode.
DOWNLOAD_ROUTE = "{0}" + DOWNLOAD_PATH_PREFIX + "(?P<layer_path>.+)$"
IN_PROCESS_BASE_URL = "http://motoapi.amazonaws.com"

DIGEST_PATTERN = re.compile(r"sha256:[a-f0-9]{64}")
ACCOUNT_PATTERN = re.compile(r"[0-9]{12}")
_BLOBS_ATTRIBUTE = "_emulator_layer_blobs"


class InvalidLayerException(ServiceException):
    code = "InvalidLayerException"


class LayersNotFoundException(ServiceException):
    code = "LayersNotFoundException"


class LayerInaccessibleException(ServiceException):
    code = "LayerInaccessibleException"


class ImageDigestDoesNotMatchException(ServiceException):
    code = "ImageDigestDoesNotMatchException"


# --- pure helpers ------------------------------------------------------------------------------------------


def sha256_digest(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def manifest_digest(manifest: str) -> str:
    """ECR's image digest: the sha256 of the manifest exactly as put (UTF-8)."""
    return sha256_digest(manifest.encode("utf-8"))


def is_image_manifest(document: Any, media_type: str | None) -> bool:
    """A Docker v2 schema 2 or OCI image manifest (not a manifest list or index), by its media type."""
    if not isinstance(document, dict):
        return False
    return (media_type or document.get("mediaType")) in IMAGE_MANIFEST_MEDIA_TYPES


def required_blobs(document: dict[str, Any]) -> list[str]:
    """The config and layer digests a registry must hold for an image manifest, in order, once each.

    Foreign and non-distributable layers (Windows base layers) live outside the registry, so they are left out.
    """
    descriptors = [document.get("config") or {}, *(document.get("layers") or [])]
    digests = []
    for descriptor in descriptors:
        if not isinstance(descriptor, dict) or not descriptor.get("digest"):
            continue
        media_type = str(descriptor.get("mediaType", ""))
        if "foreign" in media_type or "nondistributable" in media_type:
            continue
        digests.append(descriptor["digest"])
    return list(dict.fromkeys(digests))


def _parse(manifest: Any) -> Any:
    if not isinstance(manifest, str):
        return None
    try:
        return json.loads(manifest)
    except ValueError:
        return None


# --- what a repository holds -------------------------------------------------------------------------------


def layer_blobs(repository: Repository) -> dict[str, bytes]:
    """The bytes of the layers completed in ``repository``, by digest (kept on the repository object itself)."""
    return repository.__dict__.setdefault(_BLOBS_ATTRIBUTE, {})


def referenced_blobs(repository: Repository) -> set[str]:
    """Every config and layer digest that an image manifest in ``repository`` refers to."""
    found: set[str] = set()
    for image in repository.images:
        document = _parse(image.image_manifest)
        if is_image_manifest(document, image.image_manifest_media_type):
            found.update(required_blobs(document))
    return found


def available_blobs(repository: Repository) -> set[str]:
    """What PutImage may refer to: layers uploaded into the repository, or referenced by an image in it."""
    return set(repository.layers) | set(layer_blobs(repository)) | referenced_blobs(repository)


# --- CompleteLayerUpload -----------------------------------------------------------------------------------


def _complete_layer_upload_keeping_bytes(original: Any) -> Any:
    @functools.wraps(original)
    def complete_layer_upload(
        self: ECRBackend,
        repository_name: str,
        upload_id: str,
        layer_digests: list[str],
        registry_id: str | None = None,
    ) -> dict[str, Any]:
        repository = self._get_repository(repository_name, registry_id)
        upload = repository.uploads.get(upload_id)
        if upload is None:  # moto raises UploadNotFoundException
            return original(self, repository_name, upload_id, layer_digests, registry_id=registry_id)
        data = bytes(upload.layer_parts)
        received = sha256_digest(data)
        wrong = [digest for digest in layer_digests or [] if digest != received]
        if wrong:
            raise InvalidLayerException(
                f"The layer digest calculation performed by Amazon ECR upon receipt of the image layer ({received})"
                f" does not match the digest specified ({', '.join(wrong)})"
            )
        result = original(self, repository_name, upload_id, layer_digests, registry_id=registry_id)
        layer_blobs(repository)[result["layerDigest"]] = data
        return result

    return complete_layer_upload


# --- PutImage ----------------------------------------------------------------------------------------------


def _put_image_content_addressed(original: Any) -> Any:
    @functools.wraps(original)
    def put_image(
        self: ECRBackend,
        repository_name: str,
        image_manifest: str,
        image_tag: str,
        image_manifest_mediatype: str | None = None,
        digest: str | None = None,
    ) -> Any:
        repository = self.repositories.get(repository_name)
        document = _parse(image_manifest)
        if repository is None or document is None:  # moto's own errors for these
            return original(self, repository_name, image_manifest, image_tag, image_manifest_mediatype, digest)
        calculated = manifest_digest(image_manifest)
        if digest and digest != calculated:
            raise ImageDigestDoesNotMatchException(
                f"Provided digest {digest} does not match the digest {calculated} calculated for the image manifest"
            )
        if is_image_manifest(document, image_manifest_mediatype):
            available = available_blobs(repository)
            missing = [blob for blob in required_blobs(document) if blob not in available]
            if missing:
                raise LayersNotFoundException(
                    f"Layers with digests '[{', '.join(missing)}]' required for pushing image into repository with name"
                    f" '{repository_name}' in the registry with id '{repository.registry_id}' do not exist"
                )
        return original(self, repository_name, image_manifest, image_tag, image_manifest_mediatype, calculated)

    return put_image


# --- GetDownloadUrlForLayer and the URL it hands out -------------------------------------------------------


def base_url(full_url: str) -> str:
    """Where the caller reached moto: the emulator's own address, or moto's in-process API host under mock_aws."""
    parts = urlsplit(full_url)
    host = (parts.hostname or "").lower()
    if not host or host.endswith((".amazonaws.com", ".amazonaws.com.cn")):
        return IN_PROCESS_BASE_URL
    return f"{parts.scheme}://{parts.netloc}"


def download_url(base: str, account_id: str, region: str, registry_id: str, repository: str, digest: str) -> str:
    # The repository name comes last: it is the only part with slashes.
    return f"{base}{DOWNLOAD_PATH_PREFIX}{account_id}/{region}/{registry_id}/{digest}/{quote(repository, safe='/')}"


def parse_download_path(path: str) -> tuple[str, str, str, str, str] | None:
    """(account, region, registry, digest, repository) from a download URL's path, or None when it is not one."""
    if not path.startswith(DOWNLOAD_PATH_PREFIX):
        return None
    parts = [unquote(part) for part in path[len(DOWNLOAD_PATH_PREFIX) :].split("/", 4)]
    if len(parts) != 5 or not all(parts):
        return None
    account_id, region, registry_id, digest, repository = parts
    if not (ACCOUNT_PATTERN.fullmatch(account_id) and ACCOUNT_PATTERN.fullmatch(registry_id)):
        return None
    if not DIGEST_PATTERN.fullmatch(digest) or not re.fullmatch(r"[a-z0-9-]+", region):
        return None
    return account_id, region, registry_id, digest, repository


def download_url_for_layer(self: ECRResponse) -> ActionResult:
    """GetDownloadUrlForLayer, on ECRResponse (whose ``ecr_backend`` and request details it uses)."""
    repository_name = self._get_param("repositoryName")
    registry_id = self._get_param("registryId")
    digest = self._get_param("layerDigest")
    repository = self.ecr_backend._get_repository(repository_name, registry_id)
    if not isinstance(digest, str) or not DIGEST_PATTERN.fullmatch(digest):
        raise InvalidParameterException(f"Invalid parameter at 'layerDigest' failed to satisfy constraint: '{digest}'")
    blob = layer_blobs(repository).get(digest)
    referenced = digest in referenced_blobs(repository)
    known = blob is not None or digest in repository.layers or referenced
    if not known:
        raise LayersNotFoundException(
            f"The layer with digest '{digest}' does not exist in the repository with name '{repository_name}'"
            f" in the registry with id '{repository.registry_id}'"
        )
    if not referenced:
        raise LayerInaccessibleException(
            f"The layer with digest '{digest}' in the repository with name '{repository_name}' is not associated"
            " with an image"
        )
    if blob is None:  # referenced by an image put before this extension kept bytes
        raise LayersNotFoundException(
            f"The bytes of the layer with digest '{digest}' in the repository with name '{repository_name}'"
            " were never uploaded"
        )
    url = download_url(
        base_url(self.uri), self.current_account, self.region, repository.registry_id, repository_name, digest
    )
    return ActionResult({"downloadUrl": url, "layerDigest": digest})


def _get_download_url_for_layer(moto_stub: Any) -> Any:
    @functools.wraps(moto_stub)
    def get_download_url_for_layer(self: ECRResponse) -> ActionResult:
        return download_url_for_layer(self)

    return get_download_url_for_layer


def serve_layer(request: Any, full_url: str, headers: Any) -> tuple[int, dict[str, str], bytes | str]:
    """moto-api handler: the bytes behind a URL handed out by GetDownloadUrlForLayer."""
    found = parse_download_path(urlsplit(full_url).path)
    not_found = (404, {"Content-Type": "text/plain"}, f"no ECR layer at {urlsplit(full_url).path}")
    if found is None:
        return not_found
    account_id, region, registry_id, digest, repository_name = found
    try:
        backend = ecr_backends[account_id][region]
        repository = backend._get_repository(repository_name, registry_id)
    except Exception:  # unknown region or repository (moto raises several types)
        return not_found
    blob = layer_blobs(repository).get(digest)
    if blob is None:
        return not_found
    return 200, {"Content-Type": "application/octet-stream", "Content-Length": str(len(blob))}, blob


# --- install -----------------------------------------------------------------------------------------------


# ECRBackend is the one backend class of every account/region, so patching it covers them all.
PATCHES = (
    Patch(ECRBackend, "complete_layer_upload", _complete_layer_upload_keeping_bytes),
    Patch(ECRBackend, "put_image", _put_image_content_addressed),
    # moto's version only raises NotImplementedError; kept as __wrapped__ so tests can put it back.
    Patch(ECRResponse, "get_download_url_for_layer", _get_download_url_for_layer),
)


def _route_installed() -> bool:
    return _patching.is_ours(moto_api_urls.url_paths.get(DOWNLOAD_ROUTE), __name__)


def is_installed() -> bool:
    return _patching.installed(__name__, PATCHES) and _route_installed()


def install() -> None:
    _patching.install(__name__, PATCHES)
    # Before moto's server builds its /moto-api/ app (at the first such request), which emulator.server.build_app
    # guarantees by installing the extensions first.
    if not _route_installed():
        moto_api_urls.url_paths[DOWNLOAD_ROUTE] = _patching.mark(serve_layer, __name__)
