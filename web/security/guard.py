"""The request guard: body limit, the visitor's cookie id, language, CSRF and headers.

Pure ASGI so that it costs little on every request. Everything it decides is stored in
``scope["state"]``: ``sid`` (the random cookie id), ``csrf_token``, ``language``.
"""

from __future__ import annotations

import hmac
import logging
from urllib.parse import parse_qs, unquote, urlsplit

from starlette.requests import cookie_parser
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from web import i18n
from web.security.visitors import csrf_token_for, new_visitor_id, visitor_token

log = logging.getLogger("espace")
MAX_BODY = 64 * 1024
MAX_FIELDS = 1000  # as Starlette's own form parser
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
CSP = (
    "default-src 'self'; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'; form-action 'self'"
)
# The visitor's id outlives any draft (24 h idle): it is sent again when a registration
# starts (``sid_refresh``), so only a registration still being typed after 7 days could lose it.
SID_MAX_AGE = 7 * 24 * 3600
LANG_MAX_AGE = 365 * 24 * 3600
# Headers that act only on a document (what a browser shows or frames), never on a response
# a page's script reads (Fetch: CSP and permissions policy apply to documents and workers).
DOCUMENT_ONLY_HEADERS = ("content-security-policy", "x-frame-options", "permissions-policy")
# What a POST is checked against (all read as UTF-8: any other byte is a 400).
CHECKED_HEADERS = (b"sec-fetch-site", b"origin", b"host", b"x-csrf-token")


class Rejected(Exception):
    def __init__(self, status_code: int) -> None:
        self.status_code = status_code


class RequestGuard:
    def __init__(self, app: ASGIApp, *, settings, render_error) -> None:
        self.app = app
        self.settings = settings
        self.render_error = render_error
        self.sid_cookie = "espace_sid" if settings.development else "__Host-espace_sid"
        public = urlsplit(settings.base_url)
        self.public_origin = f"{public.scheme}://{public.netloc}"  # Origin, behind a proxy
        self.security_headers = [
            ("content-security-policy", CSP),
            ("x-content-type-options", "nosniff"),
            ("referrer-policy", "no-referrer"),
            ("x-frame-options", "DENY"),
            ("permissions-policy", "camera=(), microphone=(), geolocation=()"),
        ]
        if not settings.development:
            self.security_headers.append(
                ("strict-transport-security", "max-age=63072000; includeSubDomains")
            )
        # A redirect shows no document: only the headers that act on the request it leads to
        # mean anything there (each byte counts on a slow line: a journey has a dozen 303s).
        self.redirect_headers = [
            (name, value) for name, value in self.security_headers
            if name in ("referrer-policy", "strict-transport-security")
        ]
        # An htmx partial answer is read by fetch and swapped into the page, never shown as a
        # document: the document-only headers (CSP, framing, permissions) act only on
        # documents, so the page's own carry it. nosniff still guards every response.
        self.partial_headers = [
            (name, value) for name, value in self.security_headers
            if name not in DOCUMENT_ONLY_HEADERS
        ]
        # As sent: built once, not at every response.
        self.raw_headers = {
            kind: [(name.encode(), value.encode()) for name, value in headers]
            for kind, headers in (("page", self.security_headers),
                                  ("redirect", self.redirect_headers),
                                  ("partial", self.partial_headers))
        }

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        state = scope.setdefault("state", {})
        headers = dict(scope["headers"])  # the last of a repeated header, as Starlette's dict
        cookies = _cookies(scope)
        secret_key = self.settings.secret_key
        sid = cookies.get(self.sid_cookie)
        token = visitor_token(secret_key, sid) if sid and len(sid) <= 100 else None
        if token is None:
            sid = new_visitor_id(secret_key)  # a chosen or forged one: not adopted
            token = csrf_token_for(secret_key, sid)
            state["sid_new"] = True
        state["sid"] = sid
        # Only a script can send this header: a navigation (a document, a frame) never does.
        state["partial"] = _header(scope, b"hx-request-type") == b"partial"
        state["csrf_token"] = token
        chosen = None
        body = b""
        try:
            chosen = _language_in_query(scope.get("query_string", b""))
            if scope["method"] not in SAFE_METHODS:
                body = await _read_body(scope, receive)
                items = _form_items(headers, body)
                if items is not None:
                    state["form_items"] = items  # read_form() uses them: parsed once
                form = dict(reversed(items or ()))  # the first value of each field
                chosen = _valid_language(form.get("switch_lang")) or chosen
                self._check_csrf(scope, headers, form, state["csrf_token"])
        except Rejected as rejected:
            language = chosen or _remembered_language(cookies, headers)
            # The page of a rejected request links to its path only: its query string may
            # be what could not be read.
            page_scope = {**scope, "query_string": b""}
            with i18n.use_language(language):
                response = self.render_error(page_scope, rejected.status_code)
            await self._send_with_headers(response, scope, receive, send, state, None)
            return
        if chosen:
            state["language_chosen"] = chosen
        language = chosen or _remembered_language(cookies, headers)
        state["language"] = language
        token = i18n.current_language.set(language)
        wrapped_send = self._wrap_send(send, state, chosen)
        try:
            await self.app(scope, _replay(body, receive) if body else receive, wrapped_send)
        except Exception:
            # Answer the localized 500 page here, inside the guard, so it keeps the
            # visitor's language and the security headers.
            # Not the path: it may hold a link's token (the line has the route's name).
            log.exception("unhandled error on %s", scope["method"])
            if state.get("response_started"):
                raise
            await self.render_error(scope, 500)(scope, receive, wrapped_send)
        finally:
            i18n.current_language.reset(token)

    def _check_csrf(self, scope: Scope, headers: dict, form: dict, expected: str) -> None:
        fetch_site, origin, host, sent = (
            _text(headers.get(name, b"")) for name in CHECKED_HEADERS
        )
        if fetch_site and fetch_site not in ("same-origin", "none"):
            raise Rejected(403)
        if origin == "null":
            # Browsers send "null" for a sandboxed or opaque page, and for a same-origin form
            # under Referrer-Policy: no-referrer (Chromium does): only the fetch metadata,
            # which no page can forge, says it is the latter.
            if fetch_site != "same-origin":
                raise Rejected(403)
        elif origin and origin not in self._origins(scope, host):
            raise Rejected(403)
        sent = sent or form.get("csrf_token") or ""
        if not hmac.compare_digest(sent.encode(), expected.encode()):
            raise Rejected(403)

    def _origins(self, scope: Scope, host: str) -> tuple[str, str]:
        """This site's origins: the public one, and the one the request was made to (scheme
        and host, as a browser writes them)."""
        return self.public_origin, f"{scope.get('scheme', 'http')}://{host}"

    def _cookie_headers(self, state: dict, chosen: str | None) -> list[tuple[bytes, bytes]]:
        secure = "; Secure" if self.settings.cookie_secure else ""
        out = []
        if state.get("sid_new") or state.get("sid_rotated") or state.get("sid_refresh"):
            out.append(
                f"{self.sid_cookie}={state['sid']}; Path=/; Max-Age={SID_MAX_AGE}; "
                f"HttpOnly; SameSite=Lax{secure}"
            )
        if chosen:
            out.append(f"lang={chosen}; Path=/; Max-Age={LANG_MAX_AGE}; SameSite=Lax{secure}")
        return [(b"set-cookie", c.encode()) for c in out]

    def _wrap_send(self, send: Send, state: dict, chosen: str | None) -> Send:
        async def wrapped(message: Message) -> None:
            if message["type"] == "http.response.start":
                state["response_started"] = True
                headers = message["headers"] = list(message.get("headers", ()))
                present = {name for name, _value in headers}
                headers += [header for header in self._headers_for(message["status"], state)
                            if header[0] not in present]
                # A public, cached answer (static files) must never carry a visitor's id.
                cache = next((value for name, value in headers if name == b"cache-control"),
                             b"")
                if b"public" not in cache:
                    headers += self._cookie_headers(state, chosen)
            await send(message)

        return wrapped

    def _headers_for(self, status: int, state: dict) -> list[tuple[bytes, bytes]]:
        if 300 <= status < 400:
            return self.raw_headers["redirect"]
        return self.raw_headers["partial" if state.get("partial") else "page"]

    async def _send_with_headers(self, response, scope, receive, send, state, chosen) -> None:
        await response(scope, receive, self._wrap_send(send, state, chosen))


def _text(value: bytes) -> str:
    """A header or query string as text: bytes that are not UTF-8 are a request that cannot
    be read (400), like a body that is not."""
    try:
        return value.decode()
    except UnicodeDecodeError:
        raise Rejected(400) from None


def _language_in_query(query_string: bytes) -> str | None:
    query = _text(query_string)  # the routes read it as UTF-8 (Starlette's query_params)
    return _valid_language(parse_qs(query).get("lang", [""])[0]) if "lang=" in query else None


def _header(scope: Scope, name: bytes) -> bytes:
    for key, value in scope["headers"]:
        if key == name:
            return value
    return b""


def _cookies(scope: Scope) -> dict[str, str]:
    return cookie_parser(_header(scope, b"cookie").decode("latin-1"))  # lenient, as browsers are


def _valid_language(value: str | None) -> str | None:
    return value if value in i18n.LANGUAGES else None


def _remembered_language(cookies: dict, headers: dict) -> str:
    remembered = _valid_language(cookies.get("lang"))
    if remembered:
        return remembered
    accept = headers.get(b"accept-language", b"").decode("latin-1")
    return i18n.negotiate(accept) or i18n.DEFAULT_LANGUAGE


async def _read_body(scope: Scope, receive: Receive) -> bytes:
    for name, value in scope["headers"]:
        if name == b"content-length":
            try:
                if int(value) > MAX_BODY:
                    raise Rejected(413)
            except ValueError:
                raise Rejected(400) from None
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise Rejected(400)
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_BODY:
            raise Rejected(413)
        chunks.append(chunk)
        if not message.get("more_body"):
            return b"".join(chunks)


def _form_items(headers: dict, body: bytes) -> list[tuple[str, str]] | None:
    """The fields of a urlencoded body, in order (None for another kind of body)."""
    content_type = headers.get(b"content-type", b"").decode("latin-1")
    if not content_type.startswith("application/x-www-form-urlencoded"):
        return None
    try:
        return form_fields(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):  # not UTF-8, or too many fields
        raise Rejected(400) from None


def form_fields(text: str) -> list[tuple[str, str]]:
    """``parse_qsl(text, keep_blank_values=True, max_num_fields=MAX_FIELDS)``, field for
    field, without its two ``unquote`` calls on the fields that need none (most of a form:
    a fifth of a fragment's cost went to parsing the form)."""
    if text.count("&") >= MAX_FIELDS:
        raise ValueError("Max number of fields exceeded")
    items = []
    for field in text.split("&"):
        if not field:
            continue
        name, _, value = field.partition("=")
        if "%" in field or "+" in field:
            name, value = unquote(name.replace("+", " ")), unquote(value.replace("+", " "))
        items.append((name, value))
    return items


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay
