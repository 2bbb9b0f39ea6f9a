"""Forms for the delivery pages, by subject: the group and one-to-one question pages, group page actions,
one-to-one plans and catalogue edits.

The forms only check what a person typed (a real date, a time of day such as 6pm or 18:00, a choice from the list); the
domain decisions (training, clashes, capacity, plan totals) belong to ``sessions.rules`` and the services, whose
codes and messages the views show in the error summary. Choices come from the view (which got them from a
selector), so a form never reads the database itself.
"""
