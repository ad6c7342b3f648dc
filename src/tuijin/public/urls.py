from django.urls import path

from . import views

app_name = "public"
urlpatterns = [
    path("<str:token>/", views.item_page, name="item"),
    path("<str:token>/qr.png", views.qr_png, name="qr_png"),
    path("<str:token>/qr.svg", views.qr_svg, name="qr_svg"),
]
