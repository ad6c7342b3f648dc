from django.urls import path

from . import views

app_name = "research"
urlpatterns = [
    path("", views.root, name="root"),
    path("visit/<int:pk>/", views.visit_detail, name="visit"),
    path("visit/<int:pk>/<slug:name>/", views.finding_action, name="finding_action"),
    path("project/<int:pk>/", views.project_detail, name="project"),
    path("project/<int:pk>/edit/", views.project_edit, name="project_edit"),
    path("project/<int:pk>/<slug:name>/", views.project_action, name="project_action"),
    path("evidence/<int:pk>/", views.evidence_download, name="evidence"),
    path("<str:code>/", views.visits, name="visits"),
    path("<str:code>/new/", views.visit_new, name="visit_new"),
    path("<str:code>/projects/", views.projects, name="projects"),
    path("<str:code>/projects/new/", views.project_new, name="project_new"),
    path("<str:code>/projects/check/", views.project_check, name="project_check"),
    path("<str:code>/export/<str:kind>.xlsx", views.export, name="export"),
]
