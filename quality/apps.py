from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class QualityConfig(AppConfig):
    name = "quality"
    verbose_name = _("质量")

    def ready(self):
        from archive_site import registry
        from quality import sections

        for link in [
            registry.NavLink(
                "quality:plan-list",
                pgettext_lazy("导航", "工艺方案"),
                ("quality.view_processplan",),
                id="nav-plans",
                order=30,
                namespace="quality",
                prefixes=("plan", "revision", "run"),
            ),
            registry.NavLink(
                "quality:objection-list",
                pgettext_lazy("导航", "质量异议"),
                ("quality.view_objection",),
                id="nav-objections",
                order=40,
                namespace="quality",
                prefixes=("objection", "photo", "work-stats"),
            ),
            registry.NavLink(
                "quality:judgement",
                pgettext_lazy("导航", "判定辅助"),
                ("quality.view_objection",),
                id="nav-judgement",
                order=45,
                namespace="quality",
                prefixes=("judgement", "decision"),
            ),
            registry.NavLink(
                "quality:deadline-rule-list",
                _("期限规则"),
                ("quality.view_deadlinerule",),
                id="nav-deadline-rules",
                menu=registry.ADMINISTRATION,
                order=82,
                namespace="quality",
                prefixes=("deadline-rule",),
            ),
        ]:
            registry.nav.register(link)
        for template, context, order in [
            ("quality/judgement_shortcut.html", sections.judgement_shortcut, 20),
            ("quality/_home_handler_work.html", sections.home_handler_work, 30),
            ("quality/_home_plan_work.html", sections.home_plan_work, 32),
            ("quality/_home_new_objections.html", sections.home_new_objections, 34),
            ("quality/_home_figures.html", sections.home_figures, 40),
        ]:
            registry.home_panels.register(registry.Section(template, context, order=order))
        registry.customer_sections.register(
            registry.Section("quality/_customer_plans.html", sections.customer_plans, order=15)
        )
        registry.customer_sections.register(
            registry.Section("quality/objection_section.html", sections.customer_objections, order=20)
        )
        registry.customer_sections.register(
            registry.Section("quality/_customer_alerts.html", sections.customer_alerts, order=18)
        )
        registry.customer_sections.register(
            registry.Section("quality/_customer_decisions.html", sections.customer_decisions, order=22)
        )
        registry.demand_sections.register(
            registry.Section("quality/_demand_plans.html", sections.demand_plans, order=10)
        )
        registry.search_sources.register(
            registry.SearchSource(
                "plans",
                _("工艺方案"),
                "quality.view_processplan",
                sections.search_plans,
                sections.plan_hit,
                "quality:plan-list",
                order=30,
            )
        )
        registry.search_sources.register(
            registry.SearchSource(
                "objections",
                _("质量异议"),
                "quality.view_objection",
                sections.search_objections,
                sections.objection_hit,
                "quality:objection-list",
                order=40,
            )
        )
