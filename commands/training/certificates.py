"""A certificate of attendance as a PDF, drawn with fpdf2 (a maintained pure-Python PDF library): who
attended which session, when, for how many CLE hours of which category, under which course number."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from storage.deadlines import spoken
from storage.training_tables import Rsvp, TrainingSession


def certificate(row: TrainingSession, attended: Rsvp, name: str, zone: ZoneInfo) -> tuple[bytes, str]:
    """The PDF, and what it says in plain text (for the guard, and for a test to read)."""
    assert attended.checked_in_at is not None
    lines = [
        "Certificate of attendance",
        f"{name} ({attended.org})",
        f"attended {row.title} ({row.ref})",
        f"on {spoken(row.starts_at.astimezone(zone), None)}, {row.minutes} minutes",
        f"checked in at {spoken(attended.checked_in_at.astimezone(zone), None)}",
    ]
    if row.cle_hours:
        course = f", course {row.course_number}" if row.course_number else ""
        state = f", {row.cle_state}" if row.cle_state else ""
        lines.append(f"CLE: {row.cle_hours:g} hours, {row.cle_category}{course}{state}")
    from fpdf import FPDF  # a third of a second to import: only when a certificate is asked for

    pdf = FPDF(orientation="landscape", format="letter")
    pdf.set_title(f"Certificate of attendance: {row.ref}")
    pdf.set_compression(False)  # a page of text: small either way, and its words can be read in the file
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 28)
    pdf.cell(0, 30, _latin(lines[0]), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=16)
    for line in lines[1:]:
        pdf.multi_cell(0, 12, _latin(line), align="C", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output()), "\n".join(lines)


def _latin(text: str) -> str:
    """fpdf2's built-in fonts hold Latin-1 only; anything else is shown as "?" rather than refused."""
    return text.encode("latin-1", "replace").decode("latin-1")
