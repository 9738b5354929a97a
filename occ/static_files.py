"""Static files in production: WhiteNoise, usable on Django's async (ASGI) path.

WhiteNoise serves what `collectstatic` gathered in STATIC_ROOT, under names
carrying a hash of their content (CompressedManifestStaticFilesStorage), so
each answer may be cached for a year; a gzip (and, with the `brotli` package,
Brotli) copy is made once by collectstatic and sent to browsers that ask.
WhiteNoise's middleware is synchronous only: under ASGI every request (not
just a static one) would then hop to a thread and back. This one is both:
the look-up is a dictionary read, and only a static answer opens its file
in a thread.
"""

from __future__ import annotations

from asgiref.sync import iscoroutinefunction, markcoroutinefunction, sync_to_async
from whitenoise.middleware import WhiteNoiseMiddleware


class StaticFilesMiddleware(WhiteNoiseMiddleware):
    sync_capable = True
    async_capable = True

    def __init__(self, get_response=None, *args, **kwargs):
        super().__init__(get_response, *args, **kwargs)
        if iscoroutinefunction(get_response):
            markcoroutinefunction(self)

    def __call__(self, request):
        if iscoroutinefunction(self):
            return self._acall(request)
        return super().__call__(request)

    async def _acall(self, request):
        if self.autorefresh:
            static_file = await sync_to_async(self.find_file)(request.path_info)
        else:
            static_file = self.files.get(request.path_info)
        if static_file is not None:
            return await sync_to_async(self.serve)(static_file, request)
        return await self.get_response(request)
