from django.apps import AppConfig


class MatchmakingConfig(AppConfig):
    name = "innoregion.apps.matchmaking"
    label = "matchmaking"
