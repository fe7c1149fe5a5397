"""Addresses phones in the hall can reach: the laptop's venue address instead of loopback.

A trainer often opens the app on the laptop that serves it, as http://127.0.0.1:5000. An
address built from that request (a check-in QR code, a password slip) reaches no phone, so
pages that print or project an address ask here for one that does.
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit, urlunsplit


def is_loopback_host(host: str) -> bool:
    """Tell whether a host name or address is this machine only (localhost, 127.x, ::1)."""
    host = host.strip("[]").lower()
    if host in ("localhost", "") or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def venue_address() -> str:
    """Return this machine's IPv4 address on the local network, or 127.0.0.1 without one.

    A UDP socket "connected" to a private address sends nothing; it only makes the system choose
    the interface it would leave by.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("10.255.255.255", 1))
            return str(probe.getsockname()[0])
        except OSError:
            return "127.0.0.1"


def reachable_base_url(host_url: str) -> str:
    """Return the base of addresses to print or project for a request made on host_url.

    A request over the network already names an address phones reach: keep it. One made on the
    laptop itself (loopback) gets the laptop's venue address on the same port. The configured
    public address is not used here: on a venue laptop it names the office server, which holds
    another database.
    """
    parts = urlsplit(host_url.rstrip("/"))
    if not is_loopback_host(parts.hostname or ""):
        return urlunsplit(parts)
    netloc = venue_address() + (f":{parts.port}" if parts.port else "")
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))
