"""The login backend: Django's model backend, reading a signed-in user together with the profile
(role and binding) in one query, so that ``Who`` does not read the profile again on every request."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ObjectDoesNotExist

from innoregion.apps.access.policy import NO_PROFILE


class ProfileBackend(ModelBackend):
    def get_user(self, user_id):
        User = get_user_model()
        try:
            user = User._default_manager.select_related("profile").get(pk=user_id)
        except User.DoesNotExist:
            return None
        try:
            user._innoregion_profile = user.profile
        except ObjectDoesNotExist:
            user._innoregion_profile = NO_PROFILE
        return user if self.user_can_authenticate(user) else None
