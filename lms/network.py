"""Addresses phones in the hall can reach: the laptop's venue address instead of loopback.

A trainer often opens the app on the laptop that serves it, as http://127.0.0.1:5000. An
address built from that request (a check-in QR code, a password slip) reaches no phone, so
pages that print or project an address ask here for one that does.
"""

from __future__ import annotations

import ipaddress
import socket
import struct
import sys
from collections.abc import Callable, Sequence
from urllib.parse import urlsplit, urlunsplit

SIOCGIFADDR = 0x8915  # Linux: the IPv4 address of one interface


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


def interface_addresses() -> list[str]:
    """Return the IPv4 address of every network interface (Linux ioctl; empty where unsupported)."""
    if not sys.platform.startswith("linux"):
        return []
    import fcntl  # Unix only: imported where it exists

    found = []
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        for _, name in socket.if_nameindex():
            request = struct.pack("256s", name.encode()[:15])
            try:
                answer = fcntl.ioctl(sock.fileno(), SIOCGIFADDR, request)
            except OSError:  # an interface without an IPv4 address
                continue
            found.append(socket.inet_ntoa(answer[20:24]))
    return found


def venue_addresses(lister: Callable[[], Sequence[str]] | None = None) -> list[str]:
    """Return the laptop's non-loopback IPv4 addresses, the one its default route leaves by first.

    `lister` gives the interfaces' addresses (interface_addresses when None); the probe of
    venue_address() fills in where it lists none.
    """
    listed = list((lister or interface_addresses)())
    probed = venue_address()
    ordered = [probed, *listed] if probed in listed or not listed else listed
    result: list[str] = []
    for address in ordered:
        if not is_loopback_host(address) and _is_ipv4(address) and address not in result:
            result.append(address)
    return result


def _is_ipv4(address: str) -> bool:
    try:
        return ipaddress.ip_address(address).version == 4 and not ipaddress.ip_address(address).is_link_local
    except ValueError:
        return False


def reachable_base_url(host_url: str, choice: str | None = None) -> str:
    """Return the base of addresses to print or project for a request made on host_url.

    A request over the network already names an address phones reach: keep it. One made on the
    laptop itself (loopback) gets the laptop's venue address on the same port, or `choice` when it
    is one of the laptop's venue addresses (never a host the request names). The configured
    public address is not used here: on a venue laptop it names the office server, which holds
    another database.
    """
    parts = urlsplit(host_url.rstrip("/"))
    if not is_loopback_host(parts.hostname or ""):
        return urlunsplit(parts)
    address = choice if choice and choice in venue_addresses() else venue_address()
    netloc = address + (f":{parts.port}" if parts.port else "")
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def is_public_host(host: str) -> bool:
    """Tell whether the public can reach a host: not loopback, private, link-local or a .local name."""
    host = host.strip("[]").lower()
    if is_loopback_host(host) or host.endswith(".local") or "." not in host and ":" not in host:
        return False
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return True
    return not (address.is_private or address.is_loopback or address.is_link_local or address.is_unspecified
                or address.is_reserved or address.is_multicast)


def public_url_problem(url: str) -> str | None:
    """Return why url cannot be the public address of certificate links (in Indonesian), or None if it can."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return "Alamat publik tidak sah; contoh: https://lms.diskominfo.contohkab.go.id"
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "Alamat publik harus diawali http:// atau https:// dan memuat nama server, mis. " \
               "https://lms.diskominfo.contohkab.go.id"
    if parts.username or parts.password or parts.query or parts.fragment or port == 0:
        return "Alamat publik hanya berisi http(s)://, nama server, port, dan jalur (tanpa ?, # atau @)."
    if not is_public_host(parts.hostname):
        return (f"Alamat publik tidak boleh memakai {parts.hostname}: alamat lokal atau jaringan pribadi "
                "tidak dapat dibuka masyarakat yang memindai kode QR.")
    return None
