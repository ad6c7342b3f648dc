from django.urls import path

from . import views

app_name = "orgs"
urlpatterns = [
    path("", views.tree_root, name="root"),
    path("search/", views.search, name="search"),
    path("<str:code>/", views.org_detail, name="detail"),
    path("<str:code>/people/", views.org_people, name="people"),
    path("person/<str:number>/", views.person_detail, name="person"),
]
