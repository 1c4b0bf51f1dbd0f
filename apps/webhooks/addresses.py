"""Where a webhook may not be sent: the portal's own host (loopback: its database, broker and admin
ports) and link-local addresses (the cloud metadata service at 169.254.169.254). A team lead could
otherwise aim a webhook there and probe what answers (server-side request forgery). Private networks
stay allowed: a company's own receivers live there. ``PORTAL_WEBHOOK_ALLOW_LOCAL_ADDRESSES=true``
lifts the rule (a receiver on the same machine)."""

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings

LOCAL_NAMES = ("localhost", "localhost.localdomain")


def _is_local(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_loopback or ip.is_link_local or ip.is_unspecified or ip.is_multicast


def _refusal(host: str, ip=None) -> str:
    shown = f"{host} ({ip})" if ip is not None and str(ip) != host else host
    return (
        f"Webhooks are not sent to {shown}: loopback and link-local addresses (the portal's own host, "
        "the cloud metadata service) are refused."
    )


def _host(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").rstrip(".").lower()
    except ValueError:
        return ""


def url_problem(url: str) -> str:
    """The refusal for a URL naming a local host outright (an address or ``localhost``), else "".
    Cheap, no DNS: for the forms and the API."""
    if settings.WEBHOOK_ALLOW_LOCAL_ADDRESSES:
        return ""
    host = _host(url)
    if host in LOCAL_NAMES or host.endswith(".localhost"):
        return _refusal(host)
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return ""
    return _refusal(host, ip) if _is_local(ip) else ""


def send_problem(url: str) -> str:
    """``url_problem`` plus every address the host resolves to now, checked before each delivery."""
    problem = url_problem(url)
    if problem or settings.WEBHOOK_ALLOW_LOCAL_ADDRESSES:
        return problem
    host = _host(url)
    try:
        infos = socket.getaddrinfo(host, None)
    except (socket.gaierror, UnicodeError):
        return ""  # the delivery itself reports that the host is unknown
    for info in infos:
        ip = ipaddress.ip_address(str(info[4][0]).split("%")[0])
        if _is_local(ip):
            return _refusal(host, ip)
    return ""
