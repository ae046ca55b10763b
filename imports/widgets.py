"""Widgets (django-import-export) that read what people really type into Excel.

Each `clean` turns a cell into a Python value or raises `CellError` with a
Chinese message; each `render` gives the value an export writes, so an
exported file imports back unchanged. Lookups (dictionaries, customers, users)
are cached per import: one query per kind, not one per row.

Widgets whose reading of a cell depends on its value alone say so with
`reads_by_value = True`: the importer then reads each distinct value of a column
once per sheet (a status or a customer code repeated down 20 000 rows), and gives
every row with that value the same result or the same error.
"""

import datetime
import re
import unicodedata
from decimal import Decimal, InvalidOperation

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext as _
from import_export import widgets
from openpyxl.utils.datetime import from_excel

from archive_site.models import DictEntry, DictKind

EXCEL_MAX_SERIAL = 2958465  # 9999-12-31
# A bare number in a date column is read as an Excel date serial only within these years:
# a small number ("12", a year "2024") would otherwise become a day of 1900.
SERIAL_DATES = (datetime.date(1950, 1, 1), datetime.date(2099, 12, 31))
# Thousands grouped by commas or spaces, as a Chinese office suite writes them: 1,250 or 12 500.5.
GROUPED = re.compile(r"[+-]?[1-9]\d{0,2}(?:(?P<sep>[,\s])\d{3})(?:(?P=sep)\d{3})*(?:\.\d+)?")
DATE_FORMATS = (
    "%Y-%m-%d",
    "%Y/%m/%d",
    "%Y.%m.%d",
    "%Y年%m月%d日",
    "%Y%m%d",
    "%Y-%m-%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
)
TRUE_WORDS = {"是", "启用", "有效", "y", "yes", "true", "1", "√", "✓", "t"}
FALSE_WORDS = {"否", "停用", "无效", "n", "no", "false", "0", "×", "✗", "f"}


class CellError(ValueError):
    """A cell's value cannot be used; the message says why, in Chinese."""


def nfkc(text):
    """Full-width letters, digits, spaces and punctuation to their plain forms."""
    return unicodedata.normalize("NFKC", text)


def match_key(value):
    """What two spellings of the same code or name have in common."""
    return "".join(nfkc(text_of(value)).split()).casefold()  # split() drops what \s+ matches


def text_of(value):
    """A cell as text: whole numbers without ".0", dates as ISO dates."""
    if value.__class__ is str:
        return value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        if value.time() == datetime.time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def is_blank(value):
    return value is None or (isinstance(value, str) and not value.strip())


class TextWidget(widgets.CharWidget):
    """Text. `plain=True` (codes, phones, e-mails) also turns full-width forms
    into plain ones; names and free text keep their Chinese punctuation."""

    def __init__(self, plain=False, upper=False, url=False):
        super().__init__(coerce_to_string=True, allow_blank=True)
        self.plain, self.upper, self.url = plain, upper, url

    def clean(self, value, row=None, **kwargs):
        text = text_of(value)
        text = nfkc(text) if self.plain else text.replace("\u3000", " ")
        text = text.strip()
        if self.upper:
            text = text.upper()
        if self.url and text and "://" not in text:
            text = "https://" + text
        return text

    def exporter(self):
        return ("",), _text


class NumberWidget(widgets.DecimalWidget):
    """Numbers, also typed as text: full-width digits, thousands separators.

    A comma or space that does not group thousands (`0,8`, `8，3`) may be a
    decimal comma: refused, never guessed.
    """

    reads_by_value = True

    def __init__(self, integer=False):
        super().__init__(coerce_to_string=False)
        self.integer = integer

    def clean(self, value, row=None, **kwargs):
        if is_blank(value):
            return None
        if isinstance(value, bool):
            raise CellError(_("“%(value)s”不是数字。") % {"value": text_of(value)})
        if isinstance(value, (int, Decimal)):
            number = Decimal(value)
        elif isinstance(value, float):
            number = Decimal(repr(value))
        else:
            text = nfkc(str(value)).strip()
            if re.search(r"[\s,]", text):
                if not GROUPED.fullmatch(text):
                    raise CellError(
                        _(
                            "“%(value)s”中的逗号或空格不是千位分隔符，可能是小数点：小数请用小数点"
                            "（例如 0.8），千位分隔符只能每三位一个（例如 1,250）。"
                        )
                        % {"value": value}
                    )
                text = re.sub(r"[\s,]", "", text)
            try:
                number = Decimal(text)
            except InvalidOperation:
                raise CellError(_("“%(value)s”不是有效的数字。") % {"value": value}) from None
        if not number.is_finite():
            raise CellError(_("“%(value)s”不是有效的数字。") % {"value": value})
        if self.integer:
            if number != number.to_integral_value():
                raise CellError(_("“%(value)s”应为整数。") % {"value": text_of(value)})
            return int(number)
        return number

    def render(self, value, obj=None, **kwargs):
        return value

    def exporter(self):
        return ("",), _same


class ExcelDateWidget(widgets.DateWidget):
    """Dates: Excel dates, Excel date serials (45000), and the usual written forms.

    A bare number is taken as a serial only when it gives a date in `SERIAL_DATES`.
    """

    reads_by_value = True

    def __init__(self):
        super().__init__(coerce_to_string=False)

    def clean(self, value, row=None, **kwargs):
        if is_blank(value):
            return None
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
            return self._serial(value, value)
        text = nfkc(str(value)).strip()
        if re.fullmatch(r"\d{1,7}(\.\d+)?", text) and not re.fullmatch(r"\d{8}", text):
            return self._serial(float(text), value)
        for fmt in DATE_FORMATS:
            try:
                return datetime.datetime.strptime(text, fmt).date()
            except ValueError:
                continue
        raise CellError(_("“%(value)s”不是有效的日期，请写成 2024-01-31 的形式。") % {"value": value})

    def _serial(self, number, shown):
        if not 1 <= number <= EXCEL_MAX_SERIAL:
            raise CellError(_("“%(value)s”不是有效的日期。") % {"value": text_of(shown)})
        date = from_excel(number).date()
        if not SERIAL_DATES[0] <= date <= SERIAL_DATES[1]:
            message = _(
                "“%(value)s”不是日期：当作 Excel 日期序号它是 %(date)s，不像是要填的日期。"
                "请写成 2024-01-31 的形式。"
            )
            raise CellError(message % {"value": text_of(shown), "date": date.isoformat()})
        return date

    def render(self, value, obj=None, **kwargs):
        return value

    def exporter(self):
        return ("",), _same


class BooleanWordWidget(widgets.BooleanWidget):
    """是/否, 启用/停用, yes/no, 1/0, √/×."""

    reads_by_value = True

    def __init__(self, default=None):
        super().__init__(coerce_to_string=True)
        self.default = default

    def clean(self, value, row=None, **kwargs):
        if is_blank(value):
            return self.default
        if isinstance(value, bool):
            return value
        key = match_key(value)
        if key in TRUE_WORDS:
            return True
        if key in FALSE_WORDS:
            return False
        raise CellError(_("“%(value)s”应为“是”或“否”。") % {"value": text_of(value)})

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        return "是" if value else "否"

    def exporter(self):
        return ("",), lambda value: "" if value is None else ("是" if value else "否")


class ChoiceWidget(widgets.Widget):
    """A choice, by its code or its label: "active" or "合作中"."""

    reads_by_value = True

    def __init__(self, choices):
        super().__init__(coerce_to_string=True)
        self.choices = choices
        self._codes = {}  # language → {code or label as matched: code}, built once per import

    def options(self):
        return [str(label) for _value, label in self.choices.choices]

    def clean(self, value, row=None, **kwargs):
        if is_blank(value):
            return None
        language = translation.get_language()
        if language not in self._codes:
            codes = {}
            for code, label in self.choices.choices:
                codes.setdefault(match_key(code), code)
                codes.setdefault(match_key(str(label)), code)
            self._codes[language] = codes
        code = self._codes[language].get(match_key(value))
        if code is not None:
            return code
        raise CellError(
            _("“%(value)s”不是可选的值，应为：%(options)s。")
            % {"value": text_of(value), "options": "、".join(self.options())}
        )

    def render(self, value, obj=None, **kwargs):
        if value in (None, ""):
            return ""
        return str(dict(self.choices.choices).get(value, value))

    def exporter(self):
        labels = {code: str(label) for code, label in self.choices.choices}  # translated once per export

        def label(value):
            return "" if value in (None, "") else labels.get(value, str(value))

        return ("",), label


class CachedLookupWidget(widgets.ForeignKeyWidget):
    """A related record found by any of several keys (code, name, ...), cached per import.

    `prefetch(values)` loads the records a column names in one query; lookups
    of values not prefetched query once each and are remembered.
    Subclasses say which fields identify a record (`keys`) and which records
    may be chosen (`get_queryset`).
    """

    keys = ("code", "name")
    what = ""

    def __init__(self, model, **kwargs):
        super().__init__(model, field="pk", **kwargs)
        self.found = {}
        self.pending = {}  # records this import creates, by key (from an earlier sheet)

    def bind(self, resource):
        """Called by the resource: the importing user, and the records earlier sheets create."""
        self.user = resource.user
        self.pending = resource.pending.setdefault(self.model, {})

    def remember(self, obj):
        for key in self.keys:
            value = getattr(obj, key, None)
            if value not in (None, ""):
                self.found.setdefault(match_key(value), obj)

    def prefetch(self, values):
        wanted = self.unknown(values)
        if not wanted:
            return
        variants = wanted | {nfkc(v) for v in wanted}
        query = Q()
        for key in self.keys:
            query |= Q(**{f"{key}__in": variants})
        for obj in self.get_queryset(None, None).filter(query):
            self.remember(obj)

    def unknown(self, values):
        """The values (as text) neither looked up yet nor named by a record this import writes
        (`pending`, which `lookup` answers first): the only ones worth a query. A contact sheet
        names the customers the customer sheet before it creates, 20 000 of them."""
        wanted = {text_of(v).strip() for v in values if not is_blank(v)}
        found, pending = self.found, self.pending
        return {v for v in wanted if (key := match_key(v)) not in found and key not in pending}

    def lookup(self, value):
        key = match_key(value)
        if key in self.pending:
            return self.pending[key]
        if key not in self.found:
            self.prefetch([value])
            self.found.setdefault(key, None)
        return self.found[key]

    def clean(self, value, row=None, **kwargs):
        if is_blank(value):
            return None
        obj = self.lookup(value)
        if obj is None:
            raise CellError(self.not_found(value))
        return obj

    def not_found(self, value):
        return _("找不到%(what)s“%(value)s”。") % {"what": self.what, "value": text_of(value)}

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        return getattr(value, self.keys[0])

    def exporter(self):
        return (f"__{self.keys[0]}",), _text_or_blank


class DictionaryWidget(CachedLookupWidget):
    """A base dictionary entry of one kind, by its code, Chinese name or English name."""

    reads_by_value = True

    keys = ("code", "name", "name_en")

    def __init__(self, kind):
        super().__init__(DictEntry)
        self.kind = kind
        self.loaded = False

    @property
    def what(self):
        return self.kind.label

    def get_queryset(self, value, row, *args, **kwargs):
        entries = DictEntry.objects.of(self.kind)
        if self.kind == DictKind.PROCESS_PARAMETER:
            # A plan's parameter row is checked against its lines (`DictEntry.set_on`): loaded once.
            entries = entries.prefetch_related("lines")
        return entries

    def prefetch(self, values):
        # A kind has tens of entries: load them all at once.
        if not self.loaded:
            for entry in self.get_queryset(None, None):
                self.remember(entry)
            self.loaded = True

    def lookup(self, value):
        self.prefetch(())
        return self.found.get(match_key(value))

    def not_found(self, value):
        return _("“%(value)s”不是“%(kind)s”中的代码或名称（请在基础数据中查看可选值）。") % {
            "value": text_of(value),
            "kind": self.kind.label,
        }

    def options(self):
        return list(DictEntry.objects.of(self.kind).active().values_list("name", flat=True))

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else value.name

    def exporter(self):
        return ("__name",), _text_or_blank


class UserWidget(CachedLookupWidget):
    """An active user, by user name or name. A name two users share is refused as ambiguous."""

    reads_by_value = True

    keys = ("username", "name")

    def __init__(self):
        super().__init__(get_user_model())
        self.loaded = False

    def get_queryset(self, value, row, *args, **kwargs):
        return get_user_model().objects.filter(is_active=True)

    def prefetch(self, values):
        if self.loaded:
            return
        names = {}
        for user in self.get_queryset(None, None):
            self.found[match_key(user.username)] = user
            if user.name:
                names.setdefault(match_key(user.name), []).append(user)
        for key, users in names.items():
            if key not in self.found:
                self.found[key] = users[0] if len(users) == 1 else AMBIGUOUS
        self.loaded = True

    def clean(self, value, row=None, **kwargs):
        if is_blank(value):
            return None
        self.prefetch(())
        user = self.found.get(match_key(value))
        if user is AMBIGUOUS:
            raise CellError(_("有多个用户叫“%(value)s”，请填写用户名。") % {"value": text_of(value)})
        if user is None:
            raise CellError(_("找不到用户“%(value)s”（请填写用户名或姓名）。") % {"value": text_of(value)})
        return user

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else str(value)

    def exporter(self):
        # str(user): the name, else the user name.
        return ("__name", "__username"), lambda name, username: "" if username is None else name or username


AMBIGUOUS = object()


# What an export writes for a value read with `values_list` (`exporter()` of each widget: the
# lookups it reads below the field's attribute, and the function of their values). A widget
# whose `render` changes must change its `exporter` too (`imports.resources.export_reader`
# falls back to `render` on the records when it does not).


def _same(value):
    return value


def _text(value):
    return "" if value is None else str(value)


def _text_or_blank(value):
    return "" if value is None else value


def _shown(value):
    if value is None:
        return ""
    if isinstance(value, (datetime.date, Decimal, int, float)):
        return value
    return str(value)


class ShownWidget(widgets.Widget):
    """A read-only column: related records by their name, dates and numbers as Excel holds them."""

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        if isinstance(value, (datetime.date, Decimal, int, float)):
            return value
        return str(value)

    def exporter(self):
        return ("",), _shown
