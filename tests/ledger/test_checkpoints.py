"""Signed checkpoints of every chain head: made daily and on every dossier issue, exported and
e-mailed outside the database; verification compares each chain with the latest one whose
signature holds, so deleting, truncating or recomputing a chain is named with the proposal and
the entry."""

from datetime import timedelta

import pytest
from django.core import mail as django_mail
from django.core.management import call_command

from ledger import checkpoints
from ledger.checkpoints import checkpoint_create, latest_anchor, merkle_root
from ledger.models import Checkpoint
from ledger.selectors import ledger_head
from ledger.tasks import checkpoint as checkpoint_task
from notifications.models import OutboxEmail
from proposals.selectors import proposal_verify
from reviews import services as reviews
from signing.cms import verify_data
from tests.factories.proposals import fresh
from tests.factories.reviews import decided
from tests.ledger.tamper import append_forged, entries, recompute_from, sql

pytestmark = pytest.mark.django_db


@pytest.fixture
def protected(org, proposal):
    return decided(proposal, head=org.head, party=org.party)


@pytest.fixture
def exported(settings, tmp_path):
    settings.KL14_CHECKPOINT_DIR = str(tmp_path / "checkpoints")
    return tmp_path / "checkpoints"


def verify(item):
    return proposal_verify(fresh(item))


def test_a_checkpoint_signs_every_chain_head_under_a_merkle_root(protected):
    made = checkpoint_create(reason="manual")
    heads = checkpoints.chain_heads()
    assert (protected.code, *ledger_head(protected)) in heads
    assert made.root == merkle_root(heads)
    assert made.proposals == len(heads)
    check = verify_data(made.content.encode(), bytes(made.signature))
    assert check.valid and "KL14" in check.signer
    assert latest_anchor().signed.head_of(protected.code) == ledger_head(protected)


def test_nothing_new_while_the_heads_stay_the_same_and_each_names_its_predecessor(org, protected):
    first = checkpoint_create(reason="daily")
    assert checkpoint_create(reason="daily") == first
    reviews.lesson_publish(proposal=fresh(protected), actor=org.head, lessons="Bài học")
    second = checkpoint_task()
    assert second["id"] != first.pk
    import hashlib
    import json

    assert json.loads(Checkpoint.objects.get(pk=second["id"]).content)["previous"] == (
        hashlib.sha256(first.content.encode()).hexdigest()
    )


def test_every_dossier_issue_checkpoints(org, protected):
    reviews.dossier_issue_pdf(proposal=fresh(protected), actor=org.cadre)
    assert Checkpoint.objects.get().root == merkle_root(checkpoints.chain_heads())


def test_exported_to_files_and_emailed_to_the_root_organization_board(
    org, protected, exported, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        made = checkpoint_create(reason="daily")
    (json_file,) = exported.glob("*.json")
    assert json_file.stem == checkpoints.file_stem(made)
    assert json_file.read_bytes() == made.content.encode()
    assert verify_data(json_file.read_bytes(), json_file.with_suffix(".p7s").read_bytes()).valid
    assert OutboxEmail.objects.filter(kind=OutboxEmail.Kind.MESSAGE).count() == 1
    (mail,) = [m for m in django_mail.outbox if "sổ cái" in m.subject]
    assert mail.to == [org.orgboard.email]
    assert [name for name, *_ in mail.attachments] == [
        json_file.name,
        json_file.with_suffix(".p7s").name,
    ]
    assert made.root in mail.body


class TestVerificationAgainstTheCheckpoint:
    def test_an_intact_chain_verifies(self, protected):
        checkpoint_create(reason="daily")
        assert verify(protected).valid

    def test_every_entry_deleted(self, protected):
        checkpoint_create(reason="daily")
        sql("DELETE FROM ledger_ledgerentry WHERE proposal_id = %s", [protected.pk])
        result = verify(protected)
        assert (result.valid, result.entries, result.first_bad_seq) == (False, 0, 1)
        assert result.reason == "truncated"

    def test_the_last_entry_deleted(self, protected):
        checkpoint_create(reason="daily")
        last = entries(protected)[-1]
        sql("DELETE FROM ledger_ledgerentry WHERE id = %s", [last.pk])
        result = verify(protected)
        assert (result.valid, result.first_bad_seq, result.reason) == (False, last.seq, "truncated")

    def test_a_chain_recomputed_after_an_edit(self, protected):
        checkpoint_create(reason="daily")
        head_seq = entries(protected)[-1].seq
        recompute_from(protected, 2, payload={"forged": True})
        result = verify(protected)
        assert (result.valid, result.first_bad_seq, result.reason) == (
            False,
            head_seq,
            "rewritten",
        )

    def test_an_entry_appended_and_backdated(self, protected):
        checkpoint_create(reason="daily")
        forged = append_forged(protected, at=entries(protected)[-1].at - timedelta(days=3))
        result = verify(protected)
        assert (result.valid, result.first_bad_seq, result.reason) == (
            False,
            forged.seq,
            "backdated",
        )

    def test_a_checkpoint_row_rewritten_is_refused_and_named(self, protected, capsys):
        made = checkpoint_create(reason="daily")
        sql(
            "UPDATE ledger_checkpoint SET content = %s WHERE id = %s",
            [made.content.replace(protected.code, "DX-0000-000000"), made.pk],
        )
        anchor = latest_anchor()
        assert anchor.signed is None
        assert [p.reason for p in anchor.problems] == ["signature"]
        with pytest.raises(SystemExit):
            call_command("verify_ledger")
        assert "BROKEN  checkpoint" in capsys.readouterr().out

    def test_checkpoints_deleted_from_the_database_are_still_read_from_the_export(
        self, protected, exported, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            checkpoint_create(reason="daily")
        sql("DELETE FROM ledger_checkpoint")
        sql("DELETE FROM ledger_ledgerentry WHERE proposal_id = %s", [protected.pk])
        anchor = latest_anchor()
        assert anchor.signed.source.startswith("file:")
        assert [p.reason for p in anchor.problems] == ["missing_in_database"]
        assert verify(protected).reason == "truncated"

    def test_the_command_names_the_proposal_and_the_entry(self, protected, capsys):
        checkpoint_create(reason="daily")
        last = entries(protected)[-1]
        sql("DELETE FROM ledger_ledgerentry WHERE id = %s", [last.pk])
        with pytest.raises(SystemExit):
            call_command("verify_ledger")
        out = capsys.readouterr().out
        assert f"BROKEN  {protected.code}  first bad entry: seq {last.seq}" in out
        assert "entries the last signed checkpoint saw are missing" in out
