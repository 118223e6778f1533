"""Fetching a URL a user gave, safely, for a server that other people can reach.

A shared dashboard that fetches any address it is given can be made to read
its own internals (`http://localhost:8501/_stcore/health`), the cloud metadata
service (169.254.169.254) or a private network, and then show the answer to
everyone. So every hop, the first request and each redirect, is checked:

- the scheme is http or https;
- every address the host name resolves to is a public (global) one, unless the
  operator allows it in `CONFLICTMAP_FETCH_ALLOW`; the connection then goes to
  the address that was checked, so a name cannot resolve differently a moment
  later (DNS rebinding);
- the connection has a connect timeout, the whole fetch a total deadline (a
  server that sends one byte every few seconds is cut off), and the body a
  size cap.

`CONFLICTMAP_FETCH_ALLOW` is a comma-separated list of networks or addresses
(`127.0.0.1`, `10.0.0.0/8`, `::1`), or `private` to allow every non-public
address (for a newsroom that reads its own intranet). Refusals are
`FetchError`s whose message says what was refused and what to do.
"""

from __future__ import annotations

import http.client
import ipaddress
import os
import socket
import ssl
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from conflictmap.errors import FetchError

ALLOW_ENV = "CONFLICTMAP_FETCH_ALLOW"
USER_AGENT = "conflictmap/0.1 (news place mapper)"
MAX_REDIRECTS = 5
CONNECT_TIMEOUT = 10.0
TOTAL_TIMEOUT = 20.0

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


@dataclass(frozen=True)
class Response:
    """What a fetch brought back: the final URL after redirects, the body and its declared type."""

    url: str
    status: int
    body: bytes
    content_type: str
    charset: str | None


def allowed_networks(spec: str | Iterable[str] | None = None) -> tuple[Network, ...] | str:
    """The operator's allowance: networks, or "private" for every non-public address.

    Without `spec`, `CONFLICTMAP_FETCH_ALLOW` is read; a malformed entry is an
    error, so a typo never silently allows (or refuses) more than intended.
    """
    if spec is None:
        spec = os.environ.get(ALLOW_ENV, "")
    items = [part.strip() for part in (spec.split(",") if isinstance(spec, str) else spec) if part.strip()]
    if any(item.lower() == "private" for item in items):
        return "private"
    networks = []
    for item in items:
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError as exc:
            raise FetchError(f"{ALLOW_ENV} holds {item!r}, which is not an address or network ({exc}); "
                             "write e.g. 127.0.0.1,10.0.0.0/8 or private") from exc
    return tuple(networks)


def _plain(address: Address) -> Address:
    """An IPv4 address written as IPv6 (::ffff:127.0.0.1) is judged as the IPv4 address it is."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _kind(address: Address) -> str:
    if address.is_unspecified:
        return "the unspecified address (it reaches this machine)"
    if address.is_loopback:
        return "a loopback address (this machine)"
    if address.is_link_local:
        return "a link-local address (cloud metadata services live there)"
    if address.is_private:
        return "a private-network address"
    if address.is_multicast:
        return "a multicast address"
    return "not a public internet address"


def check_address(address: Address, allow: tuple[Network, ...] | str) -> str | None:
    """None when the address may be fetched, else what kind of address it is."""
    address = _plain(address)
    if address.is_global and not address.is_multicast:
        return None
    if allow == "private" and not address.is_multicast and not address.is_unspecified:
        return None
    if isinstance(allow, tuple) and any(address.version == net.version and address in net for net in allow):
        return None
    return _kind(address)


def _resolve(host: str, port: int, allow: tuple[Network, ...] | str, url: str) -> str:
    """The one checked address to connect to; FetchError when any address of the host is refused."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError, OSError) as exc:
        raise FetchError(f"cannot find the host {host!r} ({exc}); check the address and the network") from exc
    addresses = []
    for info in infos:
        address = ipaddress.ip_address(info[4][0].split("%")[0])
        refused = check_address(address, allow)
        if refused:
            # One bad address refuses the host: a name that also resolves inside the network is no public site.
            raise FetchError(f"refused to fetch {url}: {host} is {refused} ({address}); only public web "
                             f"addresses are fetched (an operator may allow others in {ALLOW_ENV})")
        addresses.append(str(address))
    if not addresses:
        raise FetchError(f"cannot find the host {host!r}; check the address")
    return addresses[0]


class _PinnedHTTP(http.client.HTTPConnection):
    """An HTTP connection to a checked address, whatever the host name resolves to now."""

    def __init__(self, host: str, address: str, port: int, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPS(http.client.HTTPSConnection):
    """The TLS twin of `_PinnedHTTP`: the certificate is checked against the host name."""

    def __init__(self, host: str, address: str, port: int, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self) -> None:
        raw = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(raw, server_hostname=self.host)


def _split(url: str) -> tuple[str, str, int, str]:
    """(scheme, host, port, path?query) of an http(s) URL; FetchError otherwise."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        raise FetchError(f"{url!r} is not a valid web address ({exc}); give one like https://example.com/story") from exc
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        shown = f"{scheme}:" if scheme else "no scheme"
        raise FetchError(f"refused to fetch {url!r}: {shown} is not a web address; only http:// and https:// are fetched")
    if not parts.hostname:
        raise FetchError(f"{url!r} names no host; give an address like https://example.com/story")
    if parts.username or parts.password:
        raise FetchError(f"refused to fetch {url!r}: addresses with a user name or password are not fetched")
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return scheme, parts.hostname, port or (443 if scheme == "https" else 80), path


def fetch(
    url: str,
    *,
    max_bytes: int,
    connect_timeout: float = CONNECT_TIMEOUT,
    total_timeout: float = TOTAL_TIMEOUT,
    allow: str | Iterable[str] | None = None,
) -> Response:
    """GET `url` within the rules above; raises FetchError with the reason on any refusal or failure.

    An HTTP error status is an error too (its reason phrase is quoted as text),
    since an error page is no article.

    Example: fetch("https://example.com/story", max_bytes=20_000_000).body
    """
    networks = allowed_networks(allow)
    deadline = time.monotonic() + total_timeout
    current = url.strip()
    for _hop in range(MAX_REDIRECTS + 1):
        scheme, host, port, path = _split(current)
        address = _resolve(host, port, networks, current)
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise FetchError(f"{url} took longer than {total_timeout:g} s; try again later or save the page and read the file")
        kind = _PinnedHTTPS if scheme == "https" else _PinnedHTTP
        connection = kind(host, address, port, min(connect_timeout, remaining))
        # The watchdog enforces the total deadline even while a server drips its headers a byte at a time.
        expired = threading.Event()

        def _cut(conn: http.client.HTTPConnection = connection) -> None:
            expired.set()
            sock = conn.sock
            if sock is not None:
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

        watchdog = threading.Timer(remaining, _cut)
        watchdog.daemon = True
        watchdog.start()
        try:
            try:
                connection.request("GET", path, headers={"User-Agent": USER_AGENT, "Accept-Encoding": "identity",
                                                         "Accept": "text/html, application/xhtml+xml, application/xml, "
                                                                   "application/json, text/*;q=0.9, */*;q=0.5"})
                response = connection.getresponse()
                if response.status in (301, 302, 303, 307, 308) and response.getheader("Location"):
                    current = urljoin(current, response.getheader("Location", ""))
                    continue
                declared = response.getheader("Content-Length")
                if declared and declared.isdigit() and int(declared) > max_bytes:
                    raise FetchError(f"{url} is {int(declared) / 1e6:.1f} MB, over the {max_bytes / 1e6:g} MB limit; "
                                     "save it and split it, or raise --max-bytes")
                body = _read_capped(response, max_bytes, url)
            except (OSError, http.client.HTTPException) as exc:
                if expired.is_set():
                    raise FetchError(f"{url} took longer than {total_timeout:g} s; try again later "
                                     "or save the page and read the file") from exc
                raise FetchError(f"could not fetch {url} ({exc or type(exc).__name__}); check the address and the "
                                 "network, or save the page and read the file") from exc
        finally:
            watchdog.cancel()
            connection.close()
        if expired.is_set():
            raise FetchError(f"{url} took longer than {total_timeout:g} s; try again later or save the page and read the file")
        if response.status >= 400:
            reason = " ".join(str(response.reason or "").split())[:200]
            raise FetchError(f"the server answered {response.status} {reason}; check the address")
        content_type = (response.getheader("Content-Type") or "").split(";")[0].strip().lower()
        charset = response.msg.get_content_charset() if response.msg else None
        return Response(current, response.status, body, content_type, charset)
    raise FetchError(f"{url} redirected more than {MAX_REDIRECTS} times; open it in a browser and give the final address")


def _read_capped(response: http.client.HTTPResponse, max_bytes: int, url: str) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while True:
        chunk = response.read1(65536) if hasattr(response, "read1") else response.read(65536)
        if not chunk:
            break
        size += len(chunk)
        if size > max_bytes:
            raise FetchError(f"{url} is over the {max_bytes / 1e6:g} MB limit; save it and split it, or raise --max-bytes")
        chunks.append(chunk)
    return b"".join(chunks)
