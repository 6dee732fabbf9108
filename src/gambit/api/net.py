"""Who is asking: the client address, believing X-Forwarded-For only from trusted proxies."""

from __future__ import annotations

import functools
import ipaddress
from collections.abc import Sequence

from starlette.types import Scope

from gambit.settings import IPNetwork


def client_address(scope: Scope, trusted: Sequence[IPNetwork]) -> str:
    """The address of the client behind any chain of trusted proxies.

    Walks X-Forwarded-For from the right (the hop nearest to us) and stops at the
    first address that is not a trusted proxy: hops left of it are the client's
    word and could be forged.
    """
    peer = scope["client"][0] if scope.get("client") else "unknown"
    if not is_within(peer, trusted):
        return peer
    forwarded = [
        value.decode("latin-1") for name, value in scope["headers"] if name == b"x-forwarded-for"
    ]
    candidate = peer
    for hop in reversed(",".join(forwarded).split(",")):
        hop = hop.strip()
        if not hop:
            continue
        try:
            ipaddress.ip_address(hop)
        except ValueError:
            break
        candidate = hop
        if not is_within(hop, trusted):
            break
    return candidate


def is_within(address: str, networks: Sequence[IPNetwork]) -> bool:
    """Whether ``address`` is an IP address in one of ``networks``."""
    ip = _parsed(address)
    return ip is not None and any(ip in network for network in networks)


@functools.lru_cache(maxsize=4096)
def _parsed(address: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The address, parsed once for all the requests that come from it."""
    try:
        return ipaddress.ip_address(address)
    except ValueError:
        return None


def is_trusted_peer(scope: Scope, trusted: Sequence[IPNetwork]) -> bool:
    """Whether the connection comes straight from a trusted proxy."""
    return bool(scope.get("client")) and is_within(scope["client"][0], trusted)
