"""Declarative base of the Allocation API tables, with the shared constraint naming convention."""

from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

from partnerfund_shared.db import NAMING_CONVENTION


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
