"""A case of a category with a legal term tells its resident the term and what silence means
(Ley 39/2015 art. 21.4), in their language, from the category's editable text."""

from __future__ import annotations

from ventanilla.conversations.tests.chat import Resident, make_channel
from ventanilla.procedures.models import DeadlineLetter, Silence


def test_the_resident_is_told_the_term_and_the_meaning_of_silence(town):
    DeadlineLetter.objects.create(
        council=town.council, category=town.residuos, term_months=3, silence=Silence.NEGATIVE
    )
    resident = Resident(make_channel(town.council, "telegram"))
    resident.accept_notice()
    resident.send("El contenedor de basura de la plaza lleva una semana sin vaciarse")
    choice = next(c for c in resident.offered() if "Sí" in c["label"])
    resident.tap(choice["id"])

    texts = [m.text for m in resident.outbox()]
    letter = next(t for t in texts if "plazo máximo" in t)
    assert "quedó registrada con la entrada RE-2026-000001 el 10 de marzo de 2026" in letter
    assert "es de 3 meses" in letter and "podrá entenderla desestimada" in letter


def test_no_letter_for_a_category_without_a_legal_term(town):
    resident = Resident(make_channel(town.council, "telegram"))
    resident.accept_notice()
    resident.send("El contenedor de basura de la plaza lleva una semana sin vaciarse")
    choice = next(c for c in resident.offered() if "Sí" in c["label"])
    resident.tap(choice["id"])
    assert not any("plazo máximo" in m.text for m in resident.outbox())


def test_the_text_is_editable_and_in_the_residents_language(town):
    DeadlineLetter.objects.create(
        council=town.council,
        category=town.residuos,
        term_months=6,
        silence=Silence.POSITIVE,
        text_en="Case {reference}: {months} months, then {silence}.",
    )
    resident = Resident(make_channel(town.council, "telegram"), language_hint="en")
    resident.accept_notice("Hello")
    resident.send("The rubbish bin in the square has not been emptied for a week")
    choice = next(
        c for c in resident.offered() if c["id"].startswith("report:yes") or "Yes" in c["label"]
    )
    resident.tap(choice["id"])
    assert any(m.text.endswith(": 6 months, then granted.") for m in resident.outbox()), [
        m.text for m in resident.outbox()
    ]
