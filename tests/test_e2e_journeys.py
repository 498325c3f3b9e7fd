"""One or two journeys per capability through the real bot as a process, `liaison run --http` on SQLite or
PostgreSQL (each capability on one of them, the two taken in turn), every request signed as Slack signs
it and sent over a socket; the one-off commands (`liaison tick`, `export`, `purge`) as processes beside
it. Each journey is made of the checks its capability's module runs against the bot in this process, on
both databases, in a stand-in and a database of its own. Commands over Socket Mode:
tests/test_e2e_commands.py; faults, outages, crashes and replays: the other test_e2e_ modules."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from bot.manifest import manifest
from bot.sandbox import Sandbox
from tests import (
    test_advocacy,
    test_consults,
    test_exports,
    test_group_dm,
    test_home,
    test_library,
    test_partners,
    test_referral_loop,
    test_referrals,
    test_retention,
    test_schedule,
    test_training,
)
from tests.office import DEFENDER, PARTNER_USER, Bot, RunningBot, add_legal_aid, office, running_bot

pytestmark = pytest.mark.e2e


@contextmanager
def started(
    tmp_path: Path,
    backend: str,
    workspace: Callable[[Sandbox], None] | None = None,
    set_up: Callable[[Sandbox, Bot], None] | None = None,
) -> Iterator[tuple[Sandbox, RunningBot]]:
    """The office's stand-in with a module's own people and channels, the bot as a process on `backend`,
    and the module's set-up done through it."""
    with office() as slack:
        if workspace is not None:
            workspace(slack)
        with running_bot(slack, tmp_path, backend, "http") as bot:
            if set_up is not None:
                set_up(slack, bot)
            yield slack, bot


def test_a_referral_posted_refused_and_sent_from_its_form(tmp_path: Path) -> None:
    module = test_referrals
    with started(tmp_path, "sqlite", module.workspace, module.set_up) as (slack, bot):
        module.test_a_referral_posts_its_card_in_the_partners_channel_without_the_case_number(slack, bot)
        module.test_identifying_details_are_refused_with_the_spans_masked(slack, bot)
        module.test_the_form_shows_what_is_wrong_while_it_is_still_open(slack, bot)


def test_a_referral_accepted_answered_and_completed_by_the_partner(tmp_path: Path) -> None:
    module = test_referral_loop
    with started(tmp_path, "postgresql", module.workspace, module.set_up) as (slack, bot):
        module.test_a_partner_accepts_replies_and_completes_from_the_card(slack, bot)
        module.test_two_people_clicking_at_once_exactly_one_wins(slack, bot)
        module.test_thread_replies_are_kept_once_with_their_edits_and_deletions(slack, bot)


def test_a_referral_in_a_group_dm(tmp_path: Path) -> None:
    with office() as slack:
        slack.apply_manifest(manifest())
        slack.add_group_dm(test_group_dm.GROUP_DM, [DEFENDER, PARTNER_USER])
        with running_bot(slack, tmp_path, "sqlite", "http") as bot:
            add_legal_aid(slack, bot)
            test_group_dm.link_the_group_dm(slack, bot)
            test_group_dm.test_a_referral_in_a_group_dm_with_the_partners_people_posts_its_card_and_hears_its_thread(
                (slack, bot)
            )


def test_a_consult_asked_answered_and_resolved(tmp_path: Path) -> None:
    module = test_consults
    with started(tmp_path, "sqlite", module.workspace, module.set_up) as (slack, bot):
        module.test_asked_answered_by_the_partner_in_the_thread_and_resolved(slack, bot)
        module.test_edited_and_deleted_replies_are_reflected_and_a_redelivered_reply_is_kept_once(slack, bot)


def test_an_action_item_with_owners_in_two_organizations(tmp_path: Path) -> None:
    module = test_advocacy
    with started(tmp_path, "postgresql", module.workspace, module.set_up) as (slack, bot):
        module.test_owners_from_two_organizations_and_a_partner_owner_marks_it_done(slack, bot)
        module.test_reassigned_from_the_card_and_by_command(slack, bot)


def test_the_home_tab(tmp_path: Path) -> None:
    module = test_home
    with started(tmp_path, "sqlite", module.workspace, module.set_up) as (slack, bot):
        module.test_the_home_tab_shows_the_viewers_items_and_follows_their_changes(slack, bot)
        module.test_a_consult_started_from_the_home_tab_asks_where_to_post(slack, bot)


def test_partners_and_roles(tmp_path: Path) -> None:
    module = test_partners
    with started(tmp_path, "postgresql", module.workspace, module.set_up) as (slack, bot):
        module.test_home_staff_see_the_partner_as_the_admin_entered_it(slack, bot)
        module.test_joining_a_shared_channel_links_known_partners_and_tells_admins_once_about_strangers(
            slack, bot
        )
        module.test_roles_are_set_by_admins_for_home_staff_only(slack, bot)


def test_reminders_by_liaison_tick(tmp_path: Path) -> None:
    module = test_schedule
    with started(tmp_path, "sqlite", module.workspace, module.set_up) as (slack, bot):
        module.test_snooze_holds_the_nudges_and_a_closed_item_is_never_reminded(slack, bot, tmp_path)


def test_exports_in_slack_and_by_liaison_export(tmp_path: Path) -> None:
    module = test_exports
    with started(tmp_path, "postgresql", set_up=module.set_up) as (slack, bot):
        module.test_a_csv_export_lands_in_the_dm_and_matches_the_database(slack, bot)
        module.test_the_command_line_writes_the_same_csv(slack, bot, tmp_path)
        module.test_stats_match_a_hand_count(slack, bot)


def test_retention_by_liaison_purge(tmp_path: Path) -> None:
    module = test_retention
    with started(tmp_path, "sqlite", set_up=module.set_up) as (slack, bot):
        module.test_purge_removes_closed_items_text_keeps_history_and_audit_and_a_hold_keeps_it(slack, bot)


def test_the_library_from_the_shelf_and_by_liaison_library_import(tmp_path: Path) -> None:
    module = test_library
    with started(tmp_path, "postgresql", module.workspace, module.set_up) as (slack, bot):
        module.test_partner_staff_find_only_what_their_agreement_allows(slack, bot)
    (tmp_path / "import").mkdir()
    with started(tmp_path / "import", "sqlite", module.workspace, module.set_up) as (slack, bot):
        module.test_an_import_with_bad_rows_reports_each_and_imports_nothing(slack, bot, tmp_path)


def test_joint_training_answered_from_partner_teams(tmp_path: Path) -> None:
    module = test_training
    with started(tmp_path, "sqlite", module.workspace, module.set_up) as (slack, bot):
        module.test_a_session_announced_answered_waitlisted_promoted_and_cancelled(slack, bot)
