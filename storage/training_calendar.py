"""Calendar invitations for a training session, built with the `icalendar` library: one UID per session,
and a SEQUENCE raised by every change, so a calendar replaces what it holds with an update and removes the
event on a cancellation (RFC 5546: METHOD REQUEST, METHOD CANCEL)."""

from __future__ import annotations

from datetime import datetime

from icalendar import Calendar, Event, vCalAddress, vText

from storage.training_tables import SessionStatus, TrainingSession

PRODUCT = "-//Liaison//Joint training//EN"


def uid(training: TrainingSession, office: str) -> str:
    """The same for every invitation about the session. Not `name@domain`, as RFC 5545 suggests: the
    guard rightly reads that as an email address, and a DM to a partner's staff would be refused."""
    return f"liaison-{office.lower()}-{training.ref.lower()}"


def invitation(training: TrainingSession, office: str, attendee: str, stamp: datetime) -> bytes:
    """The session as an invitation for one person (`attendee`, their name), or its cancellation."""
    cancelled = training.status == SessionStatus.cancelled
    calendar = Calendar()
    calendar.add("prodid", PRODUCT)
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL" if cancelled else "REQUEST")
    event = Event()
    event.add("uid", uid(training, office))
    event.add("sequence", training.sequence)
    event.add("dtstamp", stamp)
    event.add("dtstart", training.starts_at)
    event.add("dtend", training.ends_at)
    event.add("summary", training.title)
    event.add("location", training.place)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    description = training.description
    if training.cle_hours:
        description += f"\n\nCLE: {training.cle_hours:g} hours, {training.cle_category}"
    event.add("description", description.strip())
    who = vCalAddress(f"urn:liaison:{attendee.replace(' ', '-').lower() or 'attendee'}")
    who.params["cn"] = vText(attendee)
    event.add("attendee", who)
    calendar.add_component(event)
    return bytes(calendar.to_ical())
