"""Find per-app hook functions (`<app>.home.home_widgets`, `<app>.demo.seed`) without importing every app by name."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from typing import Any

from django.apps import apps


def app_hooks(module: str, attribute: str) -> Iterator[Callable[..., Any]]:
    """Yield `attribute` of `<app>.<module>` for each installed app that has one, in INSTALLED_APPS order."""
    for config in apps.get_app_configs():
        name = f"{config.name}.{module}"
        try:
            mod = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:
                continue
            raise
        hook = getattr(mod, attribute, None)
        if hook is not None:
            yield hook
