from django.urls import reverse
from rest_framework import serializers

from .models import OfficialDocument


class OfficialDocumentSerializer(serializers.ModelSerializer):
    reference = serializers.CharField(read_only=True, help_text="Number and symbol: 01/QĐ-SNV")
    subject = serializers.SerializerMethodField()
    unit = serializers.CharField(source="unit.code", read_only=True)
    concerns = serializers.SerializerMethodField()
    signer = serializers.SerializerMethodField()
    decision_seq = serializers.IntegerField(source="decision_entry.seq", read_only=True)
    issue_seq = serializers.IntegerField(source="issue_entry.seq", read_only=True, default=None)
    pdf_url = serializers.SerializerMethodField()
    docx_url = serializers.SerializerMethodField()

    class Meta:
        model = OfficialDocument
        fields = [
            "id",
            "kind",
            "doc_type",
            "party_format",
            "reference",
            "number",
            "year",
            "issued_on",
            "subject",
            "unit",
            "concerns",
            "signer",
            "status",
            "decision_seq",
            "issue_seq",
            "pdf_sha256",
            "docx_sha256",
            "pdf_url",
            "docx_url",
        ]
        read_only_fields = fields

    def get_subject(self, obj) -> str:
        return (obj.content or {}).get("subject", "")

    def get_concerns(self, obj) -> str | None:
        return obj.concerns.get_username() if obj.concerns_id else None

    def get_signer(self, obj) -> str:
        return (obj.content or {}).get("signer", {}).get("name", "")

    def _url(self, obj, fmt, present) -> str | None:
        if not obj.is_issued or not present:
            return None
        return reverse(
            f"api:proposal-document-{fmt}",
            kwargs={"pk": obj.proposal_id, "document_pk": obj.pk},
        )

    def get_pdf_url(self, obj) -> str | None:
        return self._url(obj, "pdf", obj.pdf)

    def get_docx_url(self, obj) -> str | None:
        return self._url(obj, "docx", obj.docx)
