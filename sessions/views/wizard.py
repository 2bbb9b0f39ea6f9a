"""A small question-page engine: one question per page, answers kept in the session, check your answers last.

GOV.UK question pages (https://design-system.service.gov.uk/patterns/question-pages/): each page asks one thing,
"Continue" goes to the next unanswered question, and a "Change" link on the check-your-answers page comes back to
the question and then straight back to the check page (``?change=1``). Answers are plain JSON values (codes,
public ids, ISO dates), so nothing about a person sits in the session beyond identifiers.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse


class Wizard:
    """Subclasses name the steps, the state keys each step answers, and build and store each step's form."""

    session_key: ClassVar[str]
    caption: ClassVar[str]
    step_url: ClassVar[str]
    check_url: ClassVar[str]
    start_url: ClassVar[str]
    cancel_url: ClassVar[str]
    steps: ClassVar[Sequence[str]]
    answers: ClassVar[dict[str, tuple[str, ...]]]  # step -> the state keys it sets
    titles: ClassVar[dict[str, str]]  # step -> page title (the question)
    templates: ClassVar[dict[str, str]] = {}

    def __init__(self, request: HttpRequest):
        self.request = request
        self.state: dict[str, Any] = dict(request.session.get(self.session_key) or {})

    # --- state ------------------------------------------------------------------------------------------------

    def save(self) -> None:
        self.request.session[self.session_key] = self.state
        self.request.session.modified = True

    def clear(self) -> None:
        self.request.session.pop(self.session_key, None)
        self.state = {}

    def answered(self, step: str) -> bool:
        return all(key in self.state for key in self.answers[step])

    def first_unanswered(self, before: str | None = None) -> str | None:
        for step in self.steps:
            if step == before:
                return None
            if not self.answered(step):
                return step
        return None

    def complete(self) -> bool:
        return self.first_unanswered() is None

    # --- urls -------------------------------------------------------------------------------------------------

    def url(self, step: str) -> str:
        return reverse(self.step_url, kwargs={"step": step})

    def change_url(self, step: str) -> str:
        return self.url(step) + "?change=1"

    def check(self) -> str:
        return reverse(self.check_url)

    def back_url(self, step: str) -> str:
        if self.request.GET.get("change") and self.complete():
            return self.check()
        index = list(self.steps).index(step)
        return self.url(self.steps[index - 1]) if index else reverse(self.cancel_url)

    def after(self, step: str) -> str:
        if self.complete() and (self.request.GET.get("change") or step == self.steps[-1]):
            return self.check()
        missing = self.first_unanswered()
        index = list(self.steps).index(step)
        following = self.steps[index + 1] if index + 1 < len(self.steps) else None
        if following is not None and (missing is None or list(self.steps).index(missing) > index):
            return self.url(following)
        return self.url(missing) if missing else self.check()

    # --- forms (subclasses) -----------------------------------------------------------------------------------

    def form(self, step: str, data: Any) -> forms.Form:
        raise NotImplementedError

    def store(self, step: str, form: forms.Form) -> None:
        raise NotImplementedError

    def context(self, step: str, form: forms.Form) -> dict[str, Any]:
        return {}

    # --- the page ---------------------------------------------------------------------------------------------

    def step_view(self, step: str) -> HttpResponse:
        """One question page: earlier questions must be answered first (else go back to the first gap)."""
        if step not in self.steps:
            raise Http404("No such question")
        missing = self.first_unanswered(before=step)
        if missing is not None:
            return redirect(self.url(missing))
        form = self.form(step, self.request.POST if self.request.method == "POST" else None)
        if self.request.method == "POST" and form.is_valid():
            self.store(step, form)
            self.save()
            return redirect(self.after(step) + ("?change=1" if self._keep_change(step) else ""))
        context = {
            "form": form,
            "title": self.titles[step],
            "caption": self.caption,
            "back_url": self.back_url(step),
            "step": step,
            **self.context(step, form),
        }
        return render(self.request, self.templates.get(step, "sessions/wizard/question.html"), context)

    def _keep_change(self, step: str) -> bool:
        """A change that leaves later questions unanswered (a new programme) walks on through them."""
        return bool(self.request.GET.get("change")) and not self.complete()
