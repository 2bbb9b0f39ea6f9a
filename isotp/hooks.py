"""Find per-app hook functions (`<app>.home.home_widgets`, `<app>.demo.seed`) without importing every app by name."""

from __future__ import annotations

import functools
import importlib
from collections.abc import Callable, Iterator
from types import ModuleType
from typing import Any

from django.apps import apps


def app_hooks(module: str, attribute: str) -> Iterator[Callable[..., Any]]:
    """Yield `attribute` of `<app>.<module>` for each installed app that has one, in INSTALLED_APPS order (the
    attribute is read at each call, so a hook replaced at run time, as tests do, is the one yielded)."""
    for mod in _modules(module, tuple(config.name for config in apps.get_app_configs())):
        hook = getattr(mod, attribute, None)
        if hook is not None:
            yield hook


@functools.cache
def _modules(module: str, app_names: tuple[str, ...]) -> tuple[ModuleType, ...]:
    """The apps' `<app>.<module>` modules that exist, found once per process (issue 11: a page asked for about 80
    hooks, and Python searches the file system again for every module that does not exist, about 4 ms a request)."""
    found = []
    for app in app_names:
        name = f"{app}.{module}"
        try:
            found.append(importlib.import_module(name))
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
    return tuple(found)
