from django.urls import path

from . import views

app_name = "imports"
urlpatterns = [
    path("", views.index, name="index"),
    path("template/<str:kind>/", views.template, name="template"),
]
