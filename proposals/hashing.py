"""The canonical content of a dossier version and its SHA-256."""

from ledger.hashing import canonical_json, sha256

from .models import DOSSIER_FIELDS


def dossier_snapshot(proposal) -> dict:
    """Everything a version freezes: the dossier fields, the home unit, authors and attachments."""
    return {
        "code": proposal.code,
        "home_unit": proposal.home_unit.code,
        "fields": {name: getattr(proposal, name) for name in DOSSIER_FIELDS},
        "authors": sorted(
            (
                {"username": a.user.username, "name": a.user.get_full_name(), "post": a.post}
                for a in proposal.authorships.select_related("user")
            ),
            key=lambda a: a["username"],
        ),
        "attachments": [
            {"name": f.original_name, "sha256": f.sha256, "size": f.size, "type": f.content_type}
            for f in proposal.attachments.all()
        ],
    }


def version_hash(content: dict) -> str:
    return sha256(canonical_json(content))
