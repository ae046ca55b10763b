"""HTML templates to A4 PDFs with WeasyPrint, reading only the app's own files.

WeasyPrint fetches every stylesheet, image and font a document names through
`PrintFetcher`, which never opens a network connection: the document's base
URL is a host that does not exist (`print.invalid`), URLs under it map to the
static files (staticfiles storage, else the finders) and to the media files
the caller allows (Django's default storage, `storage.open(name)`), and
everything else — other hosts, other schemes, `file://` paths outside the
static and media folders, `..` tricks — is refused. There is no HTTP, so
there are no redirects to follow.

Photos are downscaled for print once (longest side `PHOTO_MAX_PX`, JPEG) and
the copy is kept in storage next to nothing else (`printing/cache/…`), so a
sheet with three 2400×1800 camera photos neither decodes nor embeds 13 MP
images on every print.
"""

import io
import logging
import mimetypes
import os
import posixpath
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit
from urllib.request import url2pathname

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.template.loader import render_to_string
from PIL import Image
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

logger = logging.getLogger(__name__)

BASE_URL = "http://print.invalid/"  # never resolved: PrintFetcher serves it from storage
PHOTO_MAX_PX = 1200  # longest side of a photo in print: 1200 px over ~16 cm is ~190 dpi
PHOTO_QUALITY = 85
CACHE_FOLDER = "printing/cache"


class FetchRefused(ValueError):
    """A document asked for a URL outside the app's own static and media files."""


def _prefix(url):
    return urljoin(BASE_URL, url)


def media_url(name):
    """The URL a print template uses for a media file `name` (allowed by the fetcher's list)."""
    return _prefix(settings.MEDIA_URL) + name


def _clean_name(name):
    """A relative storage name without `..`, or FetchRefused."""
    name = unquote(name)
    if not name or "\x00" in name or "\\" in name:
        raise FetchRefused(name)
    normal = posixpath.normpath(name)
    if normal.startswith(("/", "../")) or normal in (".", ".."):
        raise FetchRefused(name)
    return normal


def _static_roots():
    roots = [settings.STATIC_ROOT] if settings.STATIC_ROOT else []
    for finder in finders.get_finders():
        roots.extend(root for _where, root in getattr(finder, "locations", []))
        for storage in getattr(finder, "storages", {}).values():
            if getattr(storage, "location", None):
                roots.append(storage.location)
    return [Path(r).resolve() for r in roots]


def _media_root():
    try:
        return Path(default_storage.path("")).resolve()
    except NotImplementedError:  # object storage: no local folder, so no file:// into it
        return None


class PrintFetcher(URLFetcher):
    """WeasyPrint's url_fetcher for print documents: own static files and allowed media only.

    `media_names`: the storage names of the media files this document may embed
    (its photos). `refused` lists every URL turned down, `served` every URL given.
    """

    def __init__(self, media_names=()):
        super().__init__(allowed_protocols=(), allow_redirects=False)
        self.media_names = frozenset(media_names)
        self.refused = []
        self.served = []

    def fetch(self, url, headers=None):
        try:
            body, name = self._read(url)
        except Exception as error:
            self.refused.append(url)
            logger.warning("Print document refused URL %r: %s", url, error)
            if isinstance(error, FetchRefused):
                raise
            raise FetchRefused(url) from error
        self.served.append(url)
        content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, body=body, headers={"Content-Type": content_type})

    def _read(self, url):
        static, media = _prefix(settings.STATIC_URL), _prefix(settings.MEDIA_URL)
        bare = url.split("#", 1)[0].split("?", 1)[0]
        if bare.startswith(static):
            return self._static(_clean_name(bare[len(static) :]))
        if bare.startswith(media):
            return self._media(_clean_name(bare[len(media) :]))
        if urlsplit(bare).scheme.lower() == "file":
            return self._file(bare)
        raise FetchRefused(f"not the app's own file: {url}")

    def _static(self, name):
        if staticfiles_storage.exists(name):
            with staticfiles_storage.open(name) as f:
                return f.read(), name
        path = finders.find(name)
        if not path:
            raise FetchRefused(f"no static file {name}")
        return Path(path).read_bytes(), name

    def _media(self, name):
        if name not in self.media_names:
            raise FetchRefused(f"media file not part of this document: {name}")
        root = _media_root()
        if root and not Path(os.path.realpath(default_storage.path(name))).is_relative_to(root):
            raise FetchRefused(f"media file links outside the media folder: {name}")
        with default_storage.open(name, "rb") as f:
            return f.read(), name

    def _file(self, url):
        parts = urlsplit(url)
        if parts.netloc not in ("", "localhost"):
            raise FetchRefused(url)
        path = Path(os.path.realpath(url2pathname(unquote(parts.path))))
        for root in _static_roots():
            if path.is_relative_to(root) and path.is_file():
                return path.read_bytes(), path.name
        media_root = _media_root()
        if media_root and path.is_relative_to(media_root):
            return self._media(path.relative_to(media_root).as_posix())
        raise FetchRefused(f"outside the static and media folders: {url}")


def render_document(template_name, context, *, media_names=()):
    """Lay out a print template; returns (weasyprint Document, fetcher)."""
    return render_html(render_to_string(template_name, {**context, "for_pdf": True}), media_names=media_names)


def render_html(html, *, media_names=()):
    """Lay out an HTML string as print media, every URL through a `PrintFetcher`."""
    fetcher = PrintFetcher(media_names)
    document = HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher).render()
    return document, fetcher


def write_pdf(documents):
    """One PDF of the pages of one or more laid-out documents (fonts subset once for all)."""
    first = documents[0]
    if len(documents) == 1:
        return first.write_pdf()
    pages = [page for document in documents for page in document.pages]
    return first.copy(pages).write_pdf()


def print_photo(field_file, width=0, height=0):
    """The storage name of `field_file`'s print copy: at most PHOTO_MAX_PX on its longest side, JPEG.

    A JPEG already small enough is used as it is; anything else is downscaled
    once and the copy cached in storage under printing/cache/ (photos are never
    changed in place: a new upload has a new name).
    """
    name = field_file.name
    small = 0 < max(width, height) <= PHOTO_MAX_PX
    if small and name.lower().endswith((".jpg", ".jpeg")):
        return name
    storage = field_file.storage
    cache = f"{CACHE_FOLDER}/{posixpath.splitext(name)[0]}_{PHOTO_MAX_PX}.jpg"
    if storage.exists(cache):
        return cache
    with storage.open(name, "rb") as f, Image.open(f) as image:
        image.draft("RGB", (PHOTO_MAX_PX, PHOTO_MAX_PX))  # JPEG: decode at 1/2, 1/4 … scale
        image.thumbnail((PHOTO_MAX_PX, PHOTO_MAX_PX), Image.Resampling.LANCZOS)
        if image.mode != "RGB":
            rgba = image.convert("RGBA")
            image = Image.new("RGB", rgba.size, (255, 255, 255))
            image.paste(rgba, mask=rgba.getchannel("A"))
        out = io.BytesIO()
        image.save(out, "JPEG", quality=PHOTO_QUALITY, optimize=True)
    return storage.save(cache, ContentFile(out.getvalue()))
