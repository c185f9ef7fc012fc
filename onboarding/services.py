"""Spreadsheet imports: the dry run (import_plan) and the import itself (import_apply).

The dry run writes only its own report (the batch and its rows). The import re-plans those rows
against the database as it is at that moment, inside one transaction, and writes the plan only
if it is still the one the admin saw and every row is valid: otherwise nothing is written.
"""

import hashlib
import json

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.services import users_create_many, users_update_many
from kl14.errors import Conflict, Forbidden, Invalid
from units.services import (
    memberships_end_many,
    memberships_grant_many,
    memberships_update_many,
    unit_update,
    units_create_many,
)

from .models import ImportBatch, ImportRow
from .permissions import can_import
from .planning import Plan, plan_import
from .spreadsheet import PEOPLE, UNITS, UnreadableFile, read_workbook

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
ROW_BATCH = 2000


def plan_digest(plan: Plan) -> str:
    """What the plan writes, independent of the language its messages were shown in."""
    content = {
        "rows": [(r.position, r.outcome) for r in plan.rows],
        "unit_creates": [(n.code, n.name, n.kind, n.parent_final) for n in plan.unit_creates],
        "unit_updates": [(n.code, sorted(f.items())) for n, f in plan.unit_updates],
        "unit_moves": [(n.code, n.parent_final) for n in plan.unit_moves],
        "accounts": [
            (
                p.key,
                p.user.pk if p.user else None,
                sorted((p.create or {}).items()),
                sorted(p.update.items()),
            )
            for p in plan.people
        ],
        "grants": [
            (m.person.key, m.unit_code, m.role, m.title, str(m.started_on))
            for m in plan.membership_creates
        ],
        "updates": [
            (m.pk, sorted((k, str(v)) for k, v in f.items())) for m, f in plan.membership_updates
        ],
        "ends": [(m.pk, str(on), reason) for m, on, reason in plan.membership_ends],
    }
    return hashlib.sha256(json.dumps(content, default=str).encode()).hexdigest()


def import_plan(*, actor, upload, filename: str) -> ImportBatch:
    """The dry run of an uploaded file: what would be created, changed, ended or refused."""
    if not can_import(actor):
        raise Forbidden()
    if upload.size > MAX_UPLOAD_BYTES:
        raise Invalid(errors={"file": [_("The file is larger than 20 MB.")]})
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    try:
        book = read_workbook(upload, filename)
    except UnreadableFile as error:
        raise Invalid(errors={"file": [str(error)]}) from error
    plan = plan_import(actor, list(book.rows(UNITS)), list(book.rows(PEOPLE)))
    with transaction.atomic():
        batch = ImportBatch.objects.create(
            uploaded_by=actor,
            file_name=filename[:255],
            file_sha256=digest.hexdigest(),
            status=ImportBatch.Status.PLANNED if plan.valid else ImportBatch.Status.INVALID,
            summary={**plan.summary(), "digest": plan_digest(plan)},
            skipped_sheets=book.skipped,
        )
        ImportRow.objects.bulk_create([r.as_row(batch) for r in plan.rows], batch_size=ROW_BATCH)
    return batch


import_plan.alters_data = True


def _rows_of(batch):
    units, people = [], []
    rows = batch.rows.order_by("position").values_list("kind", "sheet", "line", "data")
    for kind, sheet, line, data in rows.iterator(chunk_size=ROW_BATCH):
        (units if kind == ImportRow.Kind.UNIT else people).append((sheet, line, data))
    return units, people


@transaction.atomic
def import_apply(*, actor, batch: ImportBatch) -> ImportBatch:
    """Imports the rows of a dry run: all of them, exactly as planned, or nothing."""
    batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    if batch.uploaded_by_id != actor.pk or not can_import(actor):
        raise Forbidden()
    if batch.status == ImportBatch.Status.APPLIED:
        raise Conflict(_("This file has already been imported."))
    if batch.status != ImportBatch.Status.PLANNED:
        raise Conflict(_("This file has errors: correct them and upload it again."))
    plan = plan_import(actor, *_rows_of(batch))
    if not plan.valid or plan_digest(plan) != batch.summary.get("digest"):
        raise Conflict(
            _(
                "The units or accounts changed since this dry run: nothing was imported. "
                "Upload the file again to see the new dry run."
            )
        )
    try:
        with transaction.atomic():
            _write(actor, plan)
    except IntegrityError as error:
        raise Conflict(
            _("Someone else changed the same units or accounts meanwhile: nothing was imported.")
        ) from error
    batch.status = ImportBatch.Status.APPLIED
    batch.applied_at = timezone.now()
    batch.save(update_fields=["status", "applied_at"])
    return batch


import_apply.alters_data = True


def _write(actor, plan: Plan) -> None:
    units = units_create_many(
        units=[
            {"code": n.code, "name": n.name, "kind": n.kind, "parent_code": n.parent_final}
            for n in plan.unit_creates  # superior units first
        ],
        actor=actor,
    )
    for node, fields in plan.unit_updates:
        unit_update(unit=_fresh(node.unit), actor=actor, **fields)
    for node in plan.unit_moves:
        parent = units.get(node.parent_final) or plan.nodes[node.parent_final].unit
        unit_update(unit=_fresh(node.unit), parent=_fresh(parent), actor=actor)

    new_people = [p for p in plan.people if p.create is not None]
    for person, user in zip(
        new_people, users_create_many(users=[p.create for p in new_people]), strict=True
    ):
        person.user = user
    users_update_many(changes=[(p.user, p.update) for p in plan.people if p.update])

    memberships_end_many(ends=plan.membership_ends, actor=actor)
    memberships_update_many(changes=plan.membership_updates, actor=actor)
    unit_ids = {code: unit.pk for code, unit in units.items()}
    unit_ids.update({code: n.unit.pk for code, n in plan.nodes.items() if n.exists})
    memberships_grant_many(
        grants=[
            {
                "user_id": m.person.user.pk,
                "unit_id": unit_ids[m.unit_code],
                "role": m.role,
                "title": m.title,
                "started_on": m.started_on,
            }
            for m in plan.membership_creates
        ],
        actor=actor,
    )


def _fresh(unit):
    """The unit as the database holds it now: creating sorted siblings may have moved paths."""
    return type(unit).objects.get(pk=unit.pk)
