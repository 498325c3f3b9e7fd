"""The identifier detector: what in a text identifies a client, however it is written (detector.py)."""

from storage.identifiers.detector import NEVER_SHARED, Detector, Finding, Identifier, as_drawn, case_key

__all__ = ["NEVER_SHARED", "Detector", "Finding", "Identifier", "as_drawn", "case_key"]
