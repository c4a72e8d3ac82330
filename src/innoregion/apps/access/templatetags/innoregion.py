from django import template

from innoregion.apps.access.restrict import Who

register = template.Library()


@register.simple_tag
def role_of(user):
    """The user's role (``official``, ``enterprise``, ``bank``, ``admin``) or ``""``."""
    return Who(user).role or ""


@register.filter
def get_item(mapping, key):
    try:
        return mapping.get(key)
    except AttributeError:
        return None
