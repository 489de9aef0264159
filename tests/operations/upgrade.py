"""An upgrade from the previous release, run in a subprocess against an empty database:

1. every migration of the previous release is applied (forward, from empty);
2. the previous release's data (data/previous_release.json, Vindeln's part of the demo) is
   loaded with the models as they were then (the migration state, not today's models);
3. every later migration is applied;
4. every row of that data must still be there, with every field that still exists unchanged.

Prints a JSON summary; tests/operations/test_migrations.py runs it:
`python -m tests.operations.upgrade` with DATABASE_URL naming an empty database.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent / "data"


def previous_targets(loader: Any, previous: set[tuple[str, str]]) -> list[tuple[str, str | None]]:
    """For each app: its last migration in the previous release, or None (not there yet)."""
    targets: list[tuple[str, str | None]] = []
    for app in sorted(loader.migrated_apps):
        names = sorted(name for label, name in previous if label == app)
        targets.append((app, names[-1] if names else None))
    return targets


def run() -> dict[str, object]:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "forandra.settings.development")
    django.setup()
    from django.apps import apps as current_apps
    from django.core import serializers
    from django.core.serializers.python import Deserializer
    from django.db import connection, transaction
    from django.db.migrations.executor import MigrationExecutor

    applied_then = json.loads((DATA / "previous_release_migrations.json").read_text())
    previous = {(app, name) for app, name in applied_then}
    fixture = json.loads((DATA / "previous_release.json").read_text(encoding="utf-8"))
    summary: dict[str, object] = {}

    executor = MigrationExecutor(connection)
    summary["applied_before"] = len(executor.loader.applied_migrations)
    targets = previous_targets(executor.loader, previous)
    executor.migrate(targets)
    executor = MigrationExecutor(connection)
    summary["previous_schema_matches"] = set(executor.loader.applied_migrations) == previous

    # The previous release's models, as its migrations left them.
    old_apps = executor.loader.project_state([t for t in targets if t[1] is not None]).apps

    class OldModels(Deserializer):  # type: ignore[misc]
        def _get_model_from_node(self, model_identifier: str) -> Any:
            return old_apps.get_model(model_identifier)

    with transaction.atomic():
        loaded = 0
        for item in OldModels(fixture):
            item.save()
            loaded += 1
    summary["loaded"] = loaded

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    summary["unapplied_after"] = len(plan)

    missing, changed = [], []
    for entry in fixture:
        model = current_apps.get_model(entry["model"])
        found = model._default_manager.filter(pk=entry["pk"])
        if not found.exists():
            missing.append(f"{entry['model']} {entry['pk']}")
            continue
        [now] = json.loads(serializers.serialize("json", found))
        many = {field.name for field in model._meta.many_to_many}
        for name, value in entry["fields"].items():
            if name not in now["fields"]:
                continue  # a field a later migration removed
            if name in many:  # lists of keys, in no particular order
                same = sorted(now["fields"][name], key=str) == sorted(value, key=str)
            else:
                same = now["fields"][name] == value
            if not same:
                changed.append(f"{entry['model']} {entry['pk']} {name}")
    summary["missing"] = missing
    summary["changed"] = changed
    return summary


if __name__ == "__main__":
    print(json.dumps(run()))
