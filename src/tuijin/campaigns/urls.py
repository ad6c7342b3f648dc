from django.urls import path

from . import views

app_name = "campaigns"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("task/<str:code>/", views.task_detail, name="task"),
]
