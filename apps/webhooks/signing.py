"""The bytes a delivery sends and their signature, as GitHub and Stripe sign theirs:
``X-Portal-Signature: sha256=<hex HMAC-SHA256 of the raw body with the subscription's secret>``."""

import hashlib
import hmac
import json

SIGNATURE_HEADER = "X-Portal-Signature"


def raw_body(body: dict) -> bytes:
    return json.dumps(body, separators=(",", ":"), sort_keys=True, default=str).encode()


def signature(secret: str, raw: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()


def is_valid(secret: str, raw: bytes, header: str) -> bool:
    """What a receiver does: compare in constant time."""
    return hmac.compare_digest(signature(secret, raw), header or "")
