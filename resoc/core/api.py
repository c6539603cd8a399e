from contextlib import contextmanager

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.pagination import PageNumberPagination
from rest_framework.settings import api_settings


class Pagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


@contextmanager
def validation_errors_as_400():
    """A service's Django ValidationError becomes a 400 with field messages, not a 500."""
    try:
        yield
    except DjangoValidationError as exc:
        detail = serializers.as_serializer_error(exc)
        if NON_FIELD_ERRORS in detail:
            detail[api_settings.NON_FIELD_ERRORS_KEY] = detail.pop(NON_FIELD_ERRORS)
        raise serializers.ValidationError(detail) from exc


class UpperCaseCharField(serializers.CharField):
    """Codes and references are accepted in any case and stored upper-case."""

    def to_internal_value(self, data):
        return super().to_internal_value(data).upper()


def request_user(field):
    """The user of the request a serializer field is used in (None outside a request)."""
    request = field.context.get("request")
    return getattr(request, "user", None)


@extend_schema_field(OpenApiTypes.STR)
class ScopedSlugField(serializers.SlugRelatedField):
    """A record by its code, among those the caller may see (others are 'unknown').

    Subclasses name the selector (`scope`, called with `user=`) and the code's field."""

    scope = None
    slug = "code"
    upper = False  # references are accepted in any case

    def __init__(self, **kwargs):
        super().__init__(slug_field=self.slug, **kwargs)

    def get_queryset(self):
        return type(self).scope(user=request_user(self))

    def to_internal_value(self, data):
        if self.upper and isinstance(data, str):
            data = data.upper()
        return super().to_internal_value(data)


@extend_schema_field(OpenApiTypes.INT)
class ScopedPrimaryKeyField(serializers.PrimaryKeyRelatedField):
    """A record by its id, among those the caller may see (`scope`, called with `user=`)."""

    scope = None

    def get_queryset(self):
        return type(self).scope(user=request_user(self))
