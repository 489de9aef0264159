"""A small OpenID Connect provider for the tests: an `http.server` on 127.0.0.1, never elsewhere.

It serves discovery, authorize (approving at once the one configured e-mail address and sending
the browser back with a code and the state), token (an RS256-signed ID token with the right
iss, aud, nonce and exp, after checking the client's secret, the redirect URI and PKCE),
userinfo and the JWKS. Its RSA key is made when it is created. Tests change what it answers
through its attributes: `email`, `email_verified`, `deny`, `id_token_changes` (claims to add or
replace), `signing_key` (a key not in its JWKS), `email_in_id_token`.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

CLIENT_ID = "forandra-test"
CLIENT_SECRET = "a-test-client-secret"


def new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


class LocalProvider:
    """Start with `with LocalProvider(email=...) as provider:`; `provider.settings()` are the
    Django settings that point single sign-on at it."""

    def __init__(self, *, email: str, name: str = "Testkommunens konto") -> None:
        self.email = email
        self.name = name
        self.email_verified: bool | str | None = None  # None: the claim is not sent
        self.email_in_id_token = False
        self.deny = False
        self.id_token_changes: dict[str, Any] = {}
        self.key = new_key()
        self.signing_key = self.key
        self.kid = secrets.token_hex(8)
        self.codes: dict[str, dict[str, Any]] = {}
        self.access_tokens: dict[str, dict[str, Any]] = {}
        self.served: list[str] = []  # "METHOD /path" of each request, in order
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def issuer(self) -> str:
        return self.url

    def settings(self, **changes: Any) -> dict[str, Any]:
        """Django settings for single sign-on through this provider (by discovery)."""
        return {
            "OIDC_RP_CLIENT_ID": CLIENT_ID,
            "OIDC_RP_CLIENT_SECRET": CLIENT_SECRET,
            "OIDC_OP_DISCOVERY_URL": f"{self.url}/.well-known/openid-configuration",
            "OIDC_PROVIDER_NAME": self.name,
            **changes,
        }

    def explicit_settings(self, **changes: Any) -> dict[str, Any]:
        """The same, with the endpoints named one by one instead of discovered."""
        endpoints = {
            "OIDC_OP_DISCOVERY_URL": "",
            "OIDC_OP_AUTHORIZATION_ENDPOINT": f"{self.url}/authorize",
            "OIDC_OP_TOKEN_ENDPOINT": f"{self.url}/token",
            "OIDC_OP_USER_ENDPOINT": f"{self.url}/userinfo",
            "OIDC_OP_JWKS_ENDPOINT": f"{self.url}/jwks",
            "OIDC_OP_ISSUER": self.issuer,
        }
        return self.settings(**{**endpoints, **changes})

    def start(self) -> LocalProvider:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> LocalProvider:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- what the endpoints answer -----------------------------------------------------------

    def subject(self) -> str:
        return hashlib.sha256(self.email.lower().encode()).hexdigest()[:24]

    def discovery(self) -> dict[str, Any]:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.url}/authorize",
            "token_endpoint": f"{self.url}/token",
            "userinfo_endpoint": f"{self.url}/userinfo",
            "jwks_uri": f"{self.url}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "scopes_supported": ["openid", "email", "profile"],
            "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
            "code_challenge_methods_supported": ["S256"],
        }

    def jwks(self) -> dict[str, Any]:
        jwk = RSAAlgorithm.to_jwk(self.key.public_key(), as_dict=True)
        return {"keys": [{**jwk, "kid": self.kid, "alg": "RS256", "use": "sig"}]}

    def authorize(self, query: dict[str, str]) -> tuple[int, dict[str, str], Any]:
        redirect_uri = query.get("redirect_uri", "")
        if urlsplit(redirect_uri).hostname != "127.0.0.1":
            return 400, {}, {"error": "invalid_request", "error_description": "redirect_uri"}
        if query.get("client_id") != CLIENT_ID or query.get("response_type") != "code":
            return 400, {}, {"error": "unauthorized_client"}
        if "openid" not in query.get("scope", "").split():
            return 400, {}, {"error": "invalid_scope"}
        state = query.get("state", "")
        if self.deny:
            target = f"{redirect_uri}?{urlencode({'error': 'access_denied', 'state': state})}"
            return 302, {"Location": target}, None
        code = secrets.token_urlsafe(24)
        self.codes[code] = {
            "redirect_uri": redirect_uri,
            "nonce": query.get("nonce"),
            "code_challenge": query.get("code_challenge"),
            "code_challenge_method": query.get("code_challenge_method"),
            "scope": query.get("scope", ""),
        }
        target = f"{redirect_uri}?{urlencode({'code': code, 'state': state})}"
        return 302, {"Location": target}, None

    def token(self, form: dict[str, str], basic: tuple[str, str] | None) -> tuple[int, Any]:
        client_id, client_secret = basic or (form.get("client_id"), form.get("client_secret"))
        if client_id != CLIENT_ID or client_secret != CLIENT_SECRET:
            return 401, {"error": "invalid_client"}
        if form.get("grant_type") != "authorization_code":
            return 400, {"error": "unsupported_grant_type"}
        grant = self.codes.pop(form.get("code", ""), None)  # a code works once
        if grant is None or grant["redirect_uri"] != form.get("redirect_uri"):
            return 400, {"error": "invalid_grant"}
        if grant["code_challenge"]:
            verifier = form.get("code_verifier", "")
            digest = hashlib.sha256(verifier.encode("ascii")).digest()
            challenge = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
            if grant["code_challenge_method"] != "S256" or challenge != grant["code_challenge"]:
                return 400, {"error": "invalid_grant", "error_description": "PKCE"}
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "sub": self.subject(),
            "aud": CLIENT_ID,
            "iat": now,
            "exp": now + 300,
        }
        if grant["nonce"] is not None:
            claims["nonce"] = grant["nonce"]
        if self.email_in_id_token:
            claims.update(self._email_claims())
        claims.update(self.id_token_changes)
        id_token = jwt.encode(
            claims, self.signing_key, algorithm="RS256", headers={"kid": self.kid}
        )
        access_token = secrets.token_urlsafe(24)
        self.access_tokens[access_token] = {"sub": self.subject(), **self._email_claims()}
        return 200, {
            "access_token": access_token,
            "token_type": "Bearer",
            "expires_in": 300,
            "id_token": id_token,
        }

    def _email_claims(self) -> dict[str, Any]:
        claims: dict[str, Any] = {"email": self.email}
        if self.email_verified is not None:
            claims["email_verified"] = self.email_verified
        return claims

    def userinfo(self, authorization: str) -> tuple[int, Any]:
        scheme, _, token = authorization.partition(" ")
        claims = self.access_tokens.get(token) if scheme.lower() == "bearer" else None
        if claims is None:
            return 401, {"error": "invalid_token"}
        return 200, claims


def _handler_for(provider: LocalProvider) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass  # quiet: the tests read `provider.served`

        def _send(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
            payload = b"" if body is None else json.dumps(body).encode()
            self.send_response(status)
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            if body is not None:
                self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(payload)

        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            provider.served.append(f"GET {parts.path}")
            query = {key: values[0] for key, values in parse_qs(parts.query).items()}
            if parts.path == "/.well-known/openid-configuration":
                self._send(200, provider.discovery())
            elif parts.path == "/jwks":
                self._send(200, provider.jwks())
            elif parts.path == "/authorize":
                status, headers, body = provider.authorize(query)
                self._send(status, body, headers)
            elif parts.path == "/userinfo":
                self._send(*provider.userinfo(self.headers.get("Authorization", "")))
            else:
                self._send(404, {"error": "not_found"})

        def do_POST(self) -> None:
            parts = urlsplit(self.path)
            provider.served.append(f"POST {parts.path}")
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length).decode()
            form = {key: values[0] for key, values in parse_qs(raw).items()}
            if parts.path != "/token":
                self._send(404, {"error": "not_found"})
                return
            basic = None
            scheme, _, encoded = self.headers.get("Authorization", "").partition(" ")
            if scheme.lower() == "basic":
                user, _, password = base64.b64decode(encoded).decode().partition(":")
                basic = (user, password)
            self._send(*provider.token(form, basic))

    return Handler
