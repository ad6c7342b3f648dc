from django.urls import path

from . import views

app_name = "rectification"
urlpatterns = [
    path("", views.root, name="root"),
    path("item/<int:pk>/", views.problem_detail, name="detail"),
    path("item/<int:pk>/edit/", views.problem_edit, name="edit"),
    path("item/<int:pk>/<slug:name>/", views.problem_action, name="action"),
    path("evidence/<int:pk>/", views.evidence_download, name="evidence"),
    path("<str:code>/", views.problem_list, name="list"),
    path("<str:code>/ledger.xlsx", views.ledger, name="ledger"),
    path("<str:code>/new/", views.problem_new, name="new"),
    path("<str:code>/hand-down/", views.hand_down, name="hand_down"),
    path("<str:code>/rules/", views.rules, name="rules"),
    path("<str:code>/self-checks/", views.self_checks, name="self_checks"),
    path("<str:code>/satisfied/", views.satisfied, name="satisfied"),
]
