from django.contrib.auth import views as auth_views
from django.urls import include, path

from tuijin.api.api import api
from tuijin.core import views as core_views

urlpatterns = [
    path("", core_views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", auth_views.PasswordChangeView.as_view(success_url="/"), name="password_change"),
    path("orgs/", include("tuijin.orgs.urls")),
    path("imports/", include("tuijin.imports.urls")),
    path("campaign/", include("tuijin.campaigns.urls")),
    path("problems/", include("tuijin.rectification.urls")),
    path("study/", include("tuijin.study.urls")),
    path("research/", include("tuijin.research.urls")),
    path("publicity/", include("tuijin.publicity.urls")),
    path("p/", include("tuijin.public.urls")),
    path("evaluation/", include("tuijin.evaluation.urls")),
    path("admin3/", include("tuijin.core.admin_urls")),
    path("api/v1/", api.urls),
]
