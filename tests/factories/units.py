import factory

from accounts.models import User
from units.models import Membership, Role, Unit

# Vietnamese full names built from the factory's sequence, so two users of one test never share a
# name, and no name is a substring of another (tests assert that one person's name is on a page and
# another's is not): family names are suffix-free, given names prefix-free, and a name's three words
# line up with another's, so "Trần Văn An" can never be found inside "Trần Văn Anh".
FAMILY_NAMES = (
    "Nguyễn",
    "Trần",
    "Lê",
    "Phạm",
    "Hoàng",
    "Huỳnh",
    "Phan",
    "Vũ",
    "Võ",
    "Đặng",
    "Bùi",
    "Đỗ",
)
MIDDLE_NAMES = ("Văn", "Thị", "Hữu", "Minh", "Ngọc", "Quang", "Thanh", "Đức")
GIVEN_NAMES = (
    "Bình",
    "Cường",
    "Dũng",
    "Giang",
    "Hải",
    "Khoa",
    "Lâm",
    "Mai",
    "Nam",
    "Oanh",
    "Phúc",
    "Quyên",
    "Sơn",
    "Tâm",
    "Uyên",
    "Vy",
    "Xuân",
    "Yến",
    "Châu",
    "Diệp",
    "Hạnh",
    "Kiên",
    "Lộc",
    "Nhung",
)


def vietnamese_name(n: int) -> str:
    """The n-th name; distinct for len(FAMILY_NAMES) * len(MIDDLE_NAMES) * len(GIVEN_NAMES)
    consecutive values of n (2,304: far more users than any one test creates)."""
    family = FAMILY_NAMES[n % len(FAMILY_NAMES)]
    n //= len(FAMILY_NAMES)
    given = GIVEN_NAMES[n % len(GIVEN_NAMES)]
    middle = MIDDLE_NAMES[(n // len(GIVEN_NAMES)) % len(MIDDLE_NAMES)]
    return f"{family} {middle} {given}"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Sequence(vietnamese_name)
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.vn")
    password = factory.PostGenerationMethodCall("set_password", "secret-pass-123")

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class UnitFactory(factory.django.DjangoModelFactory):
    """Builds a unit through treebeard: `parent=None` makes a root."""

    class Meta:
        model = Unit

    code = factory.Sequence(lambda n: f"U{n:04d}")
    name = factory.Sequence(lambda n: f"Đơn vị {n}")
    kind = Unit.Kind.STATE_AGENCY
    parent = None

    @classmethod
    def _create(cls, model_class, *args, parent=None, **kwargs):
        if parent is None:
            return model_class.objects.add_root(kwargs)
        return model_class.objects.add_child(model_class.objects.get(pk=parent.pk), kwargs)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    unit = factory.SubFactory(UnitFactory)
    role = Role.CADRE


def grant(unit, role, user=None, **user_fields):
    """A user holding `role` in `unit` (a new user unless one is given)."""
    user = user or UserFactory(**user_fields)
    MembershipFactory(user=user, unit=unit, role=role)
    return user


def api_token(user, client="tests") -> str:
    """An API token of the user (what `POST /api/v1/auth/token/` gives), for `Authorization:
    Token <token>`."""
    from accounts.services import token_issue

    return token_issue(user=user, client=client)[1]
