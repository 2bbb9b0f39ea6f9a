"""The catalogue page's notes in words: source documents by title, never by their numbers (issue 13)."""

from __future__ import annotations

from django import template

from sessions.rules.sources import plain_change_reason, plain_note, source_title

register = template.Library()

register.filter("source_title", source_title)
register.filter("plain_note", plain_note)
register.filter("plain_change_reason", plain_change_reason)
