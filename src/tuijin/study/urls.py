from django.urls import path

from . import views

app_name = "study"
urlpatterns = [
    path("", views.root, name="root"),
    path("me/", views.me, name="me"),
    path("me/log/<int:pk>/withdraw/", views.withdraw_log, name="withdraw_log"),
    path("reading/", views.reading, name="reading"),
    path("session/<int:pk>/", views.session_detail, name="session"),
    path("session/<int:pk>/edit/", views.session_edit, name="edit"),
    path("session/<int:pk>/withdraw/", views.session_withdraw, name="withdraw"),
    path("session/<int:pk>/evidence/", views.session_evidence, name="upload"),
    path("evidence/<int:pk>/", views.evidence_download, name="evidence"),
    path("<str:code>/", views.session_list, name="list"),
    path("<str:code>/new/", views.session_new, name="new"),
    path("<str:code>/followup/", views.followup, name="followup"),
    path("<str:code>/analysis/", views.analysis, name="analysis"),
    path("<str:code>/export/<str:kind>/", views.export, name="export"),
]
