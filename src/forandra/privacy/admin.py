"""The deletion log in Django's admin: read-only, for admins.

Nobody adds, changes or deletes a deletion record by hand, so the admin has no add or delete
pages at all (their URLs are left out), and the change page only shows the record.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.contrib import admin
from django.http import HttpRequest
from django.urls import URLPattern
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from .models import DeletionRecord


def _kind_name(label: str) -> str:
    try:
        model = apps.get_model(label)
    except (LookupError, ValueError):
        return label
    return str(capfirst(model._meta.verbose_name_plural))


@admin.register(DeletionRecord)
class DeletionRecordAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("deleted_on", "kind", "total")
    list_filter = ("kind",)
    date_hierarchy = "deleted_on"
    fields = ("kind", "deleted_on", "counts_table")
    readonly_fields = ("kind", "deleted_on", "counts_table")

    def get_urls(self) -> list[URLPattern]:
        leave_out = {
            f"{self.opts.app_label}_{self.opts.model_name}_{view}" for view in ("add", "delete")
        }
        return [url for url in super().get_urls() if url.name not in leave_out]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description=_("rows"))
    def total(self, record: DeletionRecord) -> int:
        return record.total

    @admin.display(description=_("rows deleted or anonymised"))
    def counts_table(self, record: DeletionRecord) -> SafeString:
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (
                    _kind_name(label),
                    actions.get("deleted", 0),
                    actions.get("anonymised", 0),
                )
                for label, actions in sorted(record.counts.items())
            ),
        )
        return format_html(
            "<table><thead><tr><th>{}</th><th>{}</th><th>{}</th></tr></thead>"
            "<tbody>{}</tbody></table>",
            _("kind of row"),
            _("deleted"),
            _("anonymised"),
            rows,
        )
