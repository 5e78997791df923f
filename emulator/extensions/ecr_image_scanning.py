"""ECR basic image scanning: scan on push, a scan that takes time, and the scan's status in DescribeImages.

What AWS does:

* A repository whose ``imageScanningConfiguration.scanOnPush`` is true ("If set to true, images will be scanned after
  being pushed", ImageScanningConfiguration in the ECR API reference), or that a BASIC registry scanning rule sets to
  ``SCAN_ON_PUSH`` (ECR user guide, "Filters to choose which repositories are scanned"), scans every image pushed into
  it, tagged or not. StartImageScan: "A basic image scan can only be started once per 24 hours on an individual image.
  This limit includes if an image was scanned on initial push" (ECR API reference; user guide "Manually scanning an
  image for OS vulnerabilities": "The 24 hours includes the initial scan on push").
* Image indexes and manifest lists are not scanned: StartImageScan answers ``UnsupportedImageTypeException`` ("The
  image is of a type that cannot be scanned", botocore's ecr service model) with "An artifact with media type
  'application/vnd.oci.image.index.v1+json' cannot be scanned. For more information, see the Amazon ECR documentation."
  (AWS's message as reported in docker/setup-buildx-action#186 and alexjurkiewicz/ecr-scan-image#43; AWS support there:
  ECR does not scan multi-architecture images, see also aws/containers-roadmap#1683). Such an index has no scan, so
  DescribeImageScanFindings answers ``ScanNotFoundException`` for it.
* A scan takes time: DescribeImageScanFindings answers ``imageScanStatus`` ``{"status": "IN_PROGRESS"}`` without
  findings until it completes (alexjurkiewicz/ecr-scan-image#3 quotes that answer for a scan on push), then
  ``COMPLETE`` with ``imageScanFindings``; botocore's waiter ImageScanComplete polls it every 5 s, 60 times. AWS
  publishes no duration (aws/containers-roadmap#1600 asks for one): ``realism.TYPICAL['ecr.scan']``.
* DescribeImages answers, per image, ``imageScanStatus`` {status, description} and ``imageScanFindingsSummary``
  ("A summary of the last completed image scan": imageScanCompletedAt, vulnerabilitySourceUpdatedAt,
  findingSeverityCounts), the same counts as DescribeImageScanFindings; an image never scanned has neither.

moto 5.2.5 (ecr/models.py): StartImageScan sets ``Image.last_scan`` (local time; a second one the same calendar day is
``LimitExceededException``, so one a minute after midnight passes where AWS refuses it) and DescribeImageScanFindings answers COMPLETE at once, with a static finding (one HIGH)
or a result configured through ``/moto-api/static/ecr/scan-finding-results``; PutImage never scans, StartImageScan
scans an index, and DescribeImages has no scan fields.

The patch: ``ECRBackend.start_image_scan`` answers moto's ``LimitExceededException`` within 24 hours of the image's
last scan, not only the same calendar day; ``ECRBackend.put_image`` starts a scan, through ``start_image_scan`` as a StartImageScan call would, for a
new image (not an index) put into a scan-on-push repository; ``ECRBackend.start_image_scan`` refuses an index and
keeps the scan ``IN_PROGRESS`` for ``realism.seconds('ecr.scan')`` (no time at all in plain mode, so the scan is
complete at once as before); ``ECRBackend.describe_image_scan_findings`` answers ``IN_PROGRESS`` meanwhile and moto's
answer after, its default finding then completed at the end of the scan instead of its start;
``ECRResponse.describe_images`` adds ``imageScanStatus`` and, once complete, ``imageScanFindingsSummary`` to every
scanned image, from the result DescribeImageScanFindings answers (moto hands a configured result to the first
imageId asked for; DescribeImages shows the one already handed out, else the one next in line, else the default).

Not modelled: the 100,000 scans a day; the
``UnsupportedImageError`` status of images whose operating system basic scanning does not support; a PutImage that only
adds a tag to an image already in the repository starting a new scan; enhanced scanning (Amazon Inspector,
``ACTIVE``/``PENDING``); the newer "AWS native" basic scanning, which the user guide ("Scan images for software
vulnerabilities") says no longer fills the two DescribeImages fields (the classic basic scanning modelled here does).
"""

from __future__ import annotations

import copy
import datetime
import functools
import json
from typing import Any

from moto.core.exceptions import ServiceException
from moto.core.responses import ActionResult
from moto.core.utils import iso_8601_datetime_without_milliseconds
from moto.ecr.exceptions import LimitExceededException
from moto.ecr.models import ECRBackend, Image, Repository
from moto.ecr.responses import ECRResponse

from emulator import realism
from emulator.extensions import _patching
from emulator.extensions._patching import Patch

SCAN = "ecr.scan"
# "A basic image scan can only be started once per 24 hours on an individual image" (StartImageScan, ECR API reference).
SCAN_QUOTA_WINDOW = datetime.timedelta(hours=24)
IN_PROGRESS, COMPLETE = "IN_PROGRESS", "COMPLETE"
INDEX_MEDIA_TYPES = (
    "application/vnd.docker.distribution.manifest.list.v2+json",
    "application/vnd.oci.image.index.v1+json",
)
SUMMARY_KEYS = ("imageScanCompletedAt", "vulnerabilitySourceUpdatedAt", "findingSeverityCounts")
# DescribeImages' members and the attributes moto's serializer reads them from (botocore.xform_name of the member).
DESCRIBE_IMAGES_FIELDS = (
    ("imageScanStatus", "image_scan_status"),
    ("imageScanFindingsSummary", "image_scan_findings_summary"),
)
_TIMER = "_emulator_scan_timer"  # on the Image: the scan started last, when this extension started it


class UnsupportedImageTypeException(ServiceException):
    code = "UnsupportedImageTypeException"


# --- pure helpers ------------------------------------------------------------------------------------------


def media_type(image: Image) -> str | None:
    """The image's manifest media type: the one PutImage was given, else the manifest's own."""
    if image.image_manifest_media_type:
        return image.image_manifest_media_type
    try:
        document = json.loads(image.image_manifest)
    except (TypeError, ValueError):
        return None
    return document.get("mediaType") if isinstance(document, dict) else None


def is_index(image: Image) -> bool:
    """A manifest list or OCI image index (by media type, or an untyped manifest listing manifests)."""
    if media_type(image) in INDEX_MEDIA_TYPES:
        return True
    try:
        document = json.loads(image.image_manifest)
    except (TypeError, ValueError):
        return False
    return isinstance(document, dict) and "manifests" in document and "layers" not in document


def unsupported_message(image: Image) -> str:
    return (
        f"An artifact with media type '{media_type(image)}' cannot be scanned. For more information, see the Amazon ECR"
        " documentation."
    )


def scans_on_push(backend: ECRBackend, repository: Repository) -> bool:
    """The repository's own scanOnPush, or a BASIC registry scanning rule that sets it to SCAN_ON_PUSH."""
    if (repository.image_scanning_configuration or {}).get("scanOnPush") is True:
        return True
    registry = backend.registry_scanning_configuration or {}
    frequency = (repository.scanning_config or {}).get("scanFrequency")
    return registry.get("scanType") == "BASIC" and frequency == "SCAN_ON_PUSH"


def scan_timer(image: Image) -> realism.Timer | None:
    return image.__dict__.get(_TIMER)


def in_progress(image: Image) -> bool:
    """Whether the image's scan has started and not yet completed."""
    timer = scan_timer(image)
    return bool(image.last_scan) and timer is not None and not timer.done


def completed_at(image: Image) -> datetime.datetime | None:
    """When the image's last scan completed (moto's start time plus the scan's duration)."""
    if not image.last_scan:
        return None
    timer = scan_timer(image)
    return image.last_scan + datetime.timedelta(seconds=timer.duration if timer else 0.0)


def _matches(result: dict[str, Any], repository: Repository, image: Image) -> bool:
    """moto's rule (ECRBackend.describe_image_scan_findings) for handing a configured result to an image."""
    wanted = result.get("imageId") or {}
    no_image = not wanted.get("imageTag") and not wanted.get("imageDigest")
    return repository.name == result.get("repositoryName") and (
        no_image or wanted.get("imageTag") == image.image_tag or wanted.get("imageDigest") == image.image_digest
    )


def in_progress_answer(repository: Repository, repository_name: str, image: Image) -> dict[str, Any]:
    return {
        "registryId": repository.registry_id,
        "repositoryName": repository_name,
        "imageId": {"imageDigest": image.image_digest, "imageTag": image.image_tag},
        "imageScanStatus": {"status": IN_PROGRESS},
    }


# --- what DescribeImageScanFindings answers ---------------------------------------------------------------


def scan_result(backend: ECRBackend, repository: Repository, image: Image) -> dict[str, Any]:
    """What DescribeImageScanFindings answers now for a completed scan of ``image``, without handing a configured
    result out: one already handed out (the latest), else the next in line for this image, else moto's default."""
    handed_out = list(image.scan_finding_results.values())
    if handed_out:
        return handed_out[-1]
    queued = [*image.scan_finding_results_queue]
    queued += [result for result in backend.scan_finding_results if _matches(result, repository, image)]
    if queued:
        return queued[0]
    # Nothing configured for this image: moto's call hands nothing out and answers its default.
    return backend.describe_image_scan_findings(
        registry_id=repository.registry_id,
        repository_name=repository.name,
        image_id={"imageDigest": image.image_digest},
    )


def scan_fields(backend: ECRBackend, repository: Repository, image: Image) -> dict[str, Any]:
    """DescribeImages' ``imageScanStatus`` and ``imageScanFindingsSummary`` for ``image`` (empty when never scanned)."""
    if not image.last_scan:
        return {}
    if in_progress(image):
        return {"imageScanStatus": {"status": IN_PROGRESS}}
    result = scan_result(backend, repository, image)
    status = dict(result.get("imageScanStatus") or {"status": COMPLETE})
    fields: dict[str, Any] = {"imageScanStatus": status}
    findings = result.get("imageScanFindings")
    if status.get("status") == COMPLETE and isinstance(findings, dict):
        fields["imageScanFindingsSummary"] = {key: findings[key] for key in SUMMARY_KEYS if key in findings}
    return fields


# --- wrappers ----------------------------------------------------------------------------------------------


def _start_image_scan_timed(original: Any) -> Any:
    @functools.wraps(original)
    def start_image_scan(
        self: ECRBackend, registry_id: str | None, repository_name: str, image_id: dict[str, str]
    ) -> dict[str, Any]:
        repository = self._get_repository(repository_name, registry_id)
        image = repository._get_image(image_id.get("imageTag"), image_id.get("imageDigest"))
        if is_index(image):
            raise UnsupportedImageTypeException(unsupported_message(image))
        # moto's own check refuses only the same calendar day; AWS, the same 24 hours. last_scan is local time.
        if image.last_scan and datetime.datetime.today() - image.last_scan < SCAN_QUOTA_WINDOW:
            raise LimitExceededException()
        result = original(self, registry_id, repository_name, image_id)
        image.__dict__[_TIMER] = realism.Timer.of(SCAN, subject=f"{repository_name}@{image.image_digest}")
        return result

    return start_image_scan


def _put_image_scanned_on_push(original: Any) -> Any:
    @functools.wraps(original)
    def put_image(
        self: ECRBackend,
        repository_name: str,
        image_manifest: str,
        image_tag: str,
        image_manifest_mediatype: str | None = None,
        digest: str | None = None,
    ) -> Image:
        repository = self.repositories.get(repository_name)
        before = list(repository.images) if repository is not None else []
        image = original(self, repository_name, image_manifest, image_tag, image_manifest_mediatype, digest)
        new = not any(image is old for old in before)
        if repository is not None and new and scans_on_push(self, repository) and not is_index(image):
            self.start_image_scan(
                registry_id=repository.registry_id,
                repository_name=repository_name,
                image_id={"imageDigest": image.image_digest},
            )
        return image

    return put_image


def _describe_image_scan_findings_timed(original: Any) -> Any:
    @functools.wraps(original)
    def describe_image_scan_findings(
        self: ECRBackend, registry_id: str | None, repository_name: str, image_id: dict[str, Any]
    ) -> dict[str, Any]:
        repository = self._get_repository(repository_name, registry_id)
        image = repository._get_image(image_id.get("imageTag"), image_id.get("imageDigest"))
        if in_progress(image):
            return in_progress_answer(repository, repository_name, image)
        result = original(self, registry_id, repository_name, image_id)
        configured = any(result is handed for handed in image.scan_finding_results.values())
        timer = scan_timer(image)
        if not configured and timer is not None and timer.duration > 0 and "imageScanFindings" in result:
            result = copy.deepcopy(result)
            done = completed_at(image)
            result["imageScanFindings"]["imageScanCompletedAt"] = iso_8601_datetime_without_milliseconds(done)
        return result

    return describe_image_scan_findings


def _describe_images_with_scans(original: Any) -> Any:
    @functools.wraps(original)
    def describe_images(self: ECRResponse) -> ActionResult:
        answer = original(self)
        backend = self.ecr_backend
        repository = backend._get_repository(self._get_param("repositoryName"), self._get_param("registryId"))
        for detail in answer.result["imageDetails"]:  # copies of the stored images, made for this answer
            fields = scan_fields(backend, repository, detail)
            for key, attribute in DESCRIBE_IMAGES_FIELDS:
                if key in fields:
                    setattr(detail, attribute, fields[key])
        return answer

    return describe_images


# --- install -----------------------------------------------------------------------------------------------


# ECRBackend.put_image is also wrapped by ecr_layers (WRAP_ORDER): its digest and layer checks run first, so an image
# it refuses is never scanned, and this wrapper sees the image as stored.
PATCHES = (
    Patch(ECRBackend, "put_image", _put_image_scanned_on_push),
    Patch(ECRBackend, "start_image_scan", _start_image_scan_timed),
    Patch(ECRBackend, "describe_image_scan_findings", _describe_image_scan_findings_timed),
    Patch(ECRResponse, "describe_images", _describe_images_with_scans),
)


def is_installed() -> bool:
    return _patching.installed(__name__, PATCHES)


def install() -> None:
    _patching.install(__name__, PATCHES)
