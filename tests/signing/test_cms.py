"""Detached CMS signatures over bytes (the ledger checkpoints)."""

import subprocess
import sys
from pathlib import Path

from django.conf import settings

from signing import keys
from signing.cms import sign_data, verify_data


def test_signed_data_verifies_and_changed_data_does_not():
    data = b'{"root":"abc","proposals":3}'
    signature = sign_data(data)
    check = verify_data(data, signature)
    assert check.valid and "KL14" in check.signer and check.signed_at is not None
    assert not verify_data(data.replace(b"3", b"2"), signature).valid
    assert not verify_data(data, signature[:-3] + b"xyz").valid
    assert not verify_data(data, b"garbage").valid


def test_a_signature_by_another_key_is_intact_but_untrusted(other_ca, settings):
    ours = settings.KL14_SIGNING_DIR
    settings.KL14_SIGNING_DIR = str(other_ca)
    keys.clear_caches()
    try:
        signature = sign_data(b"x")
    finally:
        settings.KL14_SIGNING_DIR = ours
        keys.clear_caches()
    check = verify_data(b"x", signature)
    assert check.intact and not check.trusted and not check.valid


def test_pyhanko_cli_validates_a_detached_signature(tmp_path):
    data = tmp_path / "checkpoint.json"
    data.write_bytes(b'{"n":1}')
    (tmp_path / "checkpoint.p7s").write_bytes(sign_data(data.read_bytes()))
    result = subprocess.run(  # noqa: S603
        [
            str(Path(sys.executable).parent / "pyhanko"),
            "sign",
            "validate",
            "--trust",
            str(Path(settings.KL14_SIGNING_DIR) / keys.DEMO_CA_CERT),
            "--trust-replace",
            "--no-revocation-check",
            "--executive-summary",
            "--detached",
            str(tmp_path / "checkpoint.p7s"),
            str(data),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "INVALID" not in result.stdout


def test_a_checkpoint_is_signed_and_checked_inside_a_running_event_loop():
    from tests.signing.test_pdf import in_a_fresh_running_loop

    assert in_a_fresh_running_loop(lambda: verify_data(b"head", sign_data(b"head"))).valid
