from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from . import sso, two_factor_views, views

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("sso/login/", sso.SSOStartView.as_view(), name="sso_login"),
    path("sso/callback/", sso.SSOCallbackView.as_view(), name="sso_callback"),
    path("language/", views.set_language, name="set_language"),
    path("two-factor/", two_factor_views.manage, name="two_factor_manage"),
    path("two-factor/setup/", two_factor_views.setup, name="two_factor_setup"),
    path("two-factor/verify/", two_factor_views.verify, name="two_factor_verify"),
    path("two-factor/codes/", two_factor_views.renew_codes, name="two_factor_codes"),
    path("two-factor/off/", two_factor_views.disable, name="two_factor_disable"),
    path("two-factor/policy/", two_factor_views.policy, name="two_factor_policy"),
    path(
        "password/change/",
        auth_views.PasswordChangeView.as_view(success_url=reverse_lazy("password_change_done")),
        name="password_change",
    ),
    path(
        "password/change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("password/reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path("tokens/", views.tokens, name="tokens"),
    path("tokens/<str:token_key>/revoke/", views.token_revoke_view, name="token_revoke"),
    path(
        "password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
]
