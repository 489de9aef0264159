"""Safe fetching: addresses, redirects, limits, conditional GET, and a reason for every failure."""

from __future__ import annotations

import contextlib
import ipaddress
import pickle
import shutil
import socket
import ssl
import subprocess
import threading
import time
import tracemalloc
from pathlib import Path

import pytest
from django.utils import translation

from forandra.scanning import fetch as fetching
from forandra.scanning.fetch import FetchError, FetchErrorCode, FetchLimits, fetch, normalise_url

from .conftest import ETAG, FEEDS, LAST_MODIFIED, MEGABYTE, FeedServer, Network

pytestmark = pytest.mark.usefixtures("english")

# Small timeouts keep the suite fast; every test that waits, waits for less than a second.
FAST = FetchLimits(connect_timeout=1.0, read_timeout=0.3, total_timeout=1.0, max_redirects=3)
RSS = (FEEDS / "rss20.xml").read_bytes()


def fetch_error(url: str, limits: FetchLimits = FAST, **kwargs: str) -> FetchError:
    with pytest.raises(FetchError) as caught:
        fetch(url, limits=limits, **kwargs)
    return caught.value


# --- Which addresses are public ------------------------------------------------------------------

INTERNAL_ADDRESSES = [
    "10.0.0.1",
    "172.16.5.4",
    "192.168.1.1",
    "127.0.0.1",
    "127.8.9.10",
    "169.254.169.254",  # cloud metadata
    "0.0.0.0",  # noqa: S104 (an address to refuse, not one to listen on)
    "100.64.0.1",  # shared address space (carrier-grade NAT)
    "192.0.2.1",  # documentation
    "198.18.0.1",  # benchmarking
    "224.0.0.1",  # multicast
    "240.0.0.1",  # reserved
    "255.255.255.255",
    "::1",
    "::",
    "fe80::1",
    "fc00::1",
    "fd12:3456::1",
    "fec0::1",  # deprecated site-local
    "ff02::1",  # multicast
    "2001:db8::1",  # documentation
    "::ffff:127.0.0.1",  # IPv4-mapped loopback
    "::ffff:10.0.0.1",
    "::ffff:169.254.169.254",
    "::127.0.0.1",  # IPv4-compatible (deprecated)
    "64:ff9b::7f00:1",  # NAT64 of 127.0.0.1
    "64:ff9b::a9fe:a9fe",  # NAT64 of 169.254.169.254
    "64:ff9b:1::a00:1",  # local-use NAT64
    "2002:7f00:1::1",  # 6to4 of 127.0.0.1
    "2002:a00:1::1",  # 6to4 of 10.0.0.1
    "2001::1",  # Teredo
]
PUBLIC_ADDRESSES = [
    "8.8.8.8",
    "193.11.1.1",
    "2001:4860:4860::8888",
    "2a00:1450:4001::1",
    "::ffff:8.8.8.8",
    "64:ff9b::808:808",  # NAT64 of 8.8.8.8: what an IPv6-only network with DNS64 sees
    "2002:808:808::1",
]


@pytest.mark.parametrize("address", INTERNAL_ADDRESSES)
def test_internal_and_special_addresses_are_not_public(address: str) -> None:
    assert not fetching.is_public_address(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", PUBLIC_ADDRESSES)
def test_global_addresses_are_public(address: str) -> None:
    assert fetching.is_public_address(ipaddress.ip_address(address))


# --- Refused before any connection ----------------------------------------------------------------


@pytest.mark.parametrize("address", INTERNAL_ADDRESSES)
def test_a_name_resolving_to_an_internal_address_is_refused_before_connecting(
    network: Network, address: str
) -> None:
    network.names["intranet.example"] = [address]
    error = fetch_error("http://intranet.example/feed.xml")
    assert error.code == FetchErrorCode.REFUSED_ADDRESS
    assert error.params == {"host": "intranet.example", "address": address}
    assert network.lookups == ["intranet.example"]
    assert network.connections == []


def test_a_name_with_one_internal_address_among_public_ones_is_refused(network: Network) -> None:
    network.names["mixed.example"] = ["8.8.8.8", "2001:4860:4860::8888", "10.1.2.3"]
    error = fetch_error("https://mixed.example/feed.xml")
    assert (error.code, error.params["address"]) == (FetchErrorCode.REFUSED_ADDRESS, "10.1.2.3")
    assert network.connections == []


@pytest.mark.parametrize(
    "url",
    [
        "http://10.0.0.1/feed",
        "http://169.254.169.254/latest/meta-data/",
        "http://127.0.0.1:8000/admin/",
        "http://0.0.0.0/",
        "http://[::1]/",
        "http://[::ffff:127.0.0.1]/",
        "http://[fe80::1]/",
        "http://2130706433/",  # 127.0.0.1 as one decimal number
        "http://0x7f.1/",  # and in hexadecimal shorthand
        "http://127.1/",
    ],
)
def test_internal_address_literals_are_refused_before_connecting(
    network: Network, url: str
) -> None:
    assert fetch_error(url).code == FetchErrorCode.REFUSED_ADDRESS
    assert network.lookups == []
    assert network.connections == []


def test_the_connection_goes_to_the_address_that_was_checked(
    network: Network, server: FeedServer
) -> None:
    # DNS rebinding: the first answer passes the check, later answers point at loopback. The
    # name is looked up once, and the socket connects to the first answer, never to loopback.
    answers = iter([["93.184.215.14"]])
    network.names["rebind.example"] = lambda: next(answers, ["127.0.0.1"])
    network.refuse_quietly.add("93.184.215.14")
    error = fetch_error(f"http://rebind.example:{server.server_port}/feeds/rss20.xml")
    assert error.code == FetchErrorCode.CONNECTION_REFUSED
    assert network.lookups == ["rebind.example"]
    assert network.connections == [("93.184.215.14", server.server_port)]
    assert server.requests == []


def test_the_request_names_the_host_not_the_address(
    network: Network, feed_server: FeedServer, settings
) -> None:
    settings.SCANNING_ALLOWED_HOSTS = ["feeds.example"]
    network.names["feeds.example"] = ["127.0.0.1"]
    feed_server.requests.clear()
    fetch(f"http://feeds.example:{feed_server.server_port}/feeds/rss20.xml", limits=FAST)
    assert feed_server.requests[0][1]["Host"] == f"feeds.example:{feed_server.server_port}"
    assert network.connections == [("127.0.0.1", feed_server.server_port)]


@pytest.fixture(scope="session")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for feeds.example, made with Debian's openssl."""
    openssl = shutil.which("openssl")
    assert openssl, "openssl not found: apt-get install openssl"
    directory = tmp_path_factory.mktemp("tls")
    certificate, key = directory / "certificate.pem", directory / "key.pem"
    subprocess.run(
        [
            *(openssl, "req", "-x509", "-nodes", "-days", "1", "-subj", "/CN=feeds.example"),
            *("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"),
            *("-keyout", str(key), "-out", str(certificate)),
        ],
        check=True,
        capture_output=True,
    )
    return certificate, key


def test_tls_names_the_host_not_the_address(
    network: Network, settings, certificate: tuple[Path, Path]
) -> None:
    # The socket connects to the checked address; the TLS handshake still asks for the name
    # (SNI) and verifies the certificate against it. Here it fails: the certificate is
    # self-signed.
    settings.SCANNING_ALLOWED_HOSTS = ["feeds.example"]
    network.names["feeds.example"] = ["127.0.0.1"]
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*certificate)
    names: list[str | None] = []
    context.sni_callback = lambda _socket, name, _context: names.append(name)

    def serve(listener: socket.socket) -> None:
        connection, _address = listener.accept()
        with contextlib.suppress(OSError), context.wrap_socket(connection, server_side=True):
            pass

    with socket.create_server(("127.0.0.1", 0)) as listener:
        port = listener.getsockname()[1]
        thread = threading.Thread(target=serve, args=(listener,), daemon=True)
        thread.start()
        error = fetch_error(f"https://feeds.example:{port}/feed.xml")
        thread.join(timeout=2)
    assert error.code == FetchErrorCode.TLS
    assert names == ["feeds.example"]
    assert network.connections == [("127.0.0.1", port)]


def test_a_public_name_connects_to_each_of_its_addresses_in_turn(network: Network) -> None:
    network.names["feeds.example"] = ["2001:4860:4860::8888", "8.8.8.8"]
    network.refuse_quietly.update({"2001:4860:4860::8888", "8.8.8.8"})
    assert fetch_error("http://feeds.example/rss").code == FetchErrorCode.CONNECTION_REFUSED
    assert network.connections == [("2001:4860:4860::8888", 80), ("8.8.8.8", 80)]


def test_loopback_is_refused_unless_the_setting_allows_it(
    network: Network, feed_server: FeedServer, settings
) -> None:
    url = feed_server.url("/feeds/rss20.xml")
    assert fetch_error(url).code == FetchErrorCode.REFUSED_ADDRESS
    assert network.connections == []

    settings.SCANNING_ALLOWED_HOSTS = ["127.0.0.1"]
    assert fetch(url, limits=FAST).content == RSS
    assert network.connections == [("127.0.0.1", feed_server.server_port)]


def test_an_allowed_name_passes_whatever_it_resolves_to(
    network: Network, feed_server: FeedServer, settings
) -> None:
    settings.SCANNING_ALLOWED_HOSTS = ["Demo-Feeds.example."]
    network.names["demo-feeds.example"] = ["127.0.0.1"]
    result = fetch(f"http://demo-feeds.example:{feed_server.server_port}/feeds/rss20.xml")
    assert result.content == RSS


def test_an_unknown_name_is_reported_as_not_found(network: Network) -> None:
    error = fetch_error("https://no-such-host.example/feed")
    assert (error.code, error.params) == (
        FetchErrorCode.HOST_NOT_FOUND,
        {"host": "no-such-host.example"},
    )
    assert "no-such-host.example" in error.reason


# --- Addresses and schemes -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "code"),
    [
        ("file:///etc/passwd", FetchErrorCode.UNSUPPORTED_SCHEME),
        ("ftp://ftp.example/feed.xml", FetchErrorCode.UNSUPPORTED_SCHEME),
        ("javascript:alert(1)", FetchErrorCode.UNSUPPORTED_SCHEME),
        ("data:text/xml,<rss/>", FetchErrorCode.UNSUPPORTED_SCHEME),
        ("gopher://example/", FetchErrorCode.UNSUPPORTED_SCHEME),
        ("", FetchErrorCode.UNSUPPORTED_SCHEME),
        ("feeds.example/rss", FetchErrorCode.UNSUPPORTED_SCHEME),
        ("http://", FetchErrorCode.INVALID_URL),
        ("http://exa mple.org/", FetchErrorCode.INVALID_URL),
    ],
)
def test_only_http_and_https_addresses_are_fetched(
    network: Network, url: str, code: FetchErrorCode
) -> None:
    assert fetch_error(url).code == code
    assert network.connections == []


@pytest.mark.parametrize(
    ("written", "normalised"),
    [
        ("https://Feeds.Example/rss#top", "https://feeds.example/rss"),
        ("  http://feeds.example/a?b=1  ", "http://feeds.example/a?b=1"),
        ("feed://feeds.example/rss", "http://feeds.example/rss"),
        ("feed:https://feeds.example/rss", "https://feeds.example/rss"),
        ("itpc://podcasts.example/show.xml", "http://podcasts.example/show.xml"),
        ("pcast://podcasts.example/show.xml", "http://podcasts.example/show.xml"),
    ],
)
def test_feed_addresses_are_normalised(written: str, normalised: str) -> None:
    assert normalise_url(written) == normalised


# --- Fetching from the local server --------------------------------------------------------------


def test_a_feed_is_fetched_with_its_validators(server: FeedServer) -> None:
    result = fetch(server.url("/conditional"), limits=FAST)
    assert result.status == 200
    assert not result.not_modified
    assert result.content == RSS
    assert result.content_type == "application/rss+xml"
    assert (result.etag, result.last_modified) == (ETAG, LAST_MODIFIED)
    assert result.final_url == server.url("/conditional")
    assert result.permanent_url is None
    headers = server.requests[0][1]
    assert headers["User-Agent"] == fetching.USER_AGENT
    assert "If-None-Match" not in headers


@pytest.mark.parametrize(
    "validators",
    [{"etag": ETAG}, {"last_modified": LAST_MODIFIED}, {"etag": ETAG, "last_modified": "x"}],
)
def test_an_unchanged_feed_answers_not_modified(
    server: FeedServer, validators: dict[str, str]
) -> None:
    result = fetch(server.url("/conditional"), limits=FAST, **validators)
    assert result.not_modified
    assert result.content == b""
    assert result.etag == ETAG
    sent = server.requests[0][1]
    assert sent.get("If-None-Match") == validators.get("etag")
    assert sent.get("If-Modified-Since") == validators.get("last_modified")


def test_a_changed_feed_is_fetched_again(server: FeedServer) -> None:
    result = fetch(server.url("/conditional"), etag='"v0"', limits=FAST)
    assert (result.status, result.content) == (200, RSS)


def test_validators_that_could_inject_headers_are_not_sent(server: FeedServer) -> None:
    result = fetch(server.url("/conditional"), etag='"v1"\r\nX-Injected: yes', limits=FAST)
    assert result.status == 200
    assert "X-Injected" not in server.requests[0][1]
    assert "If-None-Match" not in server.requests[0][1]


def test_redirects_are_followed_within_the_limit(server: FeedServer) -> None:
    result = fetch(server.url("/chain/3"), limits=FAST)
    assert result.content == RSS
    assert result.final_url == server.url("/chain/0")
    assert [path for path, _headers in server.requests] == [f"/chain/{n}" for n in (3, 2, 1, 0)]


def test_too_many_redirects_are_an_error(server: FeedServer) -> None:
    error = fetch_error(server.url("/chain/4"))
    assert (error.code, error.params) == (FetchErrorCode.TOO_MANY_REDIRECTS, {"limit": 3})
    assert error.reason == "The address redirects more than 3 times."


def test_a_redirect_loop_is_an_error(server: FeedServer) -> None:
    assert fetch_error(server.url("/loop/a")).code == FetchErrorCode.REDIRECT_LOOP
    assert len(server.requests) == 2


def test_a_redirect_without_a_location_is_an_error(server: FeedServer) -> None:
    error = fetch_error(server.url("/redirect"))
    assert error.code == FetchErrorCode.REDIRECT_WITHOUT_LOCATION


def test_permanent_redirects_give_the_feed_its_new_address(server: FeedServer) -> None:
    result = fetch(server.url("/moved"), limits=FAST)
    assert result.final_url == server.url("/feeds/rss20.xml")
    assert result.permanent_url == server.url("/feeds/rss20.xml")
    assert fetch(server.url("/temporary-then-moved"), limits=FAST).permanent_url is None


@pytest.mark.parametrize(
    ("target", "resolves_to"),
    [
        ("http://localhost:{port}/feeds/rss20.xml", "127.0.0.1"),
        ("http://[::1]:{port}/feeds/rss20.xml", None),
        ("http://127.0.0.2:{port}/feeds/rss20.xml", None),
        ("http://intranet.example/", "10.0.0.1"),
        ("http://metadata.example/latest/meta-data/", "169.254.169.254"),
        ("http://169.254.169.254/latest/meta-data/", None),
        ("http://link-local.example/", "fe80::1"),
        ("http://mapped.example/", "::ffff:192.168.0.1"),
    ],
)
def test_a_redirect_to_an_internal_address_is_refused_before_connecting(
    network: Network, server: FeedServer, target: str, resolves_to: str | None
) -> None:
    if resolves_to:
        network.names[target.split("/")[2].split(":")[0]] = [resolves_to]
    location = target.format(port=server.server_port)
    error = fetch_error(server.url(f"/redirect?to={location}"))
    assert error.code == FetchErrorCode.REFUSED_ADDRESS
    assert error.url == location
    # One connection: the one to the server that sent the redirect.
    assert network.connections == [("127.0.0.1", server.server_port)]


@pytest.mark.parametrize(
    "location", ["file:///etc/passwd", "ftp://files.example/feed.xml", "javascript:alert(1)"]
)
def test_a_redirect_to_another_scheme_is_refused(server: FeedServer, location: str) -> None:
    # httpx itself rejects some Locations it cannot parse as URLs, before the scheme check.
    assert fetch_error(server.url(f"/redirect?to={location}")).code in (
        FetchErrorCode.UNSUPPORTED_SCHEME,
        FetchErrorCode.INVALID_URL,
    )
    assert len(server.requests) == 1


# --- Limits ---------------------------------------------------------------------------------------


def test_a_50_megabyte_body_is_cut_off_at_the_size_limit(server: FeedServer) -> None:
    tracemalloc.start()
    started = time.monotonic()
    try:
        error = fetch_error(server.url("/huge"), limits=FetchLimits(max_bytes=2 * MEGABYTE))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert (error.code, error.params) == (FetchErrorCode.TOO_LARGE, {"limit_bytes": 2 * MEGABYTE})
    assert error.reason == "The feed is larger than the limit of 2.0\xa0MB."
    assert peak < 8 * MEGABYTE
    assert time.monotonic() - started < 2


def test_a_declared_length_over_the_limit_is_refused_without_reading(server: FeedServer) -> None:
    started = time.monotonic()
    error = fetch_error(server.url("/huge-declared"), limits=FetchLimits())
    assert (error.code, error.params) == (FetchErrorCode.TOO_LARGE, {"limit_bytes": 5 * MEGABYTE})
    assert time.monotonic() - started < 1


def test_a_compression_bomb_is_cut_off_at_the_size_limit(server: FeedServer) -> None:
    tracemalloc.start()
    try:
        error = fetch_error(server.url("/gzip-bomb"), limits=FetchLimits(max_bytes=MEGABYTE))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert error.code == FetchErrorCode.TOO_LARGE
    assert peak < 4 * MEGABYTE


@pytest.mark.parametrize("path", ["/gzip", "/deflate", "/raw-deflate"])
def test_compressed_feeds_are_unpacked(server: FeedServer, path: str) -> None:
    assert fetch(server.url(path), limits=FAST).content == RSS
    assert server.requests[0][1]["Accept-Encoding"] == "gzip, deflate"


def test_a_size_limit_counts_unpacked_bytes(server: FeedServer) -> None:
    limits = FetchLimits(max_bytes=len(RSS) - 1)
    assert fetch_error(server.url("/gzip"), limits=limits).code == FetchErrorCode.TOO_LARGE


@pytest.mark.parametrize(
    ("path", "code"),
    [
        ("/brotli", FetchErrorCode.UNSUPPORTED_ENCODING),
        ("/truncated-gzip", FetchErrorCode.CORRUPT_ENCODING),
    ],
)
def test_content_that_cannot_be_unpacked_is_an_error(
    server: FeedServer, path: str, code: FetchErrorCode
) -> None:
    assert fetch_error(server.url(path)).code == code


def test_a_silent_server_times_out(server: FeedServer) -> None:
    started = time.monotonic()
    error = fetch_error(server.url("/slow"))
    assert (error.code, error.params) == (FetchErrorCode.READ_TIMEOUT, {"seconds": 0.3})
    assert time.monotonic() - started < 1.5
    with translation.override("en"):
        assert error.reason == "The server stopped answering for more than 0.3 s."


@pytest.mark.parametrize("path", ["/trickle", "/trickle-headers"])
def test_a_trickling_server_hits_the_deadline_for_the_whole_fetch(
    server: FeedServer, path: str
) -> None:
    # A byte every 50 ms never trips the 0.3 s read timeout; the 1 s deadline stops it.
    started = time.monotonic()
    error = fetch_error(server.url(path))
    assert (error.code, error.params) == (FetchErrorCode.TOTAL_TIMEOUT, {"seconds": 1.0})
    assert error.reason == "Fetching the feed took longer than 1 s."
    assert 0.9 < time.monotonic() - started < 2


# --- Other failures -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "reason"),
    [
        (404, "The server has no feed at this address (status 404)."),
        (410, "The feed has been removed from the server (status 410)."),
        (403, "The server refuses access to the feed (status 403)."),
        (500, "The server had an internal problem (status 500)."),
        (418, "The server answered with the error status 418."),
    ],
)
def test_an_error_status_is_reported_with_a_reason(
    server: FeedServer, status: int, reason: str
) -> None:
    error = fetch_error(server.url(f"/status/{status}"))
    assert (error.code, error.params, error.reason) == (
        FetchErrorCode.HTTP_STATUS,
        {"status": status},
        reason,
    )


def test_a_closed_port_refuses_the_connection(allow_loopback: None) -> None:
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    error = fetch_error(f"http://127.0.0.1:{port}/feed")
    assert (error.code, error.reason) == (
        FetchErrorCode.CONNECTION_REFUSED,
        "The server refused the connection.",
    )


def test_a_failed_tls_handshake_is_a_tls_error(server: FeedServer) -> None:
    url = server.url("/feeds/rss20.xml").replace("http://", "https://")
    assert fetch_error(url).code == FetchErrorCode.TLS


@pytest.mark.parametrize("path", ["/not-http", "/hang-up"])
def test_an_answer_that_is_not_http_is_a_protocol_error(server: FeedServer, path: str) -> None:
    assert fetch_error(server.url(path)).code == FetchErrorCode.PROTOCOL


# --- Errors ---------------------------------------------------------------------------------------

SAMPLE_PARAMS: dict[str, str | int | float] = {
    "host": "feeds.example",
    "address": "10.0.0.1",
    "scheme": "ftp",
    "seconds": 2.5,
    "limit_bytes": 5 * MEGABYTE,
    "limit": 5,
    "status": 502,
    "encoding": "br",
}


@pytest.mark.parametrize("code", list(FetchErrorCode))
def test_every_error_code_has_a_readable_reason(code: FetchErrorCode) -> None:
    reason = FetchError(code, SAMPLE_PARAMS).reason
    assert reason.endswith(".")
    assert "%(" not in reason


def test_reasons_are_formatted_for_the_active_language() -> None:
    error = FetchError(FetchErrorCode.TOO_LARGE, {"limit_bytes": 5 * MEGABYTE})
    with translation.override("en"):
        assert "5.0\xa0MB" in error.reason
    with translation.override("sv"):
        assert "5,0\xa0MB" in error.reason


def test_an_error_survives_pickling() -> None:
    error = FetchError(FetchErrorCode.HTTP_STATUS, {"status": 404}, url="https://x.example/")
    copy = pickle.loads(pickle.dumps(error))  # noqa: S301 (bytes made on the line)
    assert (copy.code, copy.params, copy.url, copy.reason) == (
        error.code,
        error.params,
        error.url,
        error.reason,
    )
