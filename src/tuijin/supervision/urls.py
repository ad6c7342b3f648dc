from django.urls import path

from . import views

app_name = "supervision"
urlpatterns = [
    path("", views.index, name="index"),
    path("inbox/", views.inbox_page, name="inbox"),
    path("groups/", views.groups_page, name="groups"),
    path("groups/<str:code>/assign/", views.group_assign, name="group_assign"),
    path("groups/<str:code>/leader/", views.group_leader, name="group_leader"),
    path("inbox/read/", views.inbox_read, name="inbox_read"),
    path("letters/<int:pk>/", views.letter_page, name="letter"),
    path("letters/<int:pk>/<str:step>/", views.letter_act, name="letter_act"),
    path("findings/<int:pk>/problem/", views.finding_problem, name="finding_problem"),
    path("samples/<int:pk>/", views.sample_page, name="sample"),
    path("samples/<int:pk>/check/", views.sample_check, name="sample_check"),
    path("<str:code>/", views.org_page, name="org"),
    path("<str:code>/letters/new/", views.letter_new, name="letter_new"),
    path("<str:code>/inspections/new/", views.inspection_new, name="inspection_new"),
    path("<str:code>/samples/new/", views.sample_new, name="sample_new"),
    path("<str:code>/interviews/new/", views.interview_new, name="interview_new"),
    path("<str:code>/accountability/new/", views.accountability_new, name="accountability_new"),
    path("<str:code>/decide/", views.decide, name="decide"),
]
