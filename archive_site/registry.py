"""What the feature apps add to the core's pages, registered by the apps themselves.

The core never names a feature app. Each app, in its `AppConfig.ready()`,
registers its navigation links, its panels of the home page and its sections
of the pages about one record (the customer archive, a demand):

    from archive_site import registry

    registry.nav.register(registry.NavLink("quality:objection-list", _("质量异议"),
                                           "quality.view_objection", order=40, ...))
    registry.customer_sections.register(registry.Section("quality/objection_section.html",
                                                         objection_section, order=20))

and the core's templates render what was registered, in order
(`archive_site.templatetags.archive`). The header's account area shows the
registered `HeaderLink`s (a count beside one, such as unread notifications):
its count is best annotated onto the query that loads the request's user
(`user_annotations`, applied by `archive_site.accounts.backends`), so no page
pays a query of its own for it. The header's search box looks in the
`SearchSource`s the apps register (`archive_site.views.search`). Import modules register the same way,
with `imports.modules.registry`.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

# The header's menu of the administrators' pages (accounts, dictionaries, rules, logs): kept
# out of the navigation's line, so it fits one line of a 1366-wide screen in every language.
ADMINISTRATION = _("管理")


@dataclass(frozen=True)
class NavLink:
    """A link of the header's navigation.

    Shown to users holding any of `permissions` (or for whom `visible(user)` is
    true); marked as the current page when the resolved URL is in `namespace`
    and its name starts with one of `prefixes` (any name when none), and is
    not one of `exclude`. A link with a `menu` (such as `ADMINISTRATION`) is shown in
    the header's menu of that name rather than on the navigation's line.
    """

    url_name: str
    label: str
    permissions: tuple = ()
    id: str = ""
    order: int = 100
    namespace: str = ""
    prefixes: tuple = ()
    exclude: tuple = ()
    visible: Callable | None = None
    menu: str = ""

    def shown_to(self, user):
        if self.visible is not None:
            return self.visible(user)
        return any(user.has_perm(p) for p in self.permissions)

    def is_current(self, match):
        if match is None or match.namespace != self.namespace or match.url_name in self.exclude:
            return False
        return not self.prefixes or (match.url_name or "").startswith(self.prefixes)


@dataclass(frozen=True)
class Section:
    """A part of a page about one record, rendered from `template`.

    `context(request, obj)` returns the template's context, or None when the
    section is not shown to this user.
    """

    template: str
    context: Callable
    order: int = 100


@dataclass(frozen=True)
class HeaderLink:
    """A link of the header's account area (beside the user's name), with an optional count.

    `count(user)` returns a number shown as a badge when above zero (or None for no
    badge); shown to users for whom `visible(user)` is true (all when None).
    """

    url_name: str
    label: str
    id: str = ""
    order: int = 100
    count: Callable | None = None
    visible: Callable | None = None
    title: str = ""  # shown on pointing at the link, where the label is short

    def shown_to(self, user):
        return self.visible is None or self.visible(user)


@dataclass(frozen=True)
class SearchSource:
    """A module the header search looks in.

    `search(user, term)`: the records of the module `user` may see that match `term`, as an
    ordered QuerySet scoped as the module's list scopes them (`listed_for`: the user's
    customers read first, as ids) and searched as the list searches, so the counts agree;
    `hit(obj)`: a found record's (text, url); `list_url`: the URL name of the module's list,
    which takes the term as `?q=` ("" when the module has no list of its own). Shown to users
    holding `permission`.
    """

    key: str
    label: str
    permission: str
    search: Callable
    hit: Callable
    list_url: str = ""
    order: int = 100

    def shown_to(self, user):
        return user.has_perm(self.permission)


@dataclass
class Registry:
    """An ordered collection of registered pieces."""

    items: list = field(default_factory=list)

    def register(self, item):
        self.items.append(item)
        self.items.sort(key=lambda i: i.order)
        return item

    def __iter__(self):
        return iter(list(self.items))


nav = Registry()  # NavLink: the header's navigation
home_panels = Registry()  # Section(obj=None): the home page
customer_sections = Registry()  # Section(obj=customer): the customer archive page
demand_sections = Registry()  # Section(obj=demand): the demand page
header_links = Registry()  # HeaderLink: the header's account area

# name → function returning a query expression, annotated onto the user each request loads
# (`archive_site.accounts.backends.AccountBackend.get_user`): what the header shows of the user.
user_annotations = {}
search_sources = Registry()  # SearchSource: the modules the header search looks in
