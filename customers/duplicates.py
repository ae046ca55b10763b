"""Likely duplicates of a customer: names, short names or credit codes that are the same once
spelling is set aside.

Two names are taken for one company when they have the same characters, whatever their
order, after: full-width forms made half-width (ＡＢＣ１２３ → ABC123), case, spaces and
punctuation ignored ((（）)·-. and the like), and 有限责任公司 read as 有限公司. Short names the
same way; credit codes ignoring case and full-width forms. Exact equality of those keys only:
distinct companies whose names merely look alike (青岛海尔 / 青岛海信) are not reported.

Creating a customer (form or import) shows the candidates the user may see; the user
decides (a merge, `customers.merge`, is an administrator's).
"""

import re
import unicodedata
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

# Legal forms written more than one way: the longer form is read as the shorter.
LEGAL_FORMS = (("有限责任公司", "有限公司"),)
NOT_A_WORD = re.compile(r"[\W_]+")

NAME = _("客户名称")
SHORT_NAME = _("简称")
CREDIT_CODE = _("统一社会信用代码")


def plain(text):
    """Half-width, lower case, without spaces and punctuation."""
    return NOT_A_WORD.sub("", unicodedata.normalize("NFKC", text or "").casefold())


def name_key(text):
    """What two spellings of one company's name have in common: its characters, in order."""
    key = plain(text)
    for long, short in LEGAL_FORMS:
        key = key.replace(long, short)
    return "".join(sorted(key))


def code_key(text):
    return plain(text).upper()


@dataclass
class Candidate:
    customer: object
    reasons: list = field(default_factory=list)  # which field is alike: NAME, SHORT_NAME, CREDIT_CODE


class Index:
    """The customers of a queryset by their keys: built once, asked for many names (an import)."""

    def __init__(self, customers):
        self.by = {"name": {}, "short_name": {}, "credit_code": {}}
        for c in customers.only("pk", "code", "name", "short_name", "credit_code").order_by("code"):
            self.add(c)

    def add(self, customer):
        for attr, key in (
            ("name", name_key(customer.name)),
            ("short_name", name_key(customer.short_name)),
            ("credit_code", code_key(customer.credit_code)),
        ):
            if key:
                self.by[attr].setdefault(key, []).append(customer)

    def similar(self, *, name="", short_name="", credit_code="", exclude=None):
        """The customers alike in any of the three, each once with the reasons, by code."""
        found = {}
        for attr, key, reason in (
            ("name", name_key(name), NAME),
            ("short_name", name_key(short_name), SHORT_NAME),
            ("credit_code", code_key(credit_code), CREDIT_CODE),
        ):
            for customer in self.by[attr].get(key, []) if key else []:
                if exclude is not None and customer.pk == exclude:
                    continue
                found.setdefault(customer.pk, Candidate(customer)).reasons.append(reason)
        return sorted(found.values(), key=lambda c: c.customer.code)


def similar_customers(customers, *, name="", short_name="", credit_code="", exclude=None):
    """Candidates among `customers` (a queryset the user may see) for one new or changed customer."""
    return Index(customers).similar(
        name=name, short_name=short_name, credit_code=credit_code, exclude=exclude
    )
