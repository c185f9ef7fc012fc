from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from .models import ExportJob


class ExportJobSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    file_url = serializers.SerializerMethodField()
    expired = serializers.BooleanField(source="is_expired", read_only=True)

    class Meta:
        model = ExportJob
        fields = [
            "id",
            "kind",
            "title",
            "params",
            "status",
            "progress",
            "error",
            "filename",
            "content_type",
            "size",
            "sha256",
            "reference",
            "created_at",
            "started_at",
            "finished_at",
            "expires_at",
            "expired",
            "url",
            "file_url",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "status": {"help_text": "queued, running, done or failed."},
            "progress": {"help_text": "0 to 100."},
            "error": {"help_text": "Why it failed, for the requester (their language)."},
            "reference": {"help_text": "A dossier's verification code."},
        }

    def _absolute(self, path: str) -> str:
        """An absolute URI, as the schema's `format: uri` promises (the request is in the context
        of every API answer; without it, e.g. in a test, the path)."""
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, job) -> str:
        return self._absolute(reverse("api:export", args=[job.pk]))

    @extend_schema_field({"type": "string", "format": "uri", "nullable": True})
    def get_file_url(self, job):
        if job.is_done and not job.is_expired:
            return self._absolute(reverse("api:export-file", args=[job.pk]))
        return None


class ExportRequestSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["period_report", "dossier"])
    proposal = serializers.IntegerField(required=False, help_text="The proposal (kind `dossier`).")
    unit = serializers.IntegerField(
        required=False,
        help_text="A unit of your organization boards' subtrees (kind `period_report`; default: "
        "your top-most board's unit).",
    )
    period = serializers.ChoiceField(
        choices=["all", "quarter", "year"], required=False, help_text="Default: all time."
    )
    year = serializers.IntegerField(required=False, min_value=2000, max_value=2100)
    quarter = serializers.IntegerField(required=False, min_value=1, max_value=4)
    format = serializers.ChoiceField(
        choices=["xlsx", "pdf"], required=False, help_text="Default: xlsx."
    )
