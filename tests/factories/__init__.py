"""Factories for every app; each app keeps its own module here."""

from .units import MembershipFactory, UnitFactory, UserFactory, api_token, grant

__all__ = ["MembershipFactory", "UnitFactory", "UserFactory", "api_token", "grant"]
