"""A request id for every log line of a request (django-log-request-id), sent back as
X-Request-ID. An id that a trusted proxy passes in KL14_REQUEST_ID_HEADER is reused when it looks
like an id; anything else is replaced, so a client cannot write what it likes into the logs."""

import re
import uuid

from log_request_id.middleware import RequestIDMiddleware as BaseRequestIDMiddleware

SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class RequestIDMiddleware(BaseRequestIDMiddleware):
    def _get_request_id(self, request):
        given = request.META.get(self.request_id_header, "") if self.request_id_header else ""
        if given and SAFE_ID.match(given):
            return given
        return uuid.uuid4().hex
