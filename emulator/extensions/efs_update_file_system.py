"""EFS UpdateFileSystem: change a file system's throughput mode and provisioned throughput.

moto 5.2.5 has no ``UpdateFileSystem`` (``NotImplementedError: The update_file_system action has not been
implemented``): a file system keeps the throughput mode it was created with.

AWS (EFS API reference, ``UpdateFileSystem``): ``PUT /2015-02-01/file-systems/{FileSystemId}`` with
``ThroughputMode`` (``bursting`` | ``provisioned`` | ``elastic``) and ``ProvisionedThroughputInMibps`` (at least 1.0)
"updates the throughput mode or the amount of provisioned throughput of an existing file system" and answers 202 with
the ``FileSystemDescription``. ``ProvisionedThroughputInMibps`` is "required if ThroughputMode is changed to
provisioned on update"; an unknown file system is ``FileSystemNotFound`` (404), a malformed request ``BadRequest``
(400).

The extension adds ``EFSBackend.update_file_system`` and ``EFSResponse.update_file_system``. They check the request
as above (a provisioned throughput with any mode but ``provisioned`` is refused too: it has no meaning there), store
the mode and throughput on moto's ``FileSystem`` (the throughput is cleared when the mode is no longer
``provisioned``) and answer with the file system as DescribeFileSystems shows it. Not modelled: the ``updating``
state (the change takes effect at once) and AWS's 24-hour wait before another mode change or throughput decrease
(``TooManyRequests``). File systems are named by their ID (the API also takes the ARN, which moto's routing does
not).
"""

from __future__ import annotations

import json
from typing import Any

from moto.efs.exceptions import BadRequest, FileSystemNotFound
from moto.efs.models import EFSBackend, FileSystem
from moto.efs.responses import EFSResponse

from emulator.extensions import _patching
from emulator.extensions._patching import Patch, added

THROUGHPUT_MODES = ("bursting", "provisioned", "elastic")
MIN_PROVISIONED_THROUGHPUT = 1.0


def file_system_of(backend: EFSBackend, file_system_id: str | None) -> FileSystem:
    """The file system of an ID; ``FileSystemNotFound`` when there is none."""
    file_system = backend.file_systems_by_id.get(file_system_id or "")
    if file_system is None:
        raise FileSystemNotFound(file_system_id or "")
    return file_system


def update_file_system(
    self: EFSBackend,
    file_system_id: str,
    throughput_mode: str | None = None,
    provisioned_throughput_in_mibps: float | None = None,
) -> FileSystem:
    file_system = file_system_of(self, file_system_id)
    if throughput_mode is None and provisioned_throughput_in_mibps is None:
        raise BadRequest("Specify ThroughputMode or ProvisionedThroughputInMibps.")
    if throughput_mode is not None and throughput_mode not in THROUGHPUT_MODES:
        raise BadRequest(f"ThroughputMode must be one of {', '.join(THROUGHPUT_MODES)}, not {throughput_mode!r}.")
    mode = throughput_mode or file_system.throughput_mode
    if provisioned_throughput_in_mibps is not None:
        if mode != "provisioned":
            raise BadRequest("ProvisionedThroughputInMibps is only valid with ThroughputMode provisioned.")
        if provisioned_throughput_in_mibps < MIN_PROVISIONED_THROUGHPUT:
            raise BadRequest(f"ProvisionedThroughputInMibps must be at least {MIN_PROVISIONED_THROUGHPUT}.")
    elif throughput_mode == "provisioned" and file_system.throughput_mode != "provisioned":
        raise BadRequest("ProvisionedThroughputInMibps is required when ThroughputMode is changed to provisioned.")
    file_system.throughput_mode = mode
    if mode != "provisioned":
        file_system.provisioned_throughput_in_mibps = None  # type: ignore[assignment]
    elif provisioned_throughput_in_mibps is not None:
        file_system.provisioned_throughput_in_mibps = provisioned_throughput_in_mibps  # type: ignore[assignment]
    return file_system


def update_file_system_response(self: EFSResponse) -> tuple[str, dict[str, Any]]:
    file_system = self.efs_backend.update_file_system(
        self._get_param("FileSystemId"),
        throughput_mode=self._get_param("ThroughputMode"),
        provisioned_throughput_in_mibps=self._get_param("ProvisionedThroughputInMibps"),
    )
    return json.dumps(file_system.info_json()), {"status": 202, "Content-Type": "application/json"}


update_file_system_response.__name__ = "update_file_system"

PATCHES = (
    Patch(EFSBackend, "update_file_system", added(update_file_system)),
    Patch(EFSResponse, "update_file_system", added(update_file_system_response)),
)


def is_installed() -> bool:
    return _patching.installed(__name__, PATCHES)


def install() -> None:
    _patching.install(__name__, PATCHES)
