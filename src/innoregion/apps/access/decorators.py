"""``role_required``: the gate in front of every page (the data inside is still read through
``restrict``)."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied

from innoregion.apps.access.restrict import Who


def role_required(*roles: str):
    def decorate(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            who = Who(request.user)
            if who.role is None or (roles and who.role not in roles):
                raise PermissionDenied
            request.who = who
            return view(request, *args, **kwargs)

        wrapped.innoregion_roles = roles
        return wrapped

    return decorate
