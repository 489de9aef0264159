"""Fetching a feed over HTTP without letting a feed URL reach into the municipality's network.

`fetch()` downloads one URL with httpx and returns a `FetchResult`, or raises `FetchError` with a
stable `code` (to store on the feed) and a readable `reason` in the active language. The rules:

- Only http and https. Redirects are followed here, one hop at a time, so every hop gets the same
  checks; a loop or more than `FetchLimits.max_redirects` hops is an error.
- No connection to a private, loopback, link-local, shared (CGNAT), multicast, reserved or
  unspecified address, IPv4 or IPv6 (IPv4 inside IPv6 is unwrapped first). The check runs in the
  network backend on the addresses the name resolved to, before a socket is opened, and the socket
  then connects to exactly the address that was checked. There is no second lookup that DNS
  rebinding could answer differently. TLS still verifies the certificate against the host name
  (httpcore passes the name, not the address, as SNI) and the Host header is the URL's host.
  Names in the setting `SCANNING_ALLOWED_HOSTS` skip the address rule (tests, the local demo).
- Timeouts for connecting and for each read, and a deadline for the whole fetch that also bounds a
  server trickling one byte at a time. The body is streamed and reading stops past
  `FetchLimits.max_bytes`, counted after decompression (gzip and deflate are unpacked here, in
  bounded steps, so a compression bomb never fills the memory).
- Conditional GET: pass the ETag and Last-Modified of the last fetch; a 304 answer gives a result
  whose `not_modified` is true and whose content is empty.
"""

from __future__ import annotations

import functools
import ipaddress
import re
import socket
import ssl
import time
import zlib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, ClassVar

import httpcore
import httpx
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.formats import number_format
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Params = Mapping[str, str | int | float]

USER_AGENT = "Forandra-feed-reader/1.0"
ACCEPT = (
    "application/rss+xml, application/atom+xml, application/rdf+xml;q=0.9, "
    "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
)
# Schemes that podcast apps and browsers use for feeds; they mean plain http.
FEED_SCHEMES = ("feed", "itpc", "pcast", "podcast")
_HOST = re.compile(rb"[A-Za-z0-9._:-]+")  # a name in IDNA form or an address literal
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
PERMANENT_REDIRECT_STATUSES = frozenset({301, 308})


@dataclass(frozen=True)
class FetchLimits:
    """How long and how much one fetch may take. Seconds and bytes."""

    connect_timeout: float = 10.0
    read_timeout: float = 20.0  # the longest silence while waiting for bytes
    total_timeout: float = 60.0  # the whole fetch, all redirects included
    max_bytes: int = 5 * 1024 * 1024  # the body after decompression
    max_redirects: int = 5


DEFAULT_LIMITS = FetchLimits()


@dataclass(frozen=True)
class FetchResult:
    """A successful fetch: a 2xx answer with its body, or a 304 "not modified"."""

    url: str  # as asked for
    final_url: str  # after redirects: the base for the feed's relative links
    status: int
    content: bytes  # empty when not modified
    content_type: str  # the Content-Type header, "" if none
    etag: str | None  # validators to send next time; on a 304, the ones sent if none came back
    last_modified: str | None
    # Where the feed lives now if the first redirects were all permanent (301, 308), else None.
    permanent_url: str | None = None

    @property
    def not_modified(self) -> bool:
        return self.status == 304


# --- Errors --------------------------------------------------------------------------------------


class ScanningError(Exception):
    """A failure while reading a source: a stable `code` (store it), JSON-safe `params` for the
    message, and `reason`, the message in the active language.

    Subclasses map their codes to messages in `MESSAGES`. `str(error)` is the reason.
    """

    MESSAGES: ClassVar[Mapping[str, str | Promise]] = {}

    # Positional parameters in the order of `args`, so the error survives pickling.
    def __init__(self, code: str, params: Params | None = None) -> None:
        self.code = str(code)
        self.params: dict[str, str | int | float] = dict(params or {})
        super().__init__(self.code, self.params)

    def message(self) -> str | Promise:
        return self.MESSAGES[self.code]

    @property
    def reason(self) -> str:
        return render(self.message(), self.params)

    def __str__(self) -> str:
        return self.reason


def render(message: str | Promise, params: Params) -> str:
    """Fill a message's %(name)s placeholders, formatting the values for the active language:
    a parameter named `*_bytes` as a file size, a float as a localised number."""
    if not params:
        return str(message)
    values: dict[str, str] = {}
    for name, value in params.items():
        if name.endswith("_bytes") and isinstance(value, int | float):
            values[name] = str(filesizeformat(value))
        elif isinstance(value, float):
            values[name] = number_format(int(value) if value.is_integer() else value)
        else:
            values[name] = str(value)
    return str(message) % values


class FetchErrorCode(StrEnum):
    INVALID_URL = "invalid_url"
    UNSUPPORTED_SCHEME = "unsupported_scheme"
    HOST_NOT_FOUND = "host_not_found"
    REFUSED_ADDRESS = "refused_address"
    CONNECTION_REFUSED = "connection_refused"
    CONNECTION_FAILED = "connection_failed"
    CONNECTION_LOST = "connection_lost"
    TLS = "tls"
    PROTOCOL = "protocol"
    CONNECT_TIMEOUT = "connect_timeout"
    READ_TIMEOUT = "read_timeout"
    TOTAL_TIMEOUT = "total_timeout"
    TOO_LARGE = "too_large"
    TOO_MANY_REDIRECTS = "too_many_redirects"
    REDIRECT_LOOP = "redirect_loop"
    REDIRECT_WITHOUT_LOCATION = "redirect_without_location"
    HTTP_STATUS = "http_status"
    UNSUPPORTED_ENCODING = "unsupported_encoding"
    CORRUPT_ENCODING = "corrupt_encoding"


_C = FetchErrorCode

_STATUS_MESSAGES: Mapping[int, str | Promise] = {
    401: _("The server asks for a login to read the feed (status %(status)s)."),
    403: _("The server refuses access to the feed (status %(status)s)."),
    404: _("The server has no feed at this address (status %(status)s)."),
    410: _("The feed has been removed from the server (status %(status)s)."),
    429: _("The server asks to be fetched less often (status %(status)s)."),
}


class FetchError(ScanningError):
    """A fetch that failed. `url` is the address of the hop that failed (after redirects)."""

    MESSAGES = {
        _C.INVALID_URL: _("The address is not a valid web address."),
        _C.UNSUPPORTED_SCHEME: _("The address must start with http:// or https://."),
        _C.HOST_NOT_FOUND: _("The server name %(host)s could not be found."),
        _C.REFUSED_ADDRESS: _(
            "%(host)s leads to an internal or reserved network address (%(address)s). "
            "For safety, feeds are only fetched from public internet addresses."
        ),
        _C.CONNECTION_REFUSED: _("The server refused the connection."),
        _C.CONNECTION_FAILED: _("Could not connect to the server."),
        _C.CONNECTION_LOST: _("The connection to the server broke off."),
        _C.TLS: _(
            "The secure connection (TLS) to the server failed; its certificate may be invalid "
            "or expired."
        ),
        _C.PROTOCOL: _(
            "The server closed the connection or sent an answer that is not valid HTTP."
        ),
        _C.CONNECT_TIMEOUT: _("The server did not accept a connection within %(seconds)s s."),
        _C.READ_TIMEOUT: _("The server stopped answering for more than %(seconds)s s."),
        _C.TOTAL_TIMEOUT: _("Fetching the feed took longer than %(seconds)s s."),
        _C.TOO_LARGE: _("The feed is larger than the limit of %(limit_bytes)s."),
        _C.TOO_MANY_REDIRECTS: _("The address redirects more than %(limit)s times."),
        _C.REDIRECT_LOOP: _("The address redirects in a loop."),
        _C.REDIRECT_WITHOUT_LOCATION: _("The server redirected without saying where to."),
        _C.HTTP_STATUS: _("The server answered with the error status %(status)s."),
        _C.UNSUPPORTED_ENCODING: _(
            "The server compressed the feed in a format that cannot be unpacked (%(encoding)s)."
        ),
        _C.CORRUPT_ENCODING: _("The server sent compressed content that could not be unpacked."),
    }

    def __init__(self, code: str, params: Params | None = None, url: str = "") -> None:
        super().__init__(code, params)
        self.url = url
        self.args = (code, self.params, url)

    def message(self) -> str | Promise:
        if self.code == _C.REFUSED_ADDRESS and self.params.get("host") == self.params.get(
            "address"
        ):
            return _(
                "%(address)s is an internal or reserved network address. "
                "For safety, feeds are only fetched from public internet addresses."
            )
        if self.code == _C.HTTP_STATUS:
            status = int(self.params.get("status", 0))
            if status in _STATUS_MESSAGES:
                return _STATUS_MESSAGES[status]
            if status >= 500:
                return _("The server had an internal problem (status %(status)s).")
        return super().message()


# --- Addresses -----------------------------------------------------------------------------------

_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")  # well-known prefix; IPv4 in the last 32 bits
_NAT64_LOCAL = ipaddress.IPv6Network("64:ff9b:1::/48")  # local-use prefix: never public


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address stands for (mapped, 6to4 or NAT64), if any."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def is_public_address(address: IPAddress) -> bool:
    """Whether a feed may be fetched from this address: a global unicast address, never a
    private, loopback, link-local, shared, multicast, reserved or unspecified one."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(address)
        if embedded is not None:
            return is_public_address(embedded)
        if address in _NAT64_LOCAL or address.is_site_local:
            return False
    return address.is_global and not (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
    )


def _is_public(address: str) -> bool:
    try:
        return is_public_address(ipaddress.ip_address(address))
    except ValueError:
        return False


def allowed_hosts() -> frozenset[str]:
    """Host names that skip the public-address rule, from the setting SCANNING_ALLOWED_HOSTS."""
    names: Iterable[str] = getattr(settings, "SCANNING_ALLOWED_HOSTS", ())
    return frozenset(_normalise_host(name) for name in names)


def _normalise_host(host: str) -> str:
    return host.strip().lower().removeprefix("[").removesuffix("]").rstrip(".")


def _resolve(host: str, port: int) -> list[str]:
    """The addresses a name resolves to, in the resolver's order, each once."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError) as error:
        raise FetchError(_C.HOST_NOT_FOUND, {"host": host}) from error
    addresses: list[str] = []
    for _family, _type, _proto, _canonname, sockaddr in infos:
        address = str(sockaddr[0])
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise FetchError(_C.HOST_NOT_FOUND, {"host": host})
    return addresses


def _clamp(timeout: float | None, deadline: float) -> float:
    """The smaller of a timeout and the time left before the deadline."""
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise httpcore.ReadTimeout("the deadline for the whole fetch has passed")
    return remaining if timeout is None else min(timeout, remaining)


class _DeadlineStream(httpcore.NetworkStream):
    """A network stream whose every read and write ends by the fetch's deadline."""

    def __init__(self, stream: httpcore.NetworkStream, deadline: float) -> None:
        self._stream = stream
        self._deadline = deadline

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, _clamp(timeout, self._deadline))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, _clamp(timeout, self._deadline))

    def close(self) -> None:
        self._stream.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        stream = self._stream.start_tls(
            ssl_context, server_hostname, _clamp(timeout, self._deadline)
        )
        return _DeadlineStream(stream, self._deadline)

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


class GuardedBackend(httpcore.SyncBackend):
    """httpcore's socket backend with the address rule: resolve once, refuse the connection
    unless every address is public (or the name is allowed), connect to a checked address."""

    def __init__(self, *, allowed: frozenset[str], deadline: float) -> None:
        self._allowed = allowed
        self._deadline = deadline

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        addresses = _resolve(host, port)
        if _normalise_host(host) not in self._allowed:
            for address in addresses:
                # A name with one internal address among public ones is refused outright.
                if not _is_public(address):
                    raise FetchError(_C.REFUSED_ADDRESS, {"host": host, "address": address})
        failure: Exception | None = None
        for address in addresses:
            try:
                # An address literal: the socket layer does not look anything up again.
                stream = super().connect_tcp(
                    address,
                    port,
                    timeout=_clamp(timeout, self._deadline),
                    local_address=local_address,
                    socket_options=socket_options,
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as error:
                failure = error
                continue
            return _DeadlineStream(stream, self._deadline)
        assert failure is not None
        raise failure


@functools.cache
def _ssl_context() -> ssl.SSLContext:
    # Loading the CA bundle takes a while; one context serves every fetch (it is thread-safe).
    return httpx.create_ssl_context()


class GuardedTransport(httpx.HTTPTransport):
    """httpx's transport over a connection pool that uses `GuardedBackend`.

    httpx 0.28 has no public parameter for the network backend (encode/httpx#3749 proposes one),
    so the pool built by the parent is replaced. The test suite fails if that stops working: its
    refused-address tests fail the moment a socket connects anywhere but loopback.
    """

    def __init__(self, backend: GuardedBackend) -> None:
        context = _ssl_context()
        super().__init__(verify=context, trust_env=False, retries=0)
        self._pool = httpcore.ConnectionPool(
            ssl_context=context, network_backend=backend, retries=0
        )


# --- URLs ----------------------------------------------------------------------------------------


def normalise_url(url: str) -> str:
    """A feed address as http(s), or FetchError: `feed:`, `itpc:` and `pcast:` addresses (from
    podcast apps) become http; anything else but http and https is refused."""
    return str(_check_url(url))


def _check_url(text: str, *, base: httpx.URL | None = None) -> httpx.URL:
    """An http(s) URL without its fragment, `text` taken relative to `base` if given."""
    text = text.strip()
    scheme, colon, rest = text.partition(":")
    if colon and scheme.lower() in FEED_SCHEMES:
        rest = rest.removeprefix("//")
        text = rest if rest.lower().startswith(("http://", "https://")) else f"http://{rest}"
    try:
        url = base.join(text) if base is not None else httpx.URL(text)
    except (httpx.InvalidURL, TypeError, ValueError) as error:
        raise FetchError(_C.INVALID_URL, url=text[:2000]) from error
    if url.scheme not in ("http", "https"):
        raise FetchError(_C.UNSUPPORTED_SCHEME, {"scheme": url.scheme}, url=str(url))
    if not _HOST.fullmatch(url.raw_host):
        raise FetchError(_C.INVALID_URL, url=str(url))
    return url.copy_with(fragment=None)


# --- Fetching ------------------------------------------------------------------------------------


def _validator(value: str | None) -> str | None:
    """An ETag or Last-Modified value that is safe to send back as a header, else None."""
    if value is None:
        return None
    value = value.strip()
    if not value or len(value) > 512 or not value.isascii() or not value.isprintable():
        return None
    return value


def fetch(
    url: str,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
    limits: FetchLimits = DEFAULT_LIMITS,
) -> FetchResult:
    """Download a feed by the rules of this module; FetchError says why when it cannot."""
    start = _check_url(url)
    deadline = time.monotonic() + limits.total_timeout
    backend = GuardedBackend(allowed=allowed_hosts(), deadline=deadline)
    headers = {"User-Agent": USER_AGENT, "Accept": ACCEPT, "Accept-Encoding": "gzip, deflate"}
    etag, last_modified = _validator(etag), _validator(last_modified)
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    timeout = httpx.Timeout(
        connect=limits.connect_timeout,
        read=limits.read_timeout,
        write=limits.read_timeout,
        pool=limits.connect_timeout,
    )
    current = start
    seen = {str(current)}
    permanent_url: str | None = None
    all_permanent = True
    with httpx.Client(
        transport=GuardedTransport(backend),
        headers=headers,
        timeout=timeout,
        follow_redirects=False,
        trust_env=False,
    ) as client:
        for hop in range(limits.max_redirects + 1):
            try:
                with client.stream("GET", current) as response:
                    status = response.status_code
                    if status in REDIRECT_STATUSES:
                        location = response.headers.get("Location")
                        if not location:
                            raise FetchError(_C.REDIRECT_WITHOUT_LOCATION, url=str(current))
                        target = _check_url(location, base=current)
                        if str(target) in seen:
                            raise FetchError(_C.REDIRECT_LOOP, url=str(current))
                        if hop == limits.max_redirects:
                            raise FetchError(
                                _C.TOO_MANY_REDIRECTS,
                                {"limit": limits.max_redirects},
                                url=str(current),
                            )
                        all_permanent = all_permanent and status in PERMANENT_REDIRECT_STATUSES
                        if all_permanent:
                            permanent_url = str(target)
                        seen.add(str(target))
                        current = target
                        continue
                    if status == 304:
                        return FetchResult(
                            url=url,
                            final_url=str(current),
                            status=status,
                            content=b"",
                            content_type=response.headers.get("Content-Type", ""),
                            etag=_validator(response.headers.get("ETag")) or etag,
                            last_modified=_validator(response.headers.get("Last-Modified"))
                            or last_modified,
                            permanent_url=permanent_url,
                        )
                    if not 200 <= status < 300:
                        raise FetchError(_C.HTTP_STATUS, {"status": status}, url=str(current))
                    content = _read_body(response, limits)
                    return FetchResult(
                        url=url,
                        final_url=str(current),
                        status=status,
                        content=content,
                        content_type=response.headers.get("Content-Type", ""),
                        etag=_validator(response.headers.get("ETag")),
                        last_modified=_validator(response.headers.get("Last-Modified")),
                        permanent_url=permanent_url,
                    )
            except FetchError as error:
                error.url = error.url or str(current)
                raise
            except httpx.HTTPError as error:
                raise _translate(error, limits, deadline, str(current)) from error
            except httpx.InvalidURL as error:
                # httpx reads a redirect's Location even when it does not follow it.
                raise FetchError(_C.INVALID_URL, url=str(current)) from error
    raise AssertionError("unreachable: the loop returns or raises")  # pragma: no cover


def _read_body(response: httpx.Response, limits: FetchLimits) -> bytes:
    """The body, decompressed; TOO_LARGE as soon as it passes the limit."""
    too_large = FetchError(_C.TOO_LARGE, {"limit_bytes": limits.max_bytes})
    declared = response.headers.get("Content-Length", "").strip()
    if declared.isdigit() and int(declared) > limits.max_bytes:
        raise too_large
    decoder = _Decoder(response.headers.get("Content-Encoding", ""))
    body = bytearray()
    received = 0
    for chunk in response.iter_raw():
        received += len(chunk)
        if received > limits.max_bytes:
            raise too_large
        body += decoder.decode(chunk, room=limits.max_bytes - len(body))
        if len(body) > limits.max_bytes:
            raise too_large
    decoder.finish()
    return bytes(body)


class _Decoder:
    """Unpacks gzip or deflate content in steps that never yield more than `room + 1` bytes."""

    def __init__(self, content_encoding: str) -> None:
        codings = [
            coding
            for coding in (part.strip().lower() for part in content_encoding.split(","))
            if coding and coding != "identity"
        ]
        self._unpacker: Any = None
        self._deflate = False
        if not codings:
            return
        if codings in (["gzip"], ["x-gzip"]):
            self._unpacker = zlib.decompressobj(zlib.MAX_WBITS | 16)
        elif codings == ["deflate"]:
            self._deflate = True  # zlib-wrapped or raw: decided on the first bytes
        else:
            raise FetchError(_C.UNSUPPORTED_ENCODING, {"encoding": content_encoding[:40]})

    def decode(self, data: bytes, *, room: int) -> bytes:
        if self._deflate and self._unpacker is None and data:
            wrapped = len(data) >= 2 and data[0] & 0x0F == 8 and (data[0] << 8 | data[1]) % 31 == 0
            self._unpacker = zlib.decompressobj(zlib.MAX_WBITS if wrapped else -zlib.MAX_WBITS)
        if self._unpacker is None:
            return data
        out = bytearray()
        try:
            while data and not self._unpacker.eof and len(out) <= room:
                out += self._unpacker.decompress(data, room + 1 - len(out))
                data = self._unpacker.unconsumed_tail
        except zlib.error as error:
            raise FetchError(_C.CORRUPT_ENCODING) from error
        return bytes(out)

    def finish(self) -> None:
        if self._unpacker is not None and not self._unpacker.eof:
            raise FetchError(_C.CORRUPT_ENCODING)  # the compressed stream was cut short


def _causes(error: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def _translate(
    error: httpx.HTTPError, limits: FetchLimits, deadline: float, url: str
) -> FetchError:
    """The FetchError for an httpx failure."""
    if isinstance(error, httpx.TimeoutException):
        if time.monotonic() >= deadline - 0.01:
            return FetchError(_C.TOTAL_TIMEOUT, {"seconds": limits.total_timeout}, url=url)
        if isinstance(error, httpx.ConnectTimeout | httpx.PoolTimeout):
            return FetchError(_C.CONNECT_TIMEOUT, {"seconds": limits.connect_timeout}, url=url)
        return FetchError(_C.READ_TIMEOUT, {"seconds": limits.read_timeout}, url=url)
    causes = list(_causes(error))
    if any(isinstance(cause, ssl.SSLError | ssl.CertificateError) for cause in causes):
        return FetchError(_C.TLS, url=url)
    if any(isinstance(cause, ConnectionRefusedError) for cause in causes):
        return FetchError(_C.CONNECTION_REFUSED, url=url)
    if isinstance(error, httpx.UnsupportedProtocol):
        return FetchError(_C.UNSUPPORTED_SCHEME, url=url)
    if isinstance(error, httpx.RemoteProtocolError):
        return FetchError(_C.PROTOCOL, url=url)
    if isinstance(error, httpx.ConnectError):
        return FetchError(_C.CONNECTION_FAILED, url=url)
    if isinstance(error, httpx.ReadError | httpx.WriteError | httpx.NetworkError):
        return FetchError(_C.CONNECTION_LOST, url=url)
    return FetchError(_C.CONNECTION_FAILED, url=url)
