"""Which webhook targets are allowed: public addresses, or hosts the configured allowlist names."""
from __future__ import annotations

import ipaddress

WELL_KNOWN_NAT64 = ipaddress.ip_network("64:ff9b::/96")  # RFC 6052: the IPv4 address in the last 32 bits
LOCAL_NAT64 = ipaddress.ip_network("64:ff9b:1::/48")  # RFC 8215: a network's own prefix of /48 to /96


def embedded_ipv4(ip: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """Every IPv4 address an IPv6 one may reach or stand for: IPv4-mapped and -compatible, 6to4
    (2002::/16), Teredo (its client) and NAT64 (for a local-use prefix, at each place RFC 6052 allows,
    as its length is the operator's choice)."""
    if ip.ipv4_mapped:
        return [ip.ipv4_mapped]
    if ip.sixtofour:
        return [ip.sixtofour]
    if ip.teredo:
        return [ip.teredo[1]]
    if ip in WELL_KNOWN_NAT64:
        return [ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)]
    if ip in LOCAL_NAT64:
        bits = format(int(ip), "0128b")
        without_u = bits[:64] + bits[72:]  # RFC 6052 skips bits 64-71 (the "u" octet)
        return [ipaddress.IPv4Address(int(bits[96:], 2))] + [
            ipaddress.IPv4Address(int(without_u[n:n + 32], 2)) for n in (48, 56, 64)]
    if int(ip) >> 32 == 0 and int(ip) > 1:  # IPv4-compatible ::a.b.c.d (deprecated; :: and ::1 are not)
        return [ipaddress.IPv4Address(int(ip))]
    return []


def is_public(address: str) -> bool:
    """Globally routable and unicast, judged also by every IPv4 address embedded in an IPv6 one."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    inner = embedded_ipv4(ip) if isinstance(ip, ipaddress.IPv6Address) else []
    return all(a.is_global and not a.is_multicast for a in (ip, *inner))


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
