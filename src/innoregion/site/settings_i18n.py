"""Settings for maintaining translations (scripts/update-translations.sh): the same as the site's,
without LOCALE_PATHS, so makemessages run inside an app writes only that app's own catalogue."""

from innoregion.site.settings import *  # noqa: F403

LOCALE_PATHS: list = []
