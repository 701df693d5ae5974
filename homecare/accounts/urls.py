from django.contrib.auth import views as auth_views
from django.urls import path

from homecare.accounts import mfa_views, views

app_name = "accounts"

urlpatterns = [
    path("", views.account, name="account"),
    path("sign-in/", views.SignInView.as_view(), name="login"),
    path("sign-in/code/", mfa_views.verify, name="verify"),
    path("sign-out/", auth_views.LogoutView.as_view(), name="logout"),
    path("two-step/set-up/", mfa_views.mfa_setup, name="mfa_setup"),
    path("two-step/turn-off/", mfa_views.mfa_disable, name="mfa_disable"),
    path("password/change/", views.PasswordChangeView.as_view(), name="password_change"),
    path("password/change/done/", views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("password/reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path("password/reset/sent/", views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "password/reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("password/reset/done/", views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
]
