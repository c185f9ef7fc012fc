"""The floor of the benchmark: a bare view doing one indexed query and a small render, and the
middleware that counts each request's queries (X-Queries)."""

from django.db import connection
from django.http import HttpResponse
from django.template import Context, Template, engines

from proposals.models import Proposal

FLOOR = Template("<ul>{% for p in rows %}<li>{{ p.code }} {{ p.title }}</li>{% endfor %}</ul>")


# The app's layout (navigation, badges, language switch) around an empty page: how much of every
# page's time is the layout's (not a target of issue 12; a diagnosis).
LAYOUT = engines["django"].from_string(
    '{% extends "base.html" %}{% block content %}<h1>KL14</h1>{% endblock %}'
)


def layout(request):
    return HttpResponse(LAYOUT.render({}, request))


def floor(request):
    # values(), not only(): django-fsm reads a deferred `state` back row by row (21 queries).
    rows = list(Proposal.objects.order_by("-pk").values("code", "title")[:20])
    return HttpResponse(FLOOR.render(Context({"rows": rows})))


class QueryCountMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        count = [0]

        def counter(execute, sql, params, many, context):
            count[0] += 1
            return execute(sql, params, many, context)

        with connection.execute_wrapper(counter):
            response = self.get_response(request)
        response["X-Queries"] = str(count[0])
        return response
