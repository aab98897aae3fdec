"""Which webhook targets are allowed: public addresses, or hosts the configured allowlist names."""
from __future__ import annotations

import ipaddress


def is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def _in_allowlist(host: str, addresses: list[str], allowlist: tuple[str, ...]) -> bool:
    entries = {entry.strip().lower() for entry in allowlist}
    if host.lower().strip("[]") in entries:
        return True
    networks = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            continue
    return bool(addresses) and all(any(ipaddress.ip_address(a.split("%", 1)[0]) in n for n in networks)
                                   for a in addresses)


def refusal(host: str, addresses: list[str], allowlist: tuple[str, ...]) -> str | None:
    """Why a target may not be called (private, loopback, link-local...), or None when it may."""
    if _in_allowlist(host, addresses, allowlist):
        return None
    if not addresses:
        return f"host {host!r} does not resolve"
    blocked = sorted({a for a in addresses if not is_public(a)})
    if blocked:
        return (f"host {host!r} resolves to a private, loopback or reserved address ({', '.join(blocked)}); "
                "add it to WEBHOOK_ALLOWED_HOSTS to allow it")
    return None
