from django.urls import path

from . import views

app_name = "evaluation"
urlpatterns = [
    path("", views.index, name="index"),
    path("<str:code>/", views.dashboard, name="dashboard"),
    path("<str:code>/scorecard/", views.scorecard_page, name="scorecard"),
    path("<str:code>/briefing/", views.briefing_page, name="briefing"),
    path("<str:code>/data/<str:chart>.xlsx", views.chart_data, name="data"),
    path("<str:code>/briefings/", views.briefing_list, name="briefings"),
    path("briefings/<int:pk>/", views.briefing_doc, name="briefing_doc"),
    path("briefings/<int:pk>/discard/", views.briefing_discard, name="briefing_discard"),
    path("briefings/<int:pk>.<str:fmt>", views.briefing_download, name="briefing_download"),
]
