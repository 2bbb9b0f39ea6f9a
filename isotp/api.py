"""API plumbing shared by every app: pagination, and the exception handler that maps domain refusals to 409."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import InterfaceError, OperationalError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from isotp.errors import DomainConflict

if TYPE_CHECKING:
    from rest_framework.request import Request
    from rest_framework.serializers import BaseSerializer

    from accounts.models import User

logger = logging.getLogger(__name__)


class Pagination(PageNumberPagination):
    """`?page=` pagination with `count`, `next`, `previous`, `results`; `page_size` may be lowered or raised to 100."""

    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 100


T = TypeVar("T")


def act_on(
    request: Request,
    public_id: Any,
    *,
    find: Callable[[User, Any], T],
    input_class: type[BaseSerializer[Any]],
    act: Callable[[User, T, dict[str, Any]], Any],
    output_class: type[BaseSerializer[Any]],
    status_code: int = status.HTTP_200_OK,
) -> Response:
    """The one shape of an action endpoint on one record: find it within the user's reach (404 otherwise), check
    the input (400), let the service act (it is the gate: 403, 409), answer with the output serializer.

    `act(user, record, validated_data)` calls the service; `find(user, public_id)` is the app's scoped selector."""
    user: User = request.user  # type: ignore[assignment]
    target = find(user, public_id)
    data = input_class(data=request.data)
    data.is_valid(raise_exception=True)
    result = act(user, target, dict(data.validated_data))
    return Response(output_class(result).data, status=status_code)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler, plus: domain conflicts → 409 with their code; Django validation errors → 400 field errors.

    The database going away is a 503 with Retry-After (SERVICE_UNAVAILABLE). Anything unexpected becomes a bare 500 with no stack trace or personal data in the body.
    """
    if isinstance(exc, DomainConflict):
        return Response(exc.as_dict(), status=status.HTTP_409_CONFLICT)
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        return Response(detail, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None and isinstance(exc, (OperationalError, InterfaceError)):
        # The database went away (restarting, failing over): 503 with Retry-After; the next request reconnects.
        logger.warning("API request failed: database unavailable (%s)", type(exc).__name__)
        return Response(
            {
                "detail": "The service is briefly unavailable: its database could not be reached. Try again shortly.",
                "code": "SERVICE_UNAVAILABLE",
            },
            status=status.HTTP_503_SERVICE_UNAVAILABLE,
            headers={"Retry-After": "30"},
        )
    if response is None:
        # Log the type only: the message may quote personal data.
        logger.error("Unhandled API error %s", type(exc).__name__, exc_info=False)
        return Response({"detail": "Something went wrong. Try again later."}, status=500)
    return response


class AccessLoggedList:
    """Mixin for API list views that show people: each listing is in the access log (audit.services.record_search,
    via "api"), as its page is. `access_list_name` names the list (audit.services.SEARCH_PARAMETERS);
    `access_query` may be overridden for a list whose scope is in the path (a group's members)."""

    access_list_name = ""

    def access_query(self, request: Any) -> Any:
        return request.query_params

    def list(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        from audit.services import record_search

        response = super().list(request, *args, **kwargs)  # type: ignore[misc]
        record_search(
            actor=request.user, list_name=self.access_list_name, query=self.access_query(request), via="api"
        )
        return response
