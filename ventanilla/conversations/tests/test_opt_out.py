"""Opt-out: BAJA and its equivalents stop automatic messages, not replies."""

from __future__ import annotations

import pytest

from ventanilla.cases.models import Case
from ventanilla.cases.services import change_status
from ventanilla.cases.workflow import Status


@pytest.mark.parametrize(
    "word", ["BAJA", "baja", "Stop", "ATURAR", "parar", "Baixa", "BAJA por favor"]
)
def test_opt_out_words(known, word):
    replies = known.send(word)

    assert known.citizen.opted_out
    assert replies[0].text.startswith("Hecho: no le enviaremos más mensajes automáticos.")


def test_cancelar_outside_a_report_opts_out(known):
    known.send("Cancelar")

    assert known.citizen.opted_out


def test_opt_out_works_before_the_notice_is_accepted(resident):
    resident.send("Hola")

    resident.send("STOP")

    assert resident.citizen.opted_out
    assert resident.citizen.consent_at is None


@pytest.mark.parametrize(
    "text", ["Baja presión de agua en mi calle", "Parar el ruido de la obra por la noche"]
)
def test_words_that_start_a_report_do_not_opt_out(known, text):
    known.send(text)

    assert not known.citizen.opted_out


def test_opted_out_resident_gets_no_updates_but_still_gets_answers(known, town):
    known.send("Farola apagada")
    known.tap("Sí, es eso")
    case = Case.objects.get()
    known.send("BAJA")
    last = known.outbox()[-1].pk

    change_status(case=case, status=Status.IN_PROGRESS)
    change_status(case=case, status=Status.RESOLVED)
    assert known.outbox(after=last) == []

    replies = known.send(f"estado {case.reference}")
    assert "Estado: Resuelta" in replies[0].text


def test_alta_opts_back_in(known, town):
    known.send("Farola apagada")
    known.tap("Sí, es eso")
    case = Case.objects.get()
    known.send("BAJA")

    replies = known.send("ALTA")
    last = replies[-1].pk
    change_status(case=case, status=Status.IN_PROGRESS)

    assert not known.citizen.opted_out
    assert "volverá a recibir avisos" in replies[0].text
    assert len(known.outbox(after=last)) == 1
