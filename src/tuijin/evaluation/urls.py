from django.urls import path

from . import views

app_name = "evaluation"
urlpatterns = [
    path("", views.index, name="index"),
    path("<str:code>/", views.dashboard, name="dashboard"),
    path("<str:code>/scorecard/", views.scorecard_page, name="scorecard"),
    path("<str:code>/briefing/", views.briefing_page, name="briefing"),
    path("<str:code>/data/<str:chart>.xlsx", views.chart_data, name="data"),
]
