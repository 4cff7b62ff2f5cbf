"""Who may launch: anyone on this machine when a face is bound to loopback; bound elsewhere, only a request
carrying `Authorization: Bearer <INVESTING_API_TOKEN>` (and nobody when no token is set). Dagster's own GraphQL
has no access control, which is why the launching faces check here."""

from __future__ import annotations

import hmac
import ipaddress

from investing_assets import settings


class Forbidden(PermissionError):
    """No launching from here: `status` is 401 (no or a wrong token) or 403 (no token configured)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check(bound_host: str, authorization: str | None) -> None:
    """Refuse (Forbidden) a launch request on a face bound to `bound_host` unless it may launch."""
    if is_loopback(bound_host):
        return
    token = settings.api_token()
    if not token:
        raise Forbidden(403, f"launching is off: bound to {bound_host} without INVESTING_API_TOKEN")
    if not hmac.compare_digest((authorization or "").encode(), f"Bearer {token}".encode()):
        raise Forbidden(401, "a bearer token is required to launch here (Authorization: Bearer <INVESTING_API_TOKEN>)")
