from django.urls import path

from innoregion.apps.access import views

app_name = "access"

urlpatterns = [
    path("portal/", views.portal, name="portal"),
    path("consents/<int:pk>/revoke/", views.revoke_consent, name="revoke-consent"),
    path("tokens/", views.tokens, name="tokens"),
    path("tokens/<int:pk>/revoke/", views.revoke_token, name="revoke-token"),
    path("audit/", views.audit_log, name="audit"),
]
