"""Department history entries name the department by id, not by its (changeable) name."""

from django.db import migrations


def names_to_ids(apps, schema_editor):
    CaseEvent = apps.get_model("cases", "CaseEvent")
    Department = apps.get_model("cases", "Department")
    ids = {
        (council_id, name): str(pk)
        for pk, council_id, name in Department.objects.values_list("pk", "council_id", "name_es")
    }
    events = CaseEvent.objects.filter(kind="department").select_related("case")
    for event in events.iterator():
        council_id = event.case.council_id
        before = ids.get((council_id, event.from_value), event.from_value)
        after = ids.get((council_id, event.to_value), event.to_value)
        if (before, after) != (event.from_value, event.to_value):
            CaseEvent.objects.filter(pk=event.pk).update(from_value=before, to_value=after)


def ids_to_names(apps, schema_editor):
    CaseEvent = apps.get_model("cases", "CaseEvent")
    Department = apps.get_model("cases", "Department")
    names = {str(pk): name for pk, name in Department.objects.values_list("pk", "name_es")}
    for event in CaseEvent.objects.filter(kind="department").iterator():
        before = names.get(event.from_value, event.from_value)
        after = names.get(event.to_value, event.to_value)
        if (before, after) != (event.from_value, event.to_value):
            CaseEvent.objects.filter(pk=event.pk).update(from_value=before, to_value=after)


class Migration(migrations.Migration):
    dependencies = [("cases", "0003_case_event_kinds")]

    operations = [migrations.RunPython(names_to_ids, ids_to_names)]
