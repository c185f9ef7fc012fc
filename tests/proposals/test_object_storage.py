"""Uploads on S3-compatible object storage (issue 12): STORAGE_URL and AWS_* become django-storages'
S3 backend, and an attachment uploaded through the API lands in the bucket and downloads back,
against moto's in-process S3."""

import boto3
import environ
import pytest
from django.core.files.storage import default_storage, storages
from django.utils.functional import empty
from moto import mock_aws

from kl14.objectstorage import BACKEND, default_storage_from_env, storage_from_url
from tests.proposals.test_api_attachments import PDF, attach, client_for

BUCKET = "kl14-uploads"


def test_storage_url_names_the_bucket_keys_and_endpoint():
    entry = storage_from_url(
        "s3://AKIA%2Fx:s%40cret@kl14-uploads?endpoint_url=http://127.0.0.1:9000&region_name=hn"
    )
    assert entry["BACKEND"] == BACKEND
    assert entry["OPTIONS"] == {
        "bucket_name": "kl14-uploads",
        "access_key": "AKIA/x",
        "secret_key": "s@cret",
        "endpoint_url": "http://127.0.0.1:9000",
        "region_name": "hn",
        "default_acl": None,
        "file_overwrite": False,
        "querystring_auth": True,
    }
    with pytest.raises(ValueError):
        storage_from_url("ftp://bucket")


def test_aws_variables_or_nothing(monkeypatch):
    for name in ("STORAGE_URL", "AWS_STORAGE_BUCKET_NAME", "AWS_S3_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)
    assert default_storage_from_env(environ.Env()) is None
    monkeypatch.setenv("AWS_STORAGE_BUCKET_NAME", BUCKET)
    monkeypatch.setenv("AWS_S3_ENDPOINT_URL", "http://minio:9000")
    options = default_storage_from_env(environ.Env())["OPTIONS"]
    assert options["bucket_name"] == BUCKET and options["endpoint_url"] == "http://minio:9000"
    assert options["default_acl"] is None


@pytest.fixture
def s3(settings, monkeypatch):
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(name, value)
    with mock_aws():
        boto3.client("s3", region_name="us-east-1").create_bucket(Bucket=BUCKET)
        settings.STORAGES = {
            **settings.STORAGES,
            "default": storage_from_url(f"s3://testing:testing@{BUCKET}?region_name=us-east-1"),
        }
        storages._storages.pop("default", None)
        default_storage._wrapped = empty
        yield boto3.client("s3", region_name="us-east-1")
    storages._storages.pop("default", None)
    default_storage._wrapped = empty


@pytest.mark.django_db
def test_an_attachment_goes_to_the_bucket_and_downloads_back(s3, org, draft):
    body = attach(org, draft, "ke-hoach.pdf")
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET)["Contents"]]
    assert len(keys) == 1 and keys[0].startswith(f"proposals/{draft.pk}/")
    assert s3.get_object(Bucket=BUCKET, Key=keys[0])["Body"].read() == PDF
    response = client_for(org.cadre).get(body["download_url"])
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
