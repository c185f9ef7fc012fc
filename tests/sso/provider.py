"""A real OpenID Connect provider for the single sign-on tests: django-oauth-toolkit's, in a
Django of its own, served over HTTP by this subprocess on 127.0.0.1.

    python tests/sso/provider.py --port 8123 --workdir /tmp/idp --people people.json \
        --redirect-uri http://localhost:8000/accounts/sso/callback/

It signs ID tokens with an RSA key made at start (RS256, published in its JWKS), requires PKCE,
asks the person to sign in on its own page and to authorise KL14, and answers the userinfo
endpoint with `email`, `name` and the custom claim `staff_code`. `people.json` lists the accounts
of the provider: [{"username", "password", "email", "staff_code", "name"}]. The client is
`kl14-test` / `kl14-test-secret`. It prints "READY <issuer>" once it listens.
"""

import argparse
import json
import sys
from pathlib import Path


def configure(port: int, workdir: Path, private_key: str, issuer: str = ""):
    from django.conf import settings

    settings.configure(
        DEBUG=False,
        SECRET_KEY="test-provider-only",
        ALLOWED_HOSTS=["127.0.0.1", "localhost"],
        ROOT_URLCONF=__name__,
        INSTALLED_APPS=[
            "django.contrib.auth",
            "django.contrib.contenttypes",
            "django.contrib.sessions",
            "django.contrib.messages",
            "oauth2_provider",
        ],
        MIDDLEWARE=[
            "django.contrib.sessions.middleware.SessionMiddleware",
            "django.middleware.csrf.CsrfViewMiddleware",
            "django.contrib.auth.middleware.AuthenticationMiddleware",
            "django.contrib.messages.middleware.MessageMiddleware",
        ],
        DATABASES={
            "default": {"ENGINE": "django.db.backends.sqlite3", "NAME": str(workdir / "idp.db")}
        },
        TEMPLATES=[
            {
                "BACKEND": "django.template.backends.django.DjangoTemplates",
                "OPTIONS": {
                    "loaders": [
                        ("django.template.loaders.locmem.Loader", TEMPLATES),
                        "django.template.loaders.app_directories.Loader",
                    ],
                    "context_processors": [
                        "django.template.context_processors.request",
                        "django.contrib.auth.context_processors.auth",
                    ],
                },
            }
        ],
        # The provider and KL14 both run on this machine: keep their cookies apart.
        SESSION_COOKIE_NAME="idp_session",
        CSRF_COOKIE_NAME="idp_csrftoken",
        LOGIN_URL="/login/",
        USE_TZ=True,
        DEFAULT_AUTO_FIELD="django.db.models.AutoField",
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        LOGGING={
            "version": 1,
            "handlers": {"stderr": {"class": "logging.StreamHandler"}},
            "loggers": {"django.request": {"handlers": ["stderr"], "level": "ERROR"}},
        },
        OAUTH2_PROVIDER={
            "OIDC_ENABLED": True,
            "OIDC_RSA_PRIVATE_KEY": private_key,
            "PKCE_REQUIRED": True,
            **({"OIDC_ISS_ENDPOINT": issuer} if issuer else {}),
            "OAUTH2_VALIDATOR_CLASS": f"{__name__}.Validator",
            "SCOPES": {
                "openid": "OpenID Connect",
                "email": "Địa chỉ thư điện tử",
                "profile": "Họ tên và mã cán bộ",
            },
        },
    )


TEMPLATES = {
    "registration/login.html": """<!doctype html><html lang="vi"><head><meta charset="utf-8">
<title>Cổng đăng nhập một lần của tỉnh</title></head><body><main>
<h1>Cổng đăng nhập một lần của tỉnh</h1>
<form method="post">{% csrf_token %}
<label for="id_username">Tài khoản</label> <input id="id_username" name="username">
<label for="id_password">Mật khẩu</label> <input id="id_password" name="password" type="password">
<input type="hidden" name="next" value="{{ next }}">
<button type="submit">Đăng nhập cổng tỉnh</button>
</form>{% if form.errors %}<p role="alert">Sai tài khoản hoặc mật khẩu.</p>{% endif %}
</main></body></html>""",
    "oauth2_provider/base.html": """<!doctype html><html lang="vi"><head><meta charset="utf-8">
<title>Cấp quyền</title></head><body><main>{% block content %}{% endblock %}</main>
</body></html>""",
}

urlpatterns = []


def build_urls():
    from django.contrib.auth import views as auth_views
    from django.urls import include, path

    urlpatterns.extend(
        [
            path("login/", auth_views.LoginView.as_view(), name="login"),
            path("o/", include("oauth2_provider.urls", namespace="oauth2_provider")),
        ]
    )


def make_validator():
    from oauth2_provider.oauth2_validators import OAuth2Validator

    class Validator(OAuth2Validator):
        oidc_claim_scope = {**OAuth2Validator.oidc_claim_scope, "staff_code": "profile"}

        def get_additional_claims(self, request):
            user = request.user
            person = PEOPLE.get(user.username, {})
            return {
                "email": user.email,
                "email_verified": True,
                "name": person.get("name", ""),
                "staff_code": person.get("staff_code", ""),
            }

    return Validator


PEOPLE: dict[str, dict] = {}
Validator = None


def main():
    global Validator
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--redirect-uri", required=True)
    parser.add_argument("--workdir", required=True)
    parser.add_argument("--people", required=True)
    parser.add_argument("--claimed-issuer", default="", help="say another issuer (a bad provider)")
    args = parser.parse_args()
    workdir = Path(args.workdir)
    workdir.mkdir(parents=True, exist_ok=True)

    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    configure(args.port, workdir, pem, args.claimed_issuer)
    import django

    django.setup()
    Validator = make_validator()
    build_urls()

    from django.contrib.auth.models import User
    from django.core.management import call_command
    from oauth2_provider.models import Application

    call_command("migrate", verbosity=0)
    for person in json.loads(Path(args.people).read_text()):
        PEOPLE[person["username"]] = person
        User.objects.create_user(person["username"], person["email"], person["password"])
    Application.objects.create(
        name="KL14",
        client_id="kl14-test",
        client_secret="kl14-test-secret",
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris=args.redirect_uri,
        algorithm=Application.RS256_ALGORITHM,
        skip_authorization=False,
    )

    from django.core.handlers.wsgi import WSGIHandler
    from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler

    class QuietHandler(WSGIRequestHandler):
        def log_message(self, *args):
            pass

    server = ThreadedWSGIServer(("127.0.0.1", args.port), QuietHandler)
    server.set_app(WSGIHandler())
    print(f"READY http://127.0.0.1:{args.port}/o", flush=True)
    try:
        server.serve_forever()
    finally:
        server.server_close()


if __name__ == "__main__":
    sys.exit(main())
