"""`make run`'s broker without Redis (kl14/brokerfs.py): a worker never reads a message that is
still being written. kombu's own file-system transport let it read the empty file (its worker then
stopped with "Unrecoverable error: JSONDecodeError", and honcho stopped the app with it)."""

import json
import threading

import pytest
from kombu import Connection
from kombu.transport import filesystem

from kl14 import brokerfs


def channel(tmp_path, transport):
    folder = str(tmp_path)
    options = {"data_folder_in": folder, "data_folder_out": folder, "store_processed": False}
    return Connection(transport=transport, transport_options=options).default_channel


def put_while_the_worker_looks(tmp_path, monkeypatch, transport):
    """Writes one message, and looks for it as a worker does while it is being written."""
    chan = channel(tmp_path, transport)
    writing, written = threading.Event(), threading.Event()
    real_dumps = json.dumps

    def slow_dumps(payload, *args, **kwargs):
        writing.set()
        written.wait(5)  # the worker looks now, before the message's bytes are out
        return real_dumps(payload, *args, **kwargs)

    for module in (brokerfs, filesystem):
        monkeypatch.setattr(module, "dumps", slow_dumps)
    writer = threading.Thread(target=chan._put, args=("celery", {"task": "x"}))
    writer.start()
    assert writing.wait(5)
    try:
        return chan._get("celery")
    finally:
        written.set()
        writer.join(5)


def test_a_message_being_written_is_not_there_yet_then_whole(tmp_path, monkeypatch):
    with pytest.raises(filesystem.Empty):
        put_while_the_worker_looks(tmp_path, monkeypatch, brokerfs.Transport)
    assert channel(tmp_path, brokerfs.Transport)._get("celery") == {"task": "x"}
    assert list(tmp_path.iterdir()) == []  # taken, and no partial file left


def test_kombus_own_transport_hands_the_worker_an_empty_file(tmp_path, monkeypatch):
    """What the transport mends: the same look into kombu's own breaks the worker."""
    with pytest.raises(json.JSONDecodeError):
        put_while_the_worker_looks(tmp_path, monkeypatch, filesystem.Transport)


def test_a_message_that_cannot_be_written_leaves_nothing(tmp_path, monkeypatch):
    from kombu.exceptions import ChannelError

    chan = channel(tmp_path, brokerfs.Transport)

    def refuse(*args):
        raise OSError("disk full")

    monkeypatch.setattr(brokerfs.os, "replace", refuse)
    with pytest.raises(ChannelError):
        chan._put("celery", {"task": "x"})
    assert list(tmp_path.iterdir()) == []


def test_make_runs_broker_is_this_transport(settings):
    from kombu.transport import resolve_transport

    scheme = "kl14fs://"
    assert resolve_transport(scheme.split(":")[0]) is brokerfs.Transport
    assert Connection(scheme).transport_cls == "kl14fs"
