"""EFS CreateAccessPoint: a ClientToken that an existing access point was created with is refused.

moto 5.2.5's ``EFSBackend.create_access_point`` stores the ClientToken on the access point and otherwise ignores
it: the same request sent twice makes two access points. On AWS the ClientToken is what makes the create
idempotent (CreateAccessPoint, request parameter ``ClientToken``: "A string of up to 64 ASCII characters that
Amazon EFS uses to ensure idempotent creation"), and a create with the token of an access point that exists is
answered with the error ``AccessPointAlreadyExists`` (HTTP 409: "Returned if the access point that you are trying to
create already exists, with the creation token you provided in the request"), whose body carries ``ErrorCode``,
``Message`` and the existing ``AccessPointId`` (botocore's efs model, shape ``AccessPointAlreadyExists``).
``cloudops.fargate.efs_access_point`` relies on it: a run repeated after an interrupted create sends the same token
and must get the access point that create made, never a second one.

The wrapper looks the token up among the region's access points before handing over to moto, and raises that
error (with the id) when one holds it. The token is freed when its access point is deleted. Not modelled: AWS's
limits on how long it remembers a token, and any difference between a repeat with the same and with other
parameters (both are refused here, as the API reference documents only the one error).
"""

from __future__ import annotations

import functools
import json
from typing import Any

from moto.efs.exceptions import EFSError
from moto.efs.models import EFSBackend

from emulator.extensions import _patching
from emulator.extensions._patching import Patch


class AccessPointAlreadyExists(EFSError):
    code = 409

    def __init__(self, client_token: str, access_point_id: str) -> None:
        message = f"Access point {access_point_id} already exists with the client token {client_token}."
        super().__init__("AccessPointAlreadyExists", message)
        # EFS's error body: the modeled members, which botocore adds to the parsed error response.
        self.description = json.dumps(
            {
                "__type": "AccessPointAlreadyExists",
                "ErrorCode": "AccessPointAlreadyExists",
                "Message": message,
                "AccessPointId": access_point_id,
            }
        )


def holder_of(backend: EFSBackend, client_token: str | None) -> str | None:
    """The id of the backend's access point created with ``client_token``, if any."""
    if not client_token:
        return None
    for access_point in backend.access_points.values():
        if access_point.client_token == client_token:
            return access_point.access_point_id
    return None


def _refuse_reused_token(original: Any) -> Any:
    @functools.wraps(original)
    def create_access_point(self: EFSBackend, client_token: str, *args: Any, **kwargs: Any) -> Any:
        existing = holder_of(self, client_token)
        if existing is not None:
            raise AccessPointAlreadyExists(client_token, existing)
        return original(self, client_token, *args, **kwargs)

    return create_access_point


# Defined on EFSBackend itself, the class of every account/region's backend.
PATCHES = (Patch(EFSBackend, "create_access_point", _refuse_reused_token),)


def is_installed() -> bool:
    return _patching.installed(__name__, PATCHES)


def install() -> None:
    _patching.install(__name__, PATCHES)
