"""Where django-axes reads a client's address from (imported by the settings, so no Django imports here)."""

from __future__ import annotations


def client_ip_meta_precedence(header: str | None) -> tuple[str, ...]:
    """``REMOTE_ADDR`` alone, unless the deployment names the header its own proxy sets (``X-Forwarded-For``).

    Trusting a forwarding header that no proxy of ours sets would let anyone choose their address,
    and so dodge the per-address lockout or lock out someone else's.
    """
    if not header:
        return ("REMOTE_ADDR",)
    meta_name = header.strip().upper().replace("-", "_")
    if not meta_name.startswith("HTTP_"):
        meta_name = f"HTTP_{meta_name}"
    return (meta_name, "REMOTE_ADDR")
