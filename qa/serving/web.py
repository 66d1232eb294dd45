"""What stands between the network and the assistant: Host and Origin checks, the bearer token, upload limits.

`Guard` is a plain ASGI middleware (it does not buffer bodies, so streamed answers stream). Every refusal is a
JSON `{"error": ...}` with the status that names the problem:
- 400: a `Host` header that is neither a loopback name nor in `QA_ALLOWED_HOSTS` (DNS rebinding);
- 403: a state-changing request (POST, PUT, PATCH, DELETE) from a page of another origin (cross-site writes);
- 401: `/api/*` or `/v1/*` without the bearer token, when `QA_API_TOKEN` is set;
- 411 / 413: an upload without a declared length, or larger than `QA_MAX_UPLOAD_MB`.
"""

from __future__ import annotations

import hmac
import ipaddress
import json
import re
import unicodedata
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from index.errors import BadInput

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

LOOPBACK_NAMES = frozenset({"127.0.0.1", "localhost", "::1"})
STATE_CHANGING = frozenset({"POST", "PUT", "PATCH", "DELETE"})
PROTECTED_PREFIXES = ("/api/", "/v1/", "/mcp")
UPLOAD_PATHS = ("/api/documents", "/gradio_api/upload")
MAX_NAME_CHARS = 200


def is_loopback(host: str) -> bool:
    """Is this interface name or address one that only this machine reaches?"""
    host = host.strip("[]")
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def host_name(value: str) -> str:
    """The host part of a `Host` header or an origin's netloc, lower-cased, without the port."""
    value = value.strip().lower()
    if value.startswith("["):  # [::1]:7860
        return value[1 : value.find("]")] if "]" in value else value
    return value.rsplit(":", 1)[0] if value.count(":") == 1 else value


@dataclass(frozen=True)
class Policy:
    """Who may reach the server and what they may send.

    Attributes:
        allowed_hosts: `Host` names accepted besides the loopback names.
        token: the bearer token `/api/*` and `/v1/*` require (None: no token).
        max_upload_bytes: the largest upload body accepted.
    """

    allowed_hosts: frozenset[str] = frozenset()
    token: str | None = None
    max_upload_bytes: int = 50 * 1024 * 1024
    local_key: str | None = None  # the serving process's key (index/lease.py), accepted like the token

    @classmethod
    def of(
        cls,
        host: str,
        allowed_hosts: Iterable[str],
        token: str | None,
        max_upload_mb: float,
        local_key: str | None = None,
    ) -> Policy:
        """The policy for a server bound to `host`: that interface's own name is an allowed Host too."""
        names = {host_name(h) for h in allowed_hosts if h.strip()}
        if host not in ("0.0.0.0", "::", ""):
            names.add(host_name(host))
        return cls(frozenset(names), token or None, int(max_upload_mb * 1024 * 1024), local_key)

    def authorized(self, authorization: str) -> bool:
        """Does this `Authorization` header carry the token (or the local key)?"""
        return any(bearer_matches(authorization, secret) for secret in (self.token, self.local_key))

    def host_allowed(self, host: str) -> bool:
        name = host_name(host)
        return is_loopback(name) or name in self.allowed_hosts


def bearer_matches(authorization: str, secret: str | None) -> bool:
    """Is `authorization` (an `Authorization` header's value) `Bearer <secret>`? Compared in constant time;
    never true for an empty secret."""
    scheme, _, credential = authorization.partition(" ")
    return (
        bool(secret)
        and scheme.lower() == "bearer"
        and hmac.compare_digest(credential.strip().encode(), str(secret).encode())
    )


def check_bind(host: str, token: str | None) -> None:
    """Refuse to serve beyond this machine without a token.

    Raises:
        BadInput: `host` is not a loopback address and no `QA_API_TOKEN` is set.
    """
    if not is_loopback(host) and not token:
        raise BadInput(
            f"refusing to listen on {host}: other machines could read and change the collection. "
            "Set QA_API_TOKEN to a long random secret (clients send it as 'Authorization: Bearer ...'), "
            "and QA_AUTH=user:password for the chat page; or listen on 127.0.0.1"
        )


class Guard:
    """ASGI middleware enforcing a `Policy` on every HTTP request before the app sees it."""

    def __init__(self, app: ASGIApp, policy: Policy) -> None:
        self.app = app
        self.policy = policy

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        refusal = self.refusal(scope)
        if refusal is None:
            await self.app(scope, receive, _json_errors(send))
            return
        status, message, extra = refusal
        body = json.dumps({"error": message}).encode()
        headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
        headers += [(k.encode(), v.encode()) for k, v in extra.items()]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    def refusal(self, scope: Scope) -> tuple[int, str, dict[str, str]] | None:
        """(status, message, extra headers) when the request must be refused, else None."""
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        method = scope.get("method", "GET").upper()
        path = scope.get("path", "")
        host = headers.get("host", "")
        if not self.policy.host_allowed(host):
            return 400, f"Host {host!r} is not allowed (add it to QA_ALLOWED_HOSTS to serve it)", {}
        # MCP over HTTP checks the Origin of every request, reads too (the MCP specification's DNS-rebinding
        # defence): a page elsewhere must not drive an agent's tools.
        if (method in STATE_CHANGING or path.startswith("/mcp")) and not self._same_origin(headers, host):
            origin = headers.get("origin") or headers.get("sec-fetch-site", "")
            return 403, f"cross-origin {method} refused (origin {origin!r})", {}
        if self.policy.token and path.startswith(PROTECTED_PREFIXES):
            if not self.policy.authorized(headers.get("authorization", "")):
                return (
                    401,
                    "missing or wrong bearer token (Authorization: Bearer $QA_API_TOKEN)",
                    {"www-authenticate": "Bearer"},
                )
        if method == "POST" and path.rstrip("/") in UPLOAD_PATHS:
            length = headers.get("content-length")
            if length is None or not length.isdigit():
                return 411, "uploads must declare their Content-Length", {}
            if int(length) > self.policy.max_upload_bytes:
                limit = self.policy.max_upload_bytes / 1024 / 1024
                return (
                    413,
                    f"upload of {int(length):,} bytes exceeds the limit of {limit:g} MB (QA_MAX_UPLOAD_MB)",
                    {},
                )
        return None

    @staticmethod
    def _same_origin(headers: dict[str, str], host: str) -> bool:
        """A browser names the page that sent a request in `Origin` (and `Sec-Fetch-Site`); other clients
        (curl, the CLI, scripts) send neither and are trusted as any local program is."""
        if headers.get("sec-fetch-site") == "cross-site":
            return False
        origin = headers.get("origin")
        if origin is None:
            return True
        parts = urlsplit(origin)
        return origin != "null" and parts.netloc.lower() == host.strip().lower()


def _json_errors(send: Send) -> Send:
    """`send`, with JSON error bodies of the form `{"detail": ...}` (FastAPI's and Gradio's own) rewritten as
    `{"error": ...}`, so that every error the server returns has one shape."""
    held: dict[str, Any] = {}

    async def wrapped(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            headers = {k.lower(): v for k, v in message.get("headers", [])}
            if message["status"] >= 400 and headers.get(b"content-type", b"").startswith(b"application/json"):
                held["start"], held["body"] = message, b""
                return
        elif message["type"] == "http.response.body" and "start" in held:
            held["body"] += message.get("body", b"")
            if message.get("more_body"):
                return
            body = _as_error(held["body"])
            start = held.pop("start")
            kept = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
            kept.append((b"content-length", str(len(body)).encode()))
            await send({**start, "headers": kept})
            await send({"type": "http.response.body", "body": body})
            return
        await send(message)

    return wrapped


def _as_error(body: bytes) -> bytes:
    try:
        data = json.loads(body)
    except ValueError:
        return body
    if isinstance(data, dict) and "detail" in data and "error" not in data:
        detail = data["detail"]
        return json.dumps({"error": detail if isinstance(detail, str) else json.dumps(detail)}).encode()
    return body


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def safe_file_name(name: str | None) -> str:
    """An uploaded file's name, if it is a plain one.

    Raises:
        BadInput: empty, a path (`../x`, `a/b`), a hidden or dotted name, control or format characters, or
            longer than 200 characters.
    """
    if not name or not name.strip():
        raise BadInput("file name is empty")
    shown = repr(name[:60] + ("…" if len(name) > 60 else ""))
    if len(name) > MAX_NAME_CHARS:
        raise BadInput(f"file name {shown} is {len(name)} characters long (at most {MAX_NAME_CHARS})")
    if _CONTROL.search(name) or any(unicodedata.category(ch) in ("Cf", "Cc") for ch in name):
        raise BadInput(f"file name {shown} holds control characters")
    if "/" in name or "\\" in name or name.startswith(".") or name != name.strip():
        raise BadInput(f"file name {shown} is not a plain file name")
    return name


# Characters that Markdown (which the chat renders) or HTML would read as syntax, as numeric entities: the
# browser shows them as the characters themselves, and no parser sees a heading, link, image or emphasis.
_MARKUP = {ch: f"&#{ord(ch)};" for ch in "\\`*_{}[]()#+-.!|~<>&\"'$:="}
_MARKUP_TABLE = str.maketrans(_MARKUP)


def as_text(text: str) -> str:
    """Document (or model) text made safe to show in the chat as plain text: no HTML, no Markdown syntax, no
    remote images, headings or links; invisible format characters (bidi overrides, zero-width) dropped."""
    visible = "".join(ch for ch in text if unicodedata.category(ch) != "Cf")
    return visible.translate(_MARKUP_TABLE)
