"""Single sign-on URLs (OpenID Connect), open to everyone; both answer 404 unless single sign-on
is configured (see forandra.accounts.sso). The provider's redirect URI is /oidc/callback/."""

from django.contrib.auth.decorators import login_not_required
from django.urls import URLPattern, URLResolver, path

from . import sso

urlpatterns: list[URLPattern | URLResolver] = [
    path(
        "oidc/authenticate/",
        login_not_required(sso.StartView.as_view()),
        name="oidc_authentication_init",
    ),
    path(
        "oidc/callback/",
        login_not_required(sso.CallbackView.as_view()),
        name=sso.CALLBACK_URL_NAME,
    ),
]
