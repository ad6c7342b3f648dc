from django.contrib.auth import views as auth_views
from django.urls import include, path

from tuijin.api.api import api
from tuijin.imports import views as imports_views
from tuijin.orgs import login_views
from tuijin.site import views as site_views

urlpatterns = [
    path("", site_views.home, name="home"),
    path("login/", login_views.LoginView.as_view(), name="login"),
    path("login/verify/", login_views.verify, name="mfa_verify"),
    path("account/mfa/", login_views.setup, name="mfa_setup"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", auth_views.PasswordChangeView.as_view(success_url="/"), name="password_change"),
    # An org subtree's export lives with the imports (orgs is a lower layer), under the org's address.
    path("orgs/<str:code>/export/<str:kind>/", imports_views.org_export, name="org_export"),
    path("orgs/", include("tuijin.orgs.urls")),
    path("imports/", include("tuijin.imports.urls")),
    path("campaign/", include("tuijin.campaigns.urls")),
    path("problems/", include("tuijin.rectification.urls")),
    path("study/", include("tuijin.study.urls")),
    path("research/", include("tuijin.research.urls")),
    path("p/", include("tuijin.public.urls")),
    path("evaluation/", include("tuijin.evaluation.urls")),
    path("supervision/", include("tuijin.supervision.urls")),
    path("admin3/", include("tuijin.site.admin_urls")),
    path("api/v1/", api.urls),
]
