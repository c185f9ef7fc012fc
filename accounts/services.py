import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kl14.errors import Invalid

from .models import User


def user_create(*, username, full_name, email="", password=None, language=None) -> User:
    user = User(username=username, full_name=full_name, email=email)
    if language:
        user.language = language
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean()
    user.save()
    return user


user_create.alters_data = True


@transaction.atomic
def user_set_language(*, user: User, language: str) -> User:
    if language not in dict(settings.LANGUAGES):
        raise ValueError(language)
    if user.language != language:
        user.language = language
        user.save(update_fields=["language"])
    return user


user_set_language.alters_data = True


BULK_BATCH = 1000


@transaction.atomic
def users_create_many(*, users: list[dict]) -> list[User]:
    """New accounts from a spreadsheet import, in a few INSERTs. They get no usable password:
    people sign in through single sign-on or choose one with the password reset."""
    created = []
    for fields in users:
        # What set_unusable_password() stores ("!" and random text), with one call to the
        # system's random source per account instead of forty: 20,000 accounts in a blink.
        created.append(User(**fields, password=UNUSABLE_PASSWORD_PREFIX + secrets.token_hex(20)))
    User.objects.bulk_create(created, batch_size=BULK_BATCH)
    return created


users_create_many.alters_data = True


@transaction.atomic
def users_update_many(*, changes: list[tuple[User, dict]]) -> None:
    """Changed names, e-mail addresses and staff codes, one UPDATE batch per set of fields."""
    by_fields: dict[tuple, list[User]] = {}
    for user, fields in changes:
        for name, value in fields.items():
            setattr(user, name, value)
        by_fields.setdefault(tuple(sorted(fields)), []).append(user)
    for fields, users in by_fields.items():
        User.objects.bulk_update(users, list(fields), batch_size=BULK_BATCH)


users_update_many.alters_data = True


@transaction.atomic
def user_link_sso(*, user: User, subject: str) -> User:
    """Records the provider's `sub` of an account at its first single sign-on (later sign-ins
    match it first). An account linked to another subject is never re-linked here."""
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.sso_subject and user.sso_subject != subject:
        raise ValueError("account linked to another single sign-on identity")
    if user.sso_subject != subject:
        user.sso_subject = subject
        user.save(update_fields=["sso_subject"])
    return user


user_link_sso.alters_data = True


# --- API tokens (django-rest-knox) ------------------------------------------------------------

DEFAULT_CLIENT = "api"


def person_lock(user) -> None:
    """Locks the person's row until the transaction ends: one person's writes that count before
    they add (exports under way, tokens) then run one after the other."""
    User.objects.select_for_update().filter(pk=user.pk).exists()


def sign_in_refused() -> Invalid:
    """What a sign-in for a token answers when the username and password do not sign in."""
    return Invalid(
        _("Unable to sign in with the username and password provided."),
        errors={"non_field_errors": [_("The username or password is not correct.")]},
    )


@transaction.atomic
def token_issue(*, user: User, client: str = DEFAULT_CLIENT):
    """A new token for this client of the user, replacing the one it had. Returns (token row,
    the token itself: shown once, only its hash is kept)."""
    from .models import ApiToken

    client = (client or DEFAULT_CLIENT).strip()[:100] or DEFAULT_CLIENT
    # Lock the user's row: two sign-ins of one client at once still leave one token, and a
    # password changed since this sign-in checked it (its change revokes every token, then
    # commits) refuses the token: the old password no longer signs in, even a moment late.
    current = User.objects.select_for_update().filter(pk=user.pk).values_list("password", flat=True)
    if list(current) != [user.password]:
        raise sign_in_refused()
    ApiToken.objects.filter(user=user, client=client).delete()
    ApiToken.objects.filter(user=user, expiry__lt=timezone.now()).delete()
    limit = settings.REST_KNOX.get("TOKEN_LIMIT_PER_USER")
    if limit:
        stale = ApiToken.objects.filter(user=user).order_by("-created")[limit - 1 :]
        ApiToken.objects.filter(pk__in=[t.pk for t in stale]).delete()
    return ApiToken.objects.create(user=user, client=client)


token_issue.alters_data = True


def token_revoke(*, user: User, token_key: str) -> int:
    """Revokes the user's tokens that start with `token_key` (as the profile page lists them);
    answers how many there were."""
    from .models import ApiToken

    deleted, _ = ApiToken.objects.filter(user=user, token_key=token_key).delete()
    return deleted


token_revoke.alters_data = True


# --- password reset limits ----------------------------------------------------------------------


def _account_key(email: str) -> str:
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()


@transaction.atomic
def password_reset_allowed(*, address: str, email: str) -> bool:
    """Records a password-reset request; False when the address or the account has had its
    hourly share already (KL14_PASSWORD_RESET_PER_ADDRESS, _PER_ACCOUNT): then no e-mail goes."""
    from .models import PasswordResetRequest

    # Count, then record, one request at a time: ten sent at once had all been counted before
    # any was recorded, and seven e-mails went to one account within 13 ms. Requests are rare;
    # PostgreSQL queues them on the table (SQLite's writes are one at a time already).
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                f"LOCK TABLE {PasswordResetRequest._meta.db_table} IN SHARE ROW EXCLUSIVE MODE"
            )
    since = timezone.now() - timedelta(hours=1)
    account = _account_key(email)
    recent = PasswordResetRequest.objects.filter(created_at__gte=since)
    PasswordResetRequest.objects.filter(created_at__lt=since - timedelta(days=1)).delete()
    if (
        recent.filter(address=address).count() >= settings.KL14_PASSWORD_RESET_PER_ADDRESS
        or recent.filter(account=account).count() >= settings.KL14_PASSWORD_RESET_PER_ACCOUNT
    ):
        return False
    PasswordResetRequest.objects.create(address=address[:64], account=account)
    return True


password_reset_allowed.alters_data = True
