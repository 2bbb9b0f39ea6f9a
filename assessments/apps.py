from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    """Psychometric batteries, pre/post administrations, change statistics, deviance and treatment needs."""

    name = "assessments"
    verbose_name = "Psychometric assessment"
