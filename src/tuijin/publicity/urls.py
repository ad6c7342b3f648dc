from django.urls import path

from . import views

app_name = "publicity"
urlpatterns = [
    path("", views.root, name="root"),
    path("submission/<int:pk>/", views.submission_detail, name="submission"),
    path("submission/<int:pk>/<slug:name>/", views.submission_action, name="submission_action"),
    path("solicitation/<int:pk>/", views.solicitation_detail, name="solicitation"),
    path("item/<int:pk>/", views.item_detail, name="item"),
    path("item/<int:pk>/photo/", views.item_photo, name="item_photo"),
    path("attachment/<int:pk>/", views.attachment_download, name="attachment"),
    path("copy/<int:pk>/", views.copy_detail, name="copy"),
    path("copy/<int:pk>/<slug:name>/", views.copy_action, name="copy_action"),
    path("<str:code>/", views.submissions, name="submissions"),
    path("<str:code>/new/", views.submission_new, name="submission_new"),
    path("<str:code>/review/", views.review_queue, name="review"),
    path("<str:code>/solicitations/", views.solicitations, name="solicitations"),
    path("<str:code>/solicitations/new/", views.solicitation_new, name="solicitation_new"),
    path("<str:code>/items/", views.items, name="items"),
    path("<str:code>/items/new/", views.item_new, name="item_new"),
    path("<str:code>/library/", views.library, name="library"),
    path("<str:code>/copies/", views.copies_list, name="copies"),
    path("<str:code>/copies/check/", views.copies_check, name="copies_check"),
    path("<str:code>/export/<str:kind>.xlsx", views.export, name="export"),
]
