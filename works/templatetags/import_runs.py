"""``{{ run|run_errors }}``: the run's errors as sentences (works/run_errors.py)."""

from django import template

from works.run_errors import explain_run

register = template.Library()


@register.filter
def run_errors(run):
    return explain_run(run)
