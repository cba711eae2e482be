"""Response compression: starlette-compress, with one zstd compressor for every response.

The library's one-shot zstd (Python < 3.14) builds a compressor per response, which costs
more than compressing a fragment; a compressor's one-shot ``compress`` starts a new frame
each time, so one serves them all (the event loop calls it from one thread).
"""

from __future__ import annotations

import sys

from starlette_compress import CompressMiddleware
from zstandard import ZstdCompressor

# The library's default. zstd's own 3 costs two thirds of the CPU (a 2.5 KB wizard step 10.5 µs
# instead of 14.7) but writes 1–3 % more: the journeys without JS, all pages, went over 40 KB.
ZSTD_LEVEL = 4


class Compression(CompressMiddleware):
    __slots__ = ()

    def __init__(self, app, **options) -> None:
        super().__init__(app, zstd_level=ZSTD_LEVEL, **options)
        if self._zstd is not None and sys.version_info < (3, 14):
            self._zstd.oneshot = ZstdCompressor(level=ZSTD_LEVEL).compress
