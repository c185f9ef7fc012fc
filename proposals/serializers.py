"""The JSON shapes of the proposals API (api.md). Serializers only check the form of the input;
every rule about who may do what, and when, stays in services.py."""

from functools import cached_property

from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import build_basic_type
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from kl14.choices import labels_of
from kl14.links import pk_urls
from kl14.serializers import PkIdentityField, rewritten, site
from ledger.models import LedgerEntry
from units.api import UnitBriefSerializer
from units.models import Unit

from .filters import ID_MAX
from .models import (
    DOSSIER_FIELDS,
    Attachment,
    AuthorPost,
    Mode,
    Opinion,
    Proposal,
    ProposalAuthor,
    ProposalVersion,
    Vote,
)
from .selectors import is_overdue

User = get_user_model()


class UserBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    username = serializers.CharField(read_only=True)
    full_name = serializers.CharField(source="get_full_name", read_only=True)


class ChoiceLabelField(serializers.CharField):
    """The label of a model field's choice, as the model's get_FOO_display gives it (the value
    itself when it is not a choice), from the labels kl14.choices translated once per language."""

    def __init__(self, model_field, **kwargs):
        self.model_field = model_field
        super().__init__(read_only=True, **kwargs)

    def to_representation(self, value):
        return str(labels_of(self.model_field).get(value, value))


def written_id():
    """How a related row's id is read from a request: a whole number a column can hold (10.5 was
    taken as unit 10, and 1e400 overflowed)."""
    return serializers.IntegerField(min_value=1, max_value=ID_MAX)


class UnitRelatedField(serializers.PrimaryKeyRelatedField):
    """A unit: its id when written, `{id, code, name}` when read."""

    def use_pk_only_optimization(self):
        return False

    def to_representation(self, value):
        # One serializer for every row of a list: building its fields costs more than the rows.
        if self._brief is None:
            self._brief = UnitBriefSerializer()
        return self._brief.to_representation(value)

    _brief = None


class UnitRelatedFieldExtension(OpenApiSerializerFieldExtension):
    target_class = UnitRelatedField

    def map_serializer_field(self, auto_schema, direction):
        if direction == "request":
            return build_basic_type(OpenApiTypes.INT)
        return auto_schema.resolve_serializer(UnitBriefSerializer, direction).ref


class AuthorSerializer(serializers.Serializer):
    """An author: the person and their post (Decree 73, Art. 2: a leadership or management post
    is considered for protection; the others are encouraged)."""

    id = serializers.IntegerField(source="user.id", read_only=True)
    username = serializers.CharField(source="user.username", read_only=True)
    full_name = serializers.CharField(source="user.get_full_name", read_only=True)
    post = serializers.ChoiceField(choices=AuthorPost.choices, allow_blank=True, read_only=True)
    post_label = ChoiceLabelField(ProposalAuthor._meta.get_field("post"), source="post")

    def to_representation(self, authorship):
        """What DRF's field-by-field way gives (tests/proposals/test_api_summaries.py compares
        them), written out: its lookups, and a signature inspection per row for
        `get_full_name`, cost more than the values."""
        user = authorship.user
        return {
            "id": user.id,
            "username": user.username,
            "full_name": user.get_full_name(),
            "post": authorship.post,
            "post_label": str(labels_of(_POST).get(authorship.post, authorship.post)),
        }


_POST = ProposalAuthor._meta.get_field("post")


class AuthorPostSerializer(serializers.Serializer):
    user = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True),
        pk_field=written_id(),
        help_text="The id of an author.",
    )
    post = serializers.ChoiceField(choices=AuthorPost.choices)


def _authors(authorships, serializer: AuthorSerializer) -> list[dict]:
    """Authors from authorships already read (prefetched, or with the API list's page: no
    query per row): the creator first."""
    authorships = sorted(authorships, key=lambda a: (not a.is_creator, a.pk))
    return [serializer.to_representation(authorship) for authorship in authorships]


class _ProposalFields(serializers.ModelSerializer):
    """The fields of a proposal's summary, which the whole dossier shares."""

    url = PkIdentityField(view_name="api:proposal-detail")
    state_label = ChoiceLabelField(Proposal._meta.get_field("state"), source="state")
    home_unit = UnitRelatedField(read_only=True)
    deciding_unit = UnitRelatedField(read_only=True, allow_null=True)
    authors = serializers.SerializerMethodField()
    overdue = serializers.SerializerMethodField()
    # Empty until the proposal is approved (a read-only model field loses its allow_blank).
    mode = serializers.ChoiceField(choices=Mode.choices, allow_blank=True, read_only=True)

    class Meta:
        model = Proposal
        fields = [
            "id",
            "url",
            "code",
            "title",
            "summary",
            "field",
            "state",
            "state_label",
            "home_unit",
            "deciding_unit",
            "authors",
            "version",
            "decision_due",
            "overdue",
            "mode",
            "origin",
            "submitted_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(AuthorSerializer(many=True))
    def get_authors(self, proposal):
        return _authors(proposal.authorships.all(), self._author_serializer)

    @cached_property
    def _author_serializer(self) -> AuthorSerializer:
        """One for every row of a list (its fields are built once)."""
        return AuthorSerializer()

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_overdue(self, proposal) -> bool:
        return is_overdue(proposal)


class ProposalSummarySerializer(_ProposalFields):
    """A proposal in a list: everything but the plan's long texts (read the proposal for those)."""

    def to_representation(self, proposal):
        """What DRF's field-by-field way gives (`generic_representation`; the tests compare the
        two for proposals in every state), written out: a list page shows 20 to 100 of them.
        DRF's lookups of each field's source cost more than the values, and building the
        serializer's 19 fields from the model (~1 ms a page) is not needed for this."""
        home, deciding = proposal.home_unit, proposal.deciding_unit
        due, submitted = proposal.decision_due, proposal.submitted_at
        return {
            "id": proposal.pk,
            "url": self._url(proposal),
            "code": proposal.code,
            "title": proposal.title,
            "summary": proposal.summary,
            "field": proposal.field,
            "state": proposal.state,
            "state_label": str(labels_of(_STATE).get(proposal.state, proposal.state)),
            "home_unit": _unit(home),
            "deciding_unit": None if deciding is None else _unit(deciding),
            "authors": self.get_authors(proposal),
            "version": proposal.version,
            "decision_due": None if due is None else _DAY.to_representation(due),
            "overdue": is_overdue(proposal, self._today),
            "mode": proposal.mode,
            "origin": proposal.origin_id,
            "submitted_at": None if submitted is None else _STAMP.to_representation(submitted),
            "created_at": _STAMP.to_representation(proposal.created_at),
            "updated_at": _STAMP.to_representation(proposal.updated_at),
        }

    @extend_schema_field(AuthorSerializer(many=True))
    def get_authors(self, proposal):
        """The authorships read with the API list's page (selectors.proposals_of_page), else
        prefetched: only a summary reads the page's, so a dossier is never shown from them."""
        authorships = getattr(proposal, "page_authorships", None)
        if authorships is None:
            authorships = proposal.authorships.all()
        return _authors(authorships, self._author_serializer)

    def generic_representation(self, proposal):
        """DRF's own way, field by field: the reference the written-out one is tested against."""
        return super().to_representation(proposal)

    @cached_property
    def _url(self):
        """proposal -> its `url`: this site's address followed by the proposal's path, unless DRF
        would write it otherwise for this request (a format, a versioning scheme: the field's
        own way then)."""
        request = self.context.get("request")
        if request is None or self.context.get("format") or rewritten(request):
            field = self.fields["url"]
            return field.to_representation
        prefix, path = site(request), pk_urls("api:proposal-detail")
        return lambda proposal: prefix + path(proposal.pk)

    @cached_property
    def _today(self):
        """One date for every row of a list (a page straddling midnight is read as of its
        beginning)."""
        return timezone.localdate()


_STATE = Proposal._meta.get_field("state")
# The model's date and time fields as ModelSerializer builds them (read-only, the API's formats).
_DAY, _STAMP = serializers.DateField(read_only=True), serializers.DateTimeField(read_only=True)


def _unit(unit) -> dict:
    """UnitBriefSerializer's representation of a unit."""
    return {"id": unit.pk, "code": unit.code, "name": unit.name}


class AttachmentSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="original_name", read_only=True)
    uploaded_by = UserBriefSerializer(read_only=True)
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Attachment
        fields = [
            "id",
            "name",
            "content_type",
            "size",
            "sha256",
            "uploaded_by",
            "uploaded_at",
            "download_url",
        ]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.URI)
    def get_download_url(self, attachment) -> str:
        path = reverse(
            "api:proposal-attachment-download", args=[attachment.proposal_id, attachment.pk]
        )
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


class AttachmentUploadSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text=(
            "PDF, Word, Excel, PowerPoint, OpenDocument or an image (PNG, JPEG, GIF, WebP); at "
            "most 20 MB. The type is read from the content; the name is sanitised."
        )
    )


class ProposalSerializer(_ProposalFields):
    """The whole dossier (lifecycle.md, "Dossier fields"). Written on create and, by its authors,
    while it is a draft or returned."""

    home_unit = UnitRelatedField(
        queryset=Unit.objects.all(),
        pk_field=written_id(),
        help_text="On create: the id of a unit where you are a member. Read: the unit.",
    )
    co_authors = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True),
        pk_field=written_id(),
        many=True,
        write_only=True,
        required=False,
        help_text="Ids of the co-authors (the creator is always an author). Replaces the list.",
    )
    author_posts = AuthorPostSerializer(
        many=True,
        write_only=True,
        required=False,
        help_text=(
            "Each author's post: `leadership` (a leadership or management post: considered for "
            "protection) or `staff` (encouraged). Unsaid, a head or deputy of the home unit is "
            "`leadership` and anyone else `staff`."
        ),
    )
    attachments = AttachmentSerializer(many=True, read_only=True)

    class Meta(_ProposalFields.Meta):
        fields = [
            *_ProposalFields.Meta.fields,
            *(name for name in DOSSIER_FIELDS if name not in ("title", "summary", "field")),
            "co_authors",
            "author_posts",
            "attachments",
            "decided_at",
            "head_override",
        ]
        read_only_fields = [
            "code",
            "state",
            "deciding_unit",
            "version",
            "decision_due",
            "mode",
            "origin",
            "submitted_at",
            "decided_at",
            "head_override",
            "created_at",
            "updated_at",
        ]

    def dossier(self) -> dict:
        """The validated dossier fields, as the services take them."""
        return {k: v for k, v in self.validated_data.items() if k in DOSSIER_FIELDS}

    def posts(self) -> dict | None:
        """`author_posts` as the services take them: {user id: post}, or None when not sent."""
        posts = self.validated_data.get("author_posts")
        if posts is None:
            return None
        return {item["user"].pk: item["post"] for item in posts}


class ProposalUpdateSerializer(ProposalSerializer):
    """The same dossier for PATCH: the home unit is fixed once the draft exists."""

    home_unit = UnitRelatedField(read_only=True)


class VersionSerializer(serializers.ModelSerializer):
    created_by = UserBriefSerializer(read_only=True)

    class Meta:
        model = ProposalVersion
        fields = ["number", "content_hash", "created_at", "created_by"]
        read_only_fields = fields


class VersionDetailSerializer(VersionSerializer):
    content = serializers.JSONField(
        read_only=True,
        help_text="The frozen dossier: code, home_unit, fields, authors, attachments.",
    )

    class Meta(VersionSerializer.Meta):
        fields = [*VersionSerializer.Meta.fields, "content"]
        read_only_fields = fields


class ChangeSerializer(serializers.Serializer):
    field = serializers.CharField()
    label = serializers.CharField()
    old = serializers.JSONField(allow_null=True)
    new = serializers.JSONField(allow_null=True)


class VersionDiffSerializer(serializers.Serializer):
    from_version = VersionSerializer()
    to_version = VersionSerializer()
    changes = ChangeSerializer(many=True)


class TransitionFieldChoiceSerializer(serializers.Serializer):
    value = serializers.CharField()
    label = serializers.CharField()


class TransitionFieldSerializer(serializers.Serializer):
    name = serializers.CharField()
    type = serializers.ChoiceField(
        choices=["text", "choice", "boolean", "date", "decimal", "file", "list", "object"]
    )
    required = serializers.BooleanField()
    label = serializers.CharField()
    choices = TransitionFieldChoiceSerializer(many=True, required=False)


class TransitionSerializer(serializers.Serializer):
    name = serializers.CharField()
    label = serializers.CharField()
    confirm = serializers.CharField(help_text="A question to confirm before firing, or empty.")
    fields = TransitionFieldSerializer(many=True)
    ready = serializers.BooleanField(
        help_text="Nothing is missing: firing it with valid inputs can succeed now."
    )
    missing = serializers.ListField(
        child=serializers.CharField(),
        help_text=(
            "What must happen first, each naming who provides it (as the proposal page shows it "
            "on the disabled button); firing it before answers 400."
        ),
    )
    preview = serializers.ListField(
        child=serializers.CharField(),
        help_text="What it will do and what is still open (irreversible steps), or empty.",
    )
    irreversible = serializers.BooleanField(help_text="It cannot be undone.")

    def to_representation(self, spec):
        """A transition for the proposal in the context (`{"proposal": ...}`)."""
        proposal = self.context["proposal"]
        missing = spec.missing(proposal)
        return {
            "name": spec.name,
            "label": str(spec.label),
            "confirm": str(spec.confirm or ""),
            "fields": spec.describe_fields(),
            "ready": not missing,
            "missing": missing,
            "preview": spec.consequences(proposal),
            "irreversible": spec.irreversible,
        }


class VoteSerializer(serializers.ModelSerializer):
    voter = UserBriefSerializer(read_only=True)
    choice_label = serializers.CharField(source="get_choice_display", read_only=True)

    class Meta:
        model = Vote
        fields = ["voter", "choice", "choice_label", "cast_at"]
        read_only_fields = fields


class VoteInputSerializer(serializers.Serializer):
    choice = serializers.ChoiceField(choices=Vote.Choice.choices, label=_("Vote"))


class TallySerializer(serializers.Serializer):
    """The collective vote of the current decision round (Decree 73, Art. 8(1))."""

    round = serializers.IntegerField()
    secret = serializers.BooleanField(
        help_text=(
            "The votes are secret to you (you are not in the voting collective): `votes` is "
            "empty, and while the vote is open the counts and `passed` are null."
        )
    )
    eligible = serializers.IntegerField(help_text="Head and deputies of the deciding unit.")
    votes_for = serializers.IntegerField(allow_null=True)
    against = serializers.IntegerField(allow_null=True)
    abstain = serializers.IntegerField(allow_null=True)
    passed = serializers.BooleanField(allow_null=True)
    my_vote = serializers.CharField(
        allow_null=True, help_text="Your vote in this round (for, against, abstain), or null."
    )
    can_vote = serializers.BooleanField(help_text="Whether you may cast or change a vote now.")
    votes = VoteSerializer(many=True, help_text="Who voted what: for the collective only.")

    def get_fields(self):
        # "for" is a Python keyword: the field is declared as votes_for and published as "for".
        fields = super().get_fields()
        fields["for"] = fields.pop("votes_for")
        fields["for"].source = "votes_for"
        return fields


class OpinionSerializer(serializers.ModelSerializer):
    author = UserBriefSerializer(read_only=True)
    unit = UnitBriefSerializer(read_only=True)
    stage_label = serializers.CharField(source="get_stage_display", read_only=True)
    stance_label = serializers.CharField(source="get_stance_display", read_only=True)

    class Meta:
        model = Opinion
        fields = [
            "id",
            "stage",
            "stage_label",
            "round",
            "stance",
            "stance_label",
            "text",
            "document_number",
            "document_date",
            "signer_name",
            "signer_title",
            "author",
            "unit",
            "created_at",
        ]
        read_only_fields = fields


def _required(message) -> dict:
    """The same message whether a required input is missing, null or blank."""
    return {"required": message, "null": message, "blank": message}


class OpinionInputSerializer(serializers.Serializer):
    stage = serializers.ChoiceField(
        choices=Opinion.Stage.choices, default=Opinion.Stage.DECISION, label=_("Stage")
    )
    stance = serializers.ChoiceField(choices=Opinion.Stance.choices, label=_("Stance"))
    text = serializers.CharField(max_length=5000, label=_("Opinion"))
    document_number = serializers.CharField(
        max_length=100,
        label=_("Number of the Party committee's document"),
        help_text="The number and symbol of the document stating the conclusion; with its date.",
        error_messages=_required(
            _("Give the number and symbol of the Party committee's document.")
        ),
    )
    document_date = serializers.DateField(
        label=_("Date of the document"),
        help_text="The date of that document (YYYY-MM-DD), not in the future.",
        error_messages=_required(_("Give the date of the Party committee's document.")),
    )
    signer_name = serializers.CharField(
        max_length=200,
        label=_("Signed by"),
        error_messages=_required(_("Give the name of the person who signed.")),
    )
    signer_title = serializers.CharField(
        max_length=200,
        label=_("Title of the signer"),
        error_messages=_required(_("Give the title of the person who signed.")),
    )


class LedgerEntrySerializer(serializers.ModelSerializer):
    actor = UserBriefSerializer(read_only=True, allow_null=True)
    payload = serializers.JSONField(read_only=True)

    class Meta:
        model = LedgerEntry
        fields = [
            "seq",
            "at",
            "actor",
            "event",
            "from_state",
            "to_state",
            "payload",
            "dossier_hash",
            "prev_hash",
            "hash",
        ]
        read_only_fields = fields


class VerificationSerializer(serializers.Serializer):
    valid = serializers.BooleanField()
    entries = serializers.IntegerField()
    head = serializers.CharField(help_text="The hash of the last entry (the chain head).")
    first_bad_seq = serializers.IntegerField(
        allow_null=True, help_text="The first entry that does not verify, or null."
    )
    record_kind = serializers.CharField(
        allow_null=True,
        help_text="When a recorded row (a vote, an opinion, a plan version, a document…) no "
        "longer says what that entry recorded: its kind (votes, opinions, plan_versions, "
        "official_documents…); null when the ledger verifies or the entry itself is broken.",
    )
    record_label = serializers.CharField(
        allow_blank=True,
        help_text="That kind of record in the reader's language (“Phiếu biểu quyết”), or empty.",
    )
    problem = serializers.CharField(
        allow_blank=True,
        help_text="What is wrong, in one sentence of the reader's language; empty when valid.",
    )
