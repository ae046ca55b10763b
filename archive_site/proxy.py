"""The client's address behind a load balancer or reverse proxy.

Behind a proxy every request comes from the proxy's address, so the access log
would record the proxy instead of the user's PC, and the login throttling
(per username and address) would lump all users together. With TRUSTED_PROXIES
set (addresses or networks, comma-separated), TrustedProxyMiddleware takes the
client's address from X-Forwarded-For — but only from a request that really
came from one of those proxies, and only the nearest address that is not one
of them, so a client cannot pass off an address of its choosing. Everything
after it (access_log.client_ip, axes) reads REMOTE_ADDR as before.
"""

import ipaddress

from django.conf import settings


def networks(values):
    return [ipaddress.ip_network(value, strict=False) for value in values]


class TrustedProxyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.proxies = networks(getattr(settings, "TRUSTED_PROXIES", []))

    def trusted(self, address):
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in network for network in self.proxies)

    def client(self, peer, forwarded):
        """The nearest address in the chain peer ← X-Forwarded-For that is not a trusted proxy."""
        client = peer
        for hop in reversed([hop.strip() for hop in forwarded.split(",")]):
            if not self.trusted(client):
                break
            try:
                client = str(ipaddress.ip_address(hop))
            except ValueError:
                break  # not an address: keep the last trustworthy one
        return client

    def __call__(self, request):
        peer = request.META.get("REMOTE_ADDR", "")
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded and self.trusted(peer):
            request.META["REMOTE_ADDR"] = self.client(peer, forwarded)
        return self.get_response(request)
