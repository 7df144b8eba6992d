"""The request gate: every body is read here, whole and bounded, before Flask sees the request.

A WSGI middleware (:class:`RequestGate`) in front of the Flask app, so that one rule holds however
a body arrives:

- A body larger than ``max_body_bytes`` is a 413, whether its size is declared (``Content-Length``)
  or discovered while reading (``Transfer-Encoding: chunked``).  Werkzeug alone would cut a chunked
  body at the limit without a word (its reader stops there and the JSON or CSV parser sees a
  truncated document), so the whole body is read here and the app gets it with a true
  ``Content-Length``: every row, or a 413.
- A body the server cannot decode (a bad chunk size, a missing chunk terminator, a connection cut
  mid-body) is a 400, not a 500 from deep inside the server's reader.
- A URL whose percent-escapes are not UTF-8 (``/resolve?q=%FF%FE``) is a 400: it names no text.

Refused requests get the API's JSON error shape.  After a 413 the rest of an oversized body is
read and dropped (up to :data:`DRAIN_MAX_BYTES`), so that the client, still sending, receives the
answer instead of a connection reset.
"""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import unquote_to_bytes

__all__ = ["DRAIN_MAX_BYTES", "RequestGate", "read_body"]

log = logging.getLogger("api.access")  # refusals get the same one line per request as the app's answers

#: most bytes of an oversized body read and dropped after the 413, so the client sees the answer
DRAIN_MAX_BYTES = 64 * 1024 * 1024
_READ = 64 * 1024

Environ = dict[str, Any]
StartResponse = Callable[..., Any]
WsgiApp = Callable[[Environ, StartResponse], Iterable[bytes]]


class _Refused(Exception):
    def __init__(self, status: str, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def _not_utf8(raw: str) -> bool:
    """Whether a WSGI string (bytes as latin-1) holds percent-escapes or bytes that are not UTF-8."""
    try:
        unquote_to_bytes(raw.encode("latin-1")).decode("utf-8")
    except (UnicodeDecodeError, UnicodeEncodeError):
        return True
    return False


def _check_url(environ: Environ) -> None:
    # PATH_INFO is already percent-decoded by the server (as latin-1 text); the query string is not
    path = environ.get("PATH_INFO", "")
    try:
        path.encode("latin-1").decode("utf-8")
    except (UnicodeDecodeError, UnicodeEncodeError):
        raise _Refused("400 Bad Request", "invalid_url", "the path is not UTF-8 once percent-decoded") from None
    if _not_utf8(environ.get("QUERY_STRING", "")):
        raise _Refused("400 Bad Request", "invalid_query_string",
                       "the query string is not UTF-8 once percent-decoded (e.g. %FF); encode text as UTF-8")


def _declared_length(environ: Environ) -> int | None:
    raw = environ.get("CONTENT_LENGTH") or ""
    if not raw.strip():
        return None
    try:
        length = int(raw)
    except ValueError:
        raise _Refused("400 Bad Request", "invalid_content_length", "Content-Length is not a number") from None
    if length < 0:
        raise _Refused("400 Bad Request", "invalid_content_length", "Content-Length is negative")
    return length


def _chunked(environ: Environ) -> bool:
    return "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()


def _drain(stream: Any, budget: int) -> None:
    """Read and drop what is left of a refused body, at most ``budget`` bytes; errors end it quietly."""
    try:
        while budget > 0:
            data = stream.read(min(_READ, budget))
            if not data:
                return
            budget -= len(data)
    except Exception:  # the answer is already decided; a broken body changes nothing
        return


def _too_large(limit: int) -> _Refused:
    return _Refused("413 Content Too Large", "request_entity_too_large",
                    f"the request body is larger than this server accepts ({limit:,} bytes; "
                    "RESOLVER_API_MAX_BODY_BYTES)")


def read_body(environ: Environ, limit: int) -> bytes | None:
    """The whole request body, at most ``limit`` bytes; None when the request has none.

    Raises:
        _Refused: the body is too large (413) or cannot be read (400).
    """
    declared = _declared_length(environ)
    chunked = _chunked(environ)
    if not chunked and not declared:
        return None
    stream = environ["wsgi.input"]
    if declared is not None and not chunked and declared > limit:
        _drain(stream, min(declared, DRAIN_MAX_BYTES))
        raise _too_large(limit)
    want = limit + 1 if chunked else declared or 0
    buffer = bytearray()
    try:
        while len(buffer) < want:
            data = stream.read(min(_READ, want - len(buffer)))
            if not data:
                break
            buffer += data
    except Exception as exc:  # gunicorn's InvalidChunkSize, ChunkMissingTerminator, NoMoreData, a reset...
        raise _Refused("400 Bad Request", "invalid_body",
                       f"the request body could not be read: {exc.__class__.__name__}") from exc
    if len(buffer) > limit:
        _drain(stream, DRAIN_MAX_BYTES)
        raise _too_large(limit)
    if not chunked and len(buffer) < want:
        raise _Refused("400 Bad Request", "invalid_body",
                       f"the body ended after {len(buffer):,} of the {want:,} bytes Content-Length announced")
    return bytes(buffer)


class RequestGate:
    """WSGI middleware: check the URL, read the body whole and bounded, then call the app.

    The app then sees a plain body with a true ``Content-Length`` (no chunking), so Flask's own
    readers, form parser and limits behave as for any small request.
    """

    def __init__(self, app: WsgiApp, limit: Callable[[], int]) -> None:
        self.app = app
        self._limit = limit

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        try:
            _check_url(environ)
            body = read_body(environ, self._limit())
        except _Refused as refused:
            log.info('%s "%s %s" %s -', environ.get("REMOTE_ADDR", "-"), environ.get("REQUEST_METHOD", "-"),
                     (environ.get("RAW_URI") or environ.get("PATH_INFO", ""))[:300], refused.status.split()[0])
            payload = json.dumps({"error": {"code": refused.code, "message": refused.message}},
                                 ensure_ascii=False, separators=(",", ":")).encode() + b"\n"
            start_response(refused.status, [
                ("Content-Type", "application/json"),
                ("Content-Length", str(len(payload))),
                ("Access-Control-Allow-Origin", "*"),
            ])
            return [payload]
        if body is not None:
            environ["wsgi.input"] = io.BytesIO(body)
            environ["CONTENT_LENGTH"] = str(len(body))
            environ.pop("HTTP_TRANSFER_ENCODING", None)
            environ.pop("wsgi.input_terminated", None)
        return self.app(environ, start_response)
