"""The Open311 models left the portal app with their tables: existing rows are kept."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from ventanilla.cases.tests.factories import make_case, make_category, make_council

BEFORE = [("open311", None), ("portal", "0001_initial")]
AFTER = [("open311", "0001_initial"), ("portal", "0002_open311_moves_to_its_own_app")]


@pytest.mark.django_db(transaction=True)
def test_keys_and_submissions_made_by_the_portal_app_survive_the_move(whole_schema_after):
    council = make_council()
    case = make_case(category=make_category(council=council))
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(("portal", "0001_initial")).apps
    key = old.get_model("portal", "Open311Key").objects.create(
        council_id=council.pk, name="FixMyStreet", prefix="o311_abc", key_hash="h" * 64
    )
    old.get_model("portal", "Open311Submission").objects.create(case_id=case.pk, key_id=key.pk)

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)

    new = executor.loader.project_state(AFTER).apps
    moved = new.get_model("open311", "Open311Key").objects.get()
    assert (moved.pk, moved.name, moved.council_id) == (key.pk, "FixMyStreet", council.pk)
    submission = new.get_model("open311", "Open311Submission").objects.get()
    assert (submission.case_id, submission.key_id) == (case.pk, key.pk)
