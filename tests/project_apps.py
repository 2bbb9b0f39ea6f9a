"""The project's own Django apps, read from the app registry, for the tests that scan the source or the models.

One list, so that a new app (as `transfers` was) is scanned by every such test without anyone remembering to add it.
"""

from pathlib import Path

from django.apps import apps

ROOT = Path(__file__).resolve().parents[1]

_CONFIGS = sorted(
    (
        config
        for config in apps.get_app_configs()
        if Path(config.path).resolve().is_relative_to(ROOT)
        and not Path(config.path)
        .resolve()
        .relative_to(ROOT)
        .parts[0]
        .startswith(".")  # not the .venv's packages
    ),
    key=lambda config: config.label,
)
# Folder names (as on disk: `sessions`) and app labels (as in the models: `programme_sessions`).
PROJECT_APPS = tuple(Path(config.path).resolve().relative_to(ROOT).as_posix() for config in _CONFIGS)
PROJECT_APP_LABELS = frozenset(config.label for config in _CONFIGS)
