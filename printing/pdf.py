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

Every document is laid out with the print stylesheet parsed once per thread
(with its font loaded once into one font configuration) and with WeasyPrint's
user-agent stylesheet without the pseudo-elements the documents never use
(`PrintHTML`): the layout of a sheet is what a print costs.
"""

import io
import logging
import mimetypes
import os
import posixpath
import re
import threading
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit
from urllib.request import url2pathname

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image
from weasyprint import CSS, HTML
from weasyprint import html as weasy_html
from weasyprint.css.counters import CounterStyle
from weasyprint.text.fonts import FontConfiguration
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


STYLESHEET = "printing/print.css"  # a static file: the print layout, its @font-face included


def style_files():
    """The static files that shape every print document besides its HTML: the stylesheet and its font."""
    from printing.fonts import FONT_FILE

    return (STYLESHEET, FONT_FILE)


def read_static(name):
    return PrintFetcher()._static(_clean_name(name))[0]


def static_path(name):
    """The file `read_static(name)` reads (the collected copy, else the app's own)."""
    name = _clean_name(name)
    if staticfiles_storage.exists(name):
        return staticfiles_storage.path(name)
    path = finders.find(name)
    if not path:
        raise FetchRefused(f"no static file {name}")
    return path


# WeasyPrint's user-agent stylesheet gives every element a ::marker and the four
# note and footnote pseudo-elements, so it computes the style of five
# pseudo-elements for every table cell: most of the styling cost of a sheet.
# The print documents have no footnotes or notes, and markers only on list
# items, so the print documents get the same stylesheet with ::marker on list
# items alone and the note rules left out.
PSEUDO_RULES = re.compile(
    r"^::(?:marker|footnote-call|footnote-marker|note-call|note-marker|note-callback) \{.*\}$", re.M
)
PRINT_UA_STYLESHEET = CSS(
    string=PSEUDO_RULES.sub(
        lambda rule: "li" + rule.group(0) if rule.group(0).startswith("::marker") else "", weasy_html.UA
    ),
    counter_style=CounterStyle(),  # the documents get WeasyPrint's own counter styles
)


class PrintHTML(HTML):
    """WeasyPrint's HTML with the print documents' user-agent stylesheet."""

    def _ua_stylesheets(self, forms=False):
        return [PRINT_UA_STYLESHEET]


_thread = threading.local()


def _layout_setup():
    """This thread's font configuration and parsed print stylesheet, made once and reused.

    Parsing the stylesheet and loading its @font-face into a fresh fontconfig
    configuration for every document cost more than laying out a small one;
    WeasyPrint's font map is not for sharing between threads, hence one per
    thread. Made again when the stylesheet's text changes.
    """
    text = read_static(STYLESHEET)
    setup = getattr(_thread, "setup", None)
    if setup is None or setup[0] != text or not _fonts_on_disk(setup[1]):
        font_config = FontConfiguration()
        stylesheet = CSS(
            string=text.decode(),
            base_url=_prefix(settings.STATIC_URL) + STYLESHEET,
            url_fetcher=PrintFetcher(),
            font_config=font_config,
        )
        setup = _thread.setup = (text, font_config, stylesheet)
    return setup[1], setup[2]


def _fonts_on_disk(font_config):
    """Whether the folder WeasyPrint copied the @font-face files to is still there (a cleaner of
    /tmp may have removed it under a long-lived process)."""
    folder = getattr(font_config, "_folder", None)
    return folder is None or Path(folder).is_dir()


_forgotten = []


def forget_layout_setup():
    """Make this thread's font configuration anew on next use (a forked process makes its own).

    The inherited one is kept referenced, never finalized: finalizing it would
    delete its folder of font files, which the parent process still uses.
    """
    setup = _thread.__dict__.pop("setup", None)
    if setup is not None:
        _forgotten.append(setup)


def drop_layout_setup():
    """Let this thread's own font configuration go, with its folder of font files."""
    _thread.__dict__.pop("setup", None)


def render_html(html, *, media_names=()):
    """Lay out an HTML string as print media with the print stylesheet, every URL through a `PrintFetcher`."""
    font_config, stylesheet = _layout_setup()
    fetcher = PrintFetcher(media_names)
    document = PrintHTML(string=html, base_url=BASE_URL, url_fetcher=fetcher).render(
        stylesheets=[stylesheet], font_config=font_config
    )
    return document, fetcher


def print_photo(field_file, width=0, height=0):
    """The storage name of `field_file`'s print copy: at most PHOTO_MAX_PX on its longest side, JPEG.

    A JPEG already small enough is used as it is; anything else is downscaled
    once and the copy cached in storage under printing/cache/ (photos are never
    changed in place: a new upload has a new name).
    """
    return print_copy(field_file.storage, field_file.name, width, height)


def print_copy(storage, name, width=0, height=0):
    """`print_photo` of the file `name` in `storage` (what a forked process is given)."""
    small = 0 < max(width, height) <= PHOTO_MAX_PX
    if small and name.lower().endswith((".jpg", ".jpeg")):
        return name
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
    saved = storage.save(cache, ContentFile(out.getvalue()))
    if saved != cache:  # made meanwhile by another process: the same copy
        storage.delete(saved)
    return cache
