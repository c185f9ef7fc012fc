"""Factories for every app; each app keeps its own module here."""

from .units import MembershipFactory, UnitFactory, UserFactory, grant

__all__ = ["MembershipFactory", "UnitFactory", "UserFactory", "grant"]
