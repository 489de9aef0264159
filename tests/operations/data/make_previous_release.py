"""How `previous_release.json` was made (kept for reference; it is a snapshot, not rebuilt).

At the release before the plans and operations work (without `plans.0001_initial` and
`core.0001_initial`: the plans app is new and had no data), a
database got `forandra migrate`, `register_load` and `demo`; this script then wrote Vindeln's
data (everything that hangs on the municipality, found the way a delete would find it) and what
those rows point to, without history tables, and the migrations that were applied:

    DATABASE_URL=sqlite:////tmp/previous.db .venv/bin/python \
        tests/operations/data/make_previous_release.py tests/operations/data
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path


def main(folder: Path) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "forandra.settings.development")
    import django

    django.setup()
    from django.contrib.admin.utils import NestedObjects
    from django.core import serializers
    from django.db import models
    from django.db.migrations.recorder import MigrationRecorder

    from forandra.municipalities.models import Municipality

    home = Municipality.objects.get(code="2404")
    collector = NestedObjects(using="default")
    collector.collect([home])
    seen: dict[tuple[str, object], models.Model] = {}
    pending = [obj for obj in collector.nested(lambda o: o) for obj in _flatten(obj)]
    while pending:
        obj = pending.pop()
        label = obj._meta.label_lower
        if obj._meta.auto_created or ".historical" in label:
            continue
        if obj._meta.app_label in {"contenttypes", "auth", "sessions", "admin", "axes"}:
            continue
        key = (label, obj.pk)
        if key in seen:
            continue
        seen[key] = obj
        for field in obj._meta.concrete_fields:
            if isinstance(field, models.ForeignKey):
                target = getattr(obj, field.name)
                if target is not None:
                    pending.append(target)
        for field in obj._meta.many_to_many:
            pending.extend(getattr(obj, field.name).all())
    order = {model: index for index, model in enumerate(_model_order())}
    objects = sorted(seen.values(), key=lambda o: (order[o._meta.label_lower], o.pk))
    data = json.loads(serializers.serialize("json", objects))
    lines = [json.dumps(item, ensure_ascii=False, sort_keys=True) for item in data]
    (folder / "previous_release.json").write_text(
        "[\n" + ",\n".join(lines) + "\n]\n", encoding="utf-8"
    )
    applied = [[row.app, row.name] for row in MigrationRecorder.Migration.objects.order_by("id")]
    (folder / "previous_release_migrations.json").write_text(
        json.dumps(applied, indent=1) + "\n", encoding="utf-8"
    )
    print(len(objects), "objects,", len(applied), "migrations")


def _flatten(item: object) -> list[object]:
    if isinstance(item, list):
        return [leaf for child in item for leaf in _flatten(child)]
    return [item]


def _model_order() -> list[str]:
    """Models in dependency order (a model after those it points to)."""
    from django.apps import apps
    from django.core.serializers import sort_dependencies

    app_list = [(config, None) for config in apps.get_app_configs()]
    return [model._meta.label_lower for model in sort_dependencies(app_list)]


if __name__ == "__main__":
    main(Path(sys.argv[1]))
