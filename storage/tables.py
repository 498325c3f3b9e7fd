"""Every table Liaison keeps, imported in one place: what the migrations are checked against
(storage/migrations/env.py, tests/test_storage.py) is then the whole set, whatever else was imported."""

from __future__ import annotations

from sqlmodel import SQLModel

import storage.court_calendar
import storage.evaluation_tables
import storage.item_tables
import storage.library_tables
import storage.library_words
import storage.lookups
import storage.models
import storage.training_tables

MODULES = (
    storage.court_calendar,
    storage.evaluation_tables,
    storage.item_tables,
    storage.library_tables,
    storage.library_words,
    storage.lookups,
    storage.models,
    storage.training_tables,
)
METADATA = SQLModel.metadata
