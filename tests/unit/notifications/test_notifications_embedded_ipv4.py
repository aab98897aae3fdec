"""Webhook targets: an IPv6 address is judged by the IPv4 address it embeds (NAT64, 6to4, mapped, Teredo)."""
from __future__ import annotations

import pytest

from services.notifications.domain import addresses


@pytest.mark.parametrize("address", [
    "64:ff9b::7f00:1", "64:ff9b::a00:1", "64:ff9b::a9fe:a9fe", "64:ff9b:1::7f00:1", "64:ff9b:1:ffff::c0a8:1",
    "2002:7f00:1::", "2002:a00:1::1", "2002:c0a8:101::", "::ffff:7f00:1", "::7f00:1", "::a00:1",
    "2001:0:4136:e378:8000:63bf:80ff:fffe"])
def test_an_ipv6_address_embedding_a_private_or_loopback_ipv4_address_is_refused(address):
    assert not addresses.is_public(address)
    assert "private, loopback or reserved" in addresses.refusal("sneaky.test", [address], ())


@pytest.mark.parametrize("address", ["64:ff9b::808:808", "2002:808:808::1", "::ffff:8.8.8.8", "2606:4700::1111"])
def test_one_embedding_a_public_ipv4_address_or_none_passes(address):
    assert addresses.is_public(address)


@pytest.mark.parametrize("address, inner", [("64:ff9b::7f00:1", "127.0.0.1"), ("2002:7f00:1::", "127.0.0.1"),
                                            ("64:ff9b:1::a00:1", "10.0.0.1"), ("::ffff:7f00:1", "127.0.0.1"),
                                            ("64:ff9b:1:7f00:0:100:808:808", "127.0.0.1"),  # RFC 6052 /48 layout
                                            ("64:ff9b:1:ff7f:0:1:808:808", "127.0.0.1"),  # /56 layout
                                            ("2606:4700::1111", None), ("::1", None), ("::", None)])
def test_the_embedded_ipv4_address_is_found_where_each_form_puts_it(address, inner):
    import ipaddress

    found = [str(a) for a in addresses.embedded_ipv4(ipaddress.IPv6Address(address))]
    assert (inner in found) if inner else found == []
    if inner:
        assert not addresses.is_public(address)
