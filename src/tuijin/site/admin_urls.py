from django.urls import path

from . import admin_views

app_name = "admin3"
urlpatterns = [
    path("accounts/", admin_views.accounts, name="accounts"),
    path("accounts/<str:username>/active/", admin_views.set_active, name="set_active"),
    path("grants/", admin_views.grants, name="grants"),
    path("grants/<int:pk>/revoke/", admin_views.revoke, name="revoke"),
    path("mfa/reset/", admin_views.mfa_reset, name="mfa_reset"),
    path("audit/", admin_views.audit, name="audit"),
    path("search/", admin_views.search, name="search"),
]
