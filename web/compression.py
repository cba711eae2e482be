"""Response compression: starlette-compress, with one zstd compressor for every response, and
a body alike for every visitor compressed once.

The library's one-shot zstd builds a compressor per response (measured below Python 3.14),
which costs more than compressing a fragment; a compressor's one-shot ``compress`` starts a
new frame each time, so one serves them all, on every Python (the event loop calls it from one
thread).

A ``SharedBody`` (a constant block with no token: the mss security panel's states, asked at
every pause in typing) is the same bytes for everyone, so is its compressed form: each
encoding keeps it, instead of spending on every answer more than the rest of the request.
"""

from __future__ import annotations

from starlette_compress import CompressMiddleware
from zstandard import ZstdCompressor

from web.rendering import CONSTANT_BLOCKS_MAX, SharedBody

# The library's default. zstd's own 3 costs two thirds of the CPU (a 2.5 KB wizard step 10.5 µs
# instead of 14.7) but writes 1–3 % more: the journeys without JS, all pages, went over 40 KB.
ZSTD_LEVEL = 4


class Compression(CompressMiddleware):
    __slots__ = ()

    def __init__(self, app, **options) -> None:
        super().__init__(app, zstd_level=ZSTD_LEVEL, **options)
        if self._zstd is not None:
            self._zstd.oneshot = ZstdCompressor(level=ZSTD_LEVEL).compress
        for responder in (self._zstd, self._brotli, self._gzip):
            if responder is not None:
                responder.oneshot = once_for_shared_bodies(responder.oneshot)


def once_for_shared_bodies(compress):
    """``compress``, which answers a ``SharedBody`` it has compressed before from what it kept
    (as many as the constant blocks kept)."""
    kept: dict[bytes, bytes] = {}

    def oneshot(body: bytes) -> bytes:
        if type(body) is not SharedBody:
            return compress(body)
        compressed = kept.get(body)
        if compressed is None:
            compressed = compress(body)
            if len(kept) < CONSTANT_BLOCKS_MAX:
                kept[body] = compressed
        return compressed

    return oneshot
