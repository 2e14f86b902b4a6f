"""private_key_jwt (RFC 7523, as draft-ietf-oauth-rfc7523bis tightens it): the client key file, the client assertion,
and a token source that caches an access token and renews it before it expires."""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import ipaddress
import json
import os
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from typing import Callable

import jwt
from cryptography.hazmat.primitives.asymmetric import ec

from . import secret_file

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
ASSERTION_TOKEN_TYPE = "client-authentication+jwt"
ASSERTION_LIFETIME_SECONDS = 120


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64url_int(text: str, length: int = 32) -> int:
    raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    if len(raw) != length:
        raise ValueError("wrong length")
    return int.from_bytes(raw, "big")


class ClientKey:
    """A client's EC P-256 private key, kept as a JWK file that never leaves the partner (the format of the .NET SDK
    and `sharectl keys new`). The platform registers its public half."""

    def __init__(self, private_key: ec.EllipticCurvePrivateKey):
        if not isinstance(private_key.curve, ec.SECP256R1):
            raise ValueError("A client key is an EC P-256 key.")
        self._private_key = private_key
        numbers = private_key.public_key().public_numbers()
        self._x = _b64url(numbers.x.to_bytes(32, "big"))
        self._y = _b64url(numbers.y.to_bytes(32, "big"))
        # RFC 7638 thumbprint: the required members, sorted, no white space.
        canonical = json.dumps({"crv": "P-256", "kty": "EC", "x": self._x, "y": self._y}, separators=(",", ":"),
                               sort_keys=True)
        self.key_id = _b64url(hashlib.sha256(canonical.encode("ascii")).digest())

    @classmethod
    def create(cls) -> ClientKey:
        return cls(ec.generate_private_key(ec.SECP256R1()))

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> ClientKey:
        """Reads a private JWK file; ValueError if it is not a private EC P-256 JWK (the message names the file only)."""
        name = os.fspath(path)
        try:
            with open(path, encoding="utf-8") as file:
                jwk = json.load(file)
            if jwk.get("kty") != "EC" or jwk.get("crv") != "P-256" or not jwk.get("d"):
                raise ValueError
            public = ec.EllipticCurvePublicNumbers(_b64url_int(jwk["x"]), _b64url_int(jwk["y"]), ec.SECP256R1())
            private = ec.EllipticCurvePrivateNumbers(_b64url_int(jwk["d"]), public).private_key()
        except (ValueError, KeyError, TypeError, AttributeError):
            raise ValueError(f"{name} is not a private EC P-256 JWK.") from None
        return cls(private)

    def save(self, path: str | os.PathLike[str]) -> None:
        """Writes the private JWK, owner-only; refuses to overwrite a file (FileExistsError)."""
        d = _b64url(self._private_key.private_numbers().private_value.to_bytes(32, "big"))
        secret_file.write_new(path, json.dumps({**self.public_jwk(), "d": d}))

    def public_jwk(self) -> dict[str, str]:
        """The public JWK to register with the platform."""
        return {"kty": "EC", "crv": "P-256", "x": self._x, "y": self._y, "kid": self.key_id, "use": "sig",
                "alg": "ES256"}

    def client_assertion(self, client_id: str, issuer: str, now: float | None = None) -> str:
        """A fresh private_key_jwt assertion: typ client-authentication+jwt, aud exactly the issuer, a new jti, whole
        seconds, two minutes of life."""
        issued = int(time.time() if now is None else now)
        claims = {"iss": client_id, "sub": client_id, "aud": issuer, "jti": uuid.uuid4().hex,
                  "iat": issued, "nbf": issued, "exp": issued + ASSERTION_LIFETIME_SECONDS}
        return jwt.encode(claims, self._private_key, algorithm="ES256",
                          headers={"typ": ASSERTION_TOKEN_TYPE, "kid": self.key_id})

    def __repr__(self) -> str:
        return f"ClientKey(kid={self.key_id})"


def _require_tls_off_loopback(url: str) -> urllib.parse.SplitResult:
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"{url} is not an http or https address.")
    if parts.scheme == "http":
        host = parts.hostname
        try:
            loopback = ipaddress.ip_address(host).is_loopback
        except ValueError:
            loopback = host == "localhost"
        if not loopback:
            # Assertions and tokens never travel in cleartext beyond this machine.
            raise ValueError(f"{url} is not https; only loopback addresses may use plain http.")
    return parts


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urllib.parse.urlsplit(url)
    return parts.scheme.lower(), (parts.hostname or "").lower(), parts.port or {"http": 80, "https": 443}.get(parts.scheme.lower())


class TokenRequestError(Exception):
    """The identity server refused a token request: the OAuth error code and description."""

    def __init__(self, error: str, description: str | None = None):
        super().__init__(f"Token request refused: {error}" + (f" - {description}" if description else ""))
        self.error = error
        self.description = description


class IdentityUnreachable(ConnectionError):
    """The identity server could not be reached (not a refusal)."""


@dataclasses.dataclass(frozen=True)
class AccessToken:
    # The bearer token is a credential: kept out of the repr, so no log line or traceback shows it.
    value: str = dataclasses.field(repr=False)
    expires_at: float = 0.0


class TokenSource:
    """Access tokens with the client credentials grant and private_key_jwt. Discovery names the issuer (the assertion's
    audience) and the token endpoint; one token is cached and the next fetched once less than `renew_before` seconds
    of it remain. Safe to share between threads."""

    RENEW_BEFORE_SECONDS = 60.0

    def __init__(self, issuer: str, client_id: str, key: ClientKey, *, renew_before: float = RENEW_BEFORE_SECONDS,
                 clock: Callable[[], float] = time.time, timeout: float = 30.0):
        _require_tls_off_loopback(issuer)
        self.issuer = issuer if issuer.endswith("/") else issuer + "/"
        self.client_id = client_id
        self._key = key
        self._renew_before = renew_before
        self._clock = clock
        self._timeout = timeout
        self._lock = threading.Lock()
        self._token: AccessToken | None = None
        self._token_endpoint: str | None = None

    @property
    def token_endpoint(self) -> str:
        if self._token_endpoint is None:
            self._token_endpoint = self._discover()
        return self._token_endpoint

    def token(self) -> str:
        """A valid access token, fetched only when none is cached or the cached one is due for renewal."""
        cached = self._token
        if cached is not None and self._clock() < cached.expires_at - self._renew_before:
            return cached.value
        with self._lock:
            cached = self._token
            if cached is not None and self._clock() < cached.expires_at - self._renew_before:
                return cached.value
            self._token = self.request()
            return self._token.value

    def request(self) -> AccessToken:
        """One token request, without caching; TokenRequestError when refused."""
        endpoint = self.token_endpoint
        body = urllib.parse.urlencode({
            "grant_type": "client_credentials",
            "client_id": self.client_id,
            "client_assertion_type": ASSERTION_TYPE,
            "client_assertion": self._key.client_assertion(self.client_id, self.issuer, self._clock()),
        }).encode("ascii")
        asked = self._clock()
        answer = self._post(endpoint, body)
        value, expires_in = answer.get("access_token"), answer.get("expires_in")
        if not isinstance(value, str) or not value or not isinstance(expires_in, (int, float)):
            raise TokenRequestError("token_request_failed", "the answer holds no access token")
        return AccessToken(value, asked + float(expires_in))

    def _discover(self) -> str:
        url = self.issuer + ".well-known/openid-configuration"
        document = self._get(url)
        if document.get("issuer") != self.issuer:
            # The assertion's audience must be exactly the issuer discovery publishes.
            raise TokenRequestError("invalid_issuer", f"discovery at {url} names another issuer")
        endpoint = document.get("token_endpoint")
        if not isinstance(endpoint, str) or not endpoint:
            raise TokenRequestError("invalid_discovery", f"discovery at {url} names no token endpoint")
        # The assertion and the token travel only to the issuer's own origin (scheme, host and port), which __init__
        # checked is https or loopback: a document naming another place (plain http behind a proxy) is refused.
        if _origin(endpoint) != _origin(self.issuer):
            raise TokenRequestError("invalid_discovery", f"discovery at {url} names a token endpoint off the issuer's origin")
        return endpoint

    def _get(self, url: str) -> dict:
        try:
            with urllib.request.urlopen(url, timeout=self._timeout) as response:
                return json.load(response)
        except urllib.error.HTTPError as error:
            raise TokenRequestError("discovery_failed", f"HTTP {error.code} from {url}") from None
        except (urllib.error.URLError, OSError) as error:
            raise IdentityUnreachable(f"cannot reach the identity server at {url}") from error

    def _post(self, url: str, body: bytes) -> dict:
        request = urllib.request.Request(url, data=body, method="POST",
                                         headers={"Content-Type": "application/x-www-form-urlencoded",
                                                  "Accept": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=self._timeout) as response:
                return json.load(response)
        except urllib.error.HTTPError as error:
            try:
                answer = json.load(error)
            except ValueError:
                answer = {}
            raise TokenRequestError(str(answer.get("error") or f"http_{error.code}"),
                                    answer.get("error_description")) from None
        except (urllib.error.URLError, OSError) as error:
            raise IdentityUnreachable(f"cannot reach the identity server at {url}") from error
