"""Messages as residents write them to their council, with the data that must not leak.

The corpus is shared: the redaction tests use it here, and an end-to-end test can send
each message through a channel and check that no secret reaches the portal or Open311.

Each :class:`Sample` holds the message, the ``secrets`` that must not survive redaction,
the ``kept`` words that must (the public substance of the report), and the ``names`` the
council knows the resident by; secrets that are only findable through ``names`` need them
passed to ``redact`` (or the citizen created with that name in an end-to-end test).

A secret that is a street number is written with its street ("Mayor 14"): the number
alone appears elsewhere in the text, the pair must not.

Identity numbers come from python-stdnum's doctests or were computed with its check
digits; IBANs and cards are the usual published test numbers. None belongs to anyone.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Sample:
    """One resident message and what redaction must remove from it and keep in it."""

    text: str
    secrets: tuple[str, ...]
    kept: tuple[str, ...] = ()
    names: tuple[str, ...] = field(default=())


SAMPLES: list[Sample] = [
    # --- Spanish ---------------------------------------------------------------------
    Sample(
        "hola buenas, la farola de la calle Mayor 14 lleva 3 dias apagada. "
        "soy Pedro Sanchez, mi tlf 600 11 12 22",
        secrets=("Pedro", "Sanchez", "Mayor 14", "600 11 12 22"),
        kept=("farola", "calle Mayor", "3 dias apagada"),
    ),
    Sample(
        "Buenos días, quería denunciar un bache enorme en Av. Diagonal 123 frente a mi "
        "portal. Mi DNI es 12.345.678-Z y mi correo maria.garcia@gmail.com",
        secrets=("12.345.678-Z", "maria.garcia@gmail.com", "Diagonal 123"),
        kept=("bache enorme", "Av. Diagonal", "frente a mi portal"),
    ),
    Sample(
        "me llamo ana ruiz y vivo en c/sant joan 14 bajo, los contenedores estan llenos "
        "desde el 12/03/2026",
        secrets=("ana ruiz", "joan 14", "14 bajo"),
        kept=("contenedores", "c/sant joan", "12/03/2026"),
    ),
    Sample(
        "NIE X2482300W, quiero el volante de empadronamiento, mi numero 0034 612 345 678",
        secrets=("X2482300W", "0034 612 345 678", "612 345 678"),
        kept=("volante de empadronamiento",),
    ),
    Sample(
        "hay un coche abandonado matricula 1234 BCD en la plaza españa desde hace 2 semanas",
        secrets=("1234 BCD",),
        kept=("coche abandonado", "plaza españa", "2 semanas"),
    ),
    Sample(
        "el coche 5678-JKL lleva aparcado en el vado de mi garaje toda la mañana, "
        "llamen a la grua!! mi movil 699887766",
        secrets=("5678-JKL", "699887766"),
        kept=("vado", "grua"),
    ),
    Sample(
        "mi dni es 12345678A (creo q lo puse mal antes) ref 2026-000123",
        secrets=("12345678A",),
        kept=("2026-000123", "lo puse mal"),
    ),
    Sample(
        "Para el recibo de la basura domicilien en ES91 2100 0418 4502 0005 1332 "
        "a nombre de Carmen Lopez Diaz",
        secrets=("ES91 2100 0418 4502 0005 1332", "Carmen", "Lopez", "Diaz"),
        kept=("recibo de la basura", "a nombre de"),
        names=("Carmen López Díaz",),
    ),
    Sample(
        "buenas tardes. soy Lucía Fernández Martín (dni 54362315K). El parque infantil de "
        "la plaza Mayor tiene un columpio roto, lo vi a las 18:30",
        secrets=("Lucía", "Fernández", "Martín", "54362315K"),
        kept=("parque infantil", "plaza Mayor", "columpio roto", "18:30"),
    ),
    Sample(
        "ola q tal, en la c/ mayor 3 2º1ª hay una gotera q cae a la calle, llamad al 611223344 xfa",
        secrets=("mayor 3", "2º1ª", "611223344"),
        kept=("gotera", "c/ mayor"),
    ),
    Sample(
        "Mi correo es pepe_1979@hotmail.es y mi telefono 622-334-455. Avisadme cuando "
        "arregléis el semáforo de Avda. Constitución",
        secrets=("pepe_1979@hotmail.es", "622-334-455"),
        kept=("semáforo", "Avda. Constitución"),
    ),
    Sample(
        "soy Raúl Gómez, DNI 00000000T, tlf +34 633 44 55 66, email raul.gomez@yahoo.es, "
        "vivo en calle Real nº 7 1ºD. Quiero quejarme de los ruidos del bar de abajo "
        "desde el 01/02/2026",
        secrets=(
            "Raúl",
            "Gómez",
            "00000000T",
            "+34 633 44 55 66",
            "raul.gomez@yahoo.es",
            "nº 7",
            "1ºD",
        ),
        kept=("ruidos del bar", "calle Real", "01/02/2026"),
    ),
    Sample(
        "El vecino del 4º deja la basura en el rellano. Mis datos: Antonio Jiménez Ruiz, "
        "DNI 23456789D, tfno 955123456",
        secrets=("Antonio", "Jiménez", "Ruiz", "23456789D", "955123456"),
        kept=("basura", "rellano", "vecino del 4º"),
        names=("Antonio Jiménez Ruiz",),
    ),
    Sample(
        "Reclamacion ref 2026-000123: sigo sin respuesta. Me llamo Fátima El Idrissi, "
        "tlf 612 00 00 00",
        secrets=("Fátima", "Idrissi", "612 00 00 00"),
        kept=("2026-000123", "sin respuesta"),
    ),
    Sample(
        "tlf600111222 dni12345678Z pasen a recoger los muebles q dejaron en la acera",
        secrets=("600111222", "12345678Z"),
        kept=("muebles", "acera"),
    ),
    Sample(
        "Contacto: Laura Sanz\n+34 699 12 34 56\nlaura.sanz@gmail.com\n"
        "Hay ratas en el solar de la calle Huertas",
        secrets=("Laura", "Sanz", "+34 699 12 34 56", "laura.sanz@gmail.com"),
        kept=("ratas", "solar", "calle Huertas"),
        names=("Laura Sanz Ortega",),
    ),
    Sample(
        "buenas, el contenedor amarillo de la pl. del ayuntamiento esta roto. soy la del "
        "2ºB, Isabel. Si necesitan algo: isabel1985@gmail.com / 644 555 666",
        secrets=("Isabel", "isabel1985@gmail.com", "644 555 666"),
        kept=("contenedor amarillo", "pl. del ayuntamiento", "roto"),
        names=("Isabel Moreno Vega",),
    ),
    Sample(
        "mi NIE es Y1234567X, trabajo de cuidadora y necesito el certificado de "
        "empadronamiento para el 20/04/2026",
        secrets=("Y1234567X",),
        kept=("certificado de empadronamiento", "20/04/2026", "cuidadora"),
    ),
    Sample(
        "Cuenta para la devolución de la tasa de 35 euros: ES79 2100 0813 6101 2345 6789. "
        "Titular: Javier Ortiz",
        secrets=("ES79 2100 0813 6101 2345 6789", "Javier", "Ortiz"),
        kept=("devolución de la tasa", "35 euros"),
        names=("Javier Ortiz Blanco",),
    ),
    Sample(
        "me han cobrado dos veces la tasa, tarjeta 5500000000000004, caducidad 12/27",
        secrets=("5500000000000004",),
        kept=("cobrado dos veces", "12/27"),
    ),
    Sample(
        "DNI: 1234567-L, soy jubilado y la acera de la calle San Roque 4 está levantada",
        secrets=("1234567-L", "Roque 4"),
        kept=("acera", "calle San Roque", "jubilado", "levantada"),
    ),
    Sample(
        "mi matricula es 9012GHF y me han puesto una multa en zona azul injustamente "
        "el 15/03/2026 a las 10:15",
        secrets=("9012GHF",),
        kept=("multa", "zona azul", "15/03/2026", "a las 10:15"),
    ),
    Sample(
        "buenas soy maria jose garcia, el camion de la basura no pasa por la calle Pez "
        "desde el lunes",
        secrets=("maria", "jose", "garcia"),
        kept=("camion de la basura", "calle Pez", "lunes"),
        names=("María José García López",),
    ),
    Sample(
        "La luz de la farola parpadea toda la noche. Un saludo, Luz Blanco",
        secrets=("Luz Blanco",),
        kept=("La luz de la farola", "parpadea"),
        names=("Luz Blanco Rosa",),
    ),
    Sample(
        "La furgoneta M-1234-AB está encima de la acera en Plaça Catalunya 8 desde ayer, "
        "y el coche B 5678 XY también",
        secrets=("M-1234-AB", "B 5678 XY", "Catalunya 8"),
        kept=("furgoneta", "acera", "Plaça Catalunya"),
    ),
    Sample(
        "x-1234567-l es mi nie, necesito cita para el padron. movil (+34) 600 11 12 22 "
        "o fijo 93.123.45.67",
        secrets=("x-1234567-l", "(+34) 600 11 12 22", "93.123.45.67"),
        kept=("cita para el padron",),
    ),
    Sample(
        "pago con tarjeta 4111 1111 1111 1111 no funciona en la web del ayuntamiento "
        "para pagar la multa de 90 €",
        secrets=("4111 1111 1111 1111",),
        kept=("multa de 90 €", "web del ayuntamiento"),
    ),
    Sample(
        "Hola, me llamo Iker. La farola nº 23 de la calle Olmo no funciona desde el 2026-03-01",
        secrets=("Iker",),
        kept=("farola nº 23", "calle Olmo", "2026-03-01"),
    ),
    Sample(
        "URGENTE!!! SOY ANA RUIZ TORRES Y HAY UN ESCAPE DE AGUA EN LA CALLE ALCALA 45 "
        "3ºIZQ. TLF 655443322",
        secrets=("ANA", "RUIZ", "TORRES", "ALCALA 45", "655443322"),
        kept=("ESCAPE DE AGUA", "CALLE ALCALA"),
    ),
    # --- Catalan ---------------------------------------------------------------------
    Sample(
        "Bon dia, em dic Jordi Puig i Ferrer, visc al carrer de la Pau 12, 3r 2a. Hi ha un "
        "arbre caigut a la vorera. El meu mòbil és 654 32 10 98",
        secrets=("Jordi", "Puig", "Ferrer", "Pau 12", "3r 2a", "654 32 10 98"),
        kept=("arbre caigut", "carrer de la Pau", "vorera"),
    ),
    Sample(
        "Hola! Sóc la Marta Vidal, veïna del passeig de Gràcia 45 4t 1a. Els veïns del 3r "
        "fan soroll cada nit fins les 3h. Telèfon 93 123 45 67",
        secrets=("Marta", "Vidal", "Gràcia 45", "4t 1a", "93 123 45 67"),
        kept=("passeig de Gràcia", "soroll", "veïns del 3r"),
    ),
    Sample(
        "bon dia, sóc en Pere, el meu DNI és 87654321X i el telèfon 678 90 12 34. A "
        "l'avinguda Meridiana 250 hi ha un forat a la calçada de fa 2 setmanes",
        secrets=("Pere", "87654321X", "678 90 12 34", "Meridiana 250"),
        kept=("forat", "calçada", "avinguda Meridiana", "2 setmanes"),
    ),
    Sample(
        "hola em dic nuria sole i visc a la travessera de les corts 120 5e 2a, al costat "
        "hi ha una fuita d'aigua, truqueu-me al 679112233",
        secrets=("nuria", "sole", "corts 120", "5e 2a", "679112233"),
        kept=("fuita d'aigua", "travessera de les corts"),
    ),
    Sample(
        "Bona tarda, el contenidor de vidre de la plaça de la Vila fa olor. Sóc Montserrat "
        "Rovira, NIE Z1234567R, correu montse.rovira@xtec.cat",
        secrets=("Montserrat", "Rovira", "Z1234567R", "montse.rovira@xtec.cat"),
        kept=("contenidor de vidre", "plaça de la Vila", "fa olor"),
    ),
    Sample(
        "la moto 4567 FGH esta aparcada sobre la vorera del c. Major 22 cada dia, "
        "si cal truqueu al 972 11 22 33",
        secrets=("4567 FGH", "Major 22", "972 11 22 33"),
        kept=("moto", "vorera", "c. Major"),
    ),
    Sample(
        "Salutacions. Per la devolució de la taxa el meu compte és "
        "ES7921000813610123456789. Atentament, Xavier Soler",
        secrets=("ES7921000813610123456789", "Xavier", "Soler"),
        kept=("devolució de la taxa",),
        names=("Xavier Soler Pons",),
    ),
    # --- English ---------------------------------------------------------------------
    Sample(
        "Hi, my name is John Smith, I live at Calle Sol 5, 2º B. There is a broken street "
        "light since 10/03/2026. Call me on +44 7700 900123",
        secrets=("John", "Smith", "Sol 5", "2º B", "+44 7700 900123"),
        kept=("broken street light", "Calle Sol", "10/03/2026"),
    ),
    Sample(
        "Hello, this is Sarah O'Connor. The bins on Carrer Major 22 were not collected on "
        "05/03/2026. My number is 0044 20 7946 0958 and email sarah.oconnor@example.co.uk",
        secrets=("Sarah", "Connor", "Major 22", "0044 20 7946 0958", "sarah.oconnor@example.co.uk"),
        kept=("bins", "Carrer Major", "not collected", "05/03/2026"),
    ),
    Sample(
        "I'm Mohammed Al-Rashid, living in Calle Luna 9. The street cleaning truck is too "
        "loud at 05:30 every day. Phone: +34 688 77 66 55",
        secrets=("Mohammed", "Rashid", "Luna 9", "+34 688 77 66 55"),
        kept=("street cleaning truck", "05:30", "Calle Luna"),
    ),
    Sample(
        "My NIE is Z1234567R and my mobile is 07700 900123 (UK). Could you tell me about "
        "case 2026-000123? Bank: GB29 NWBK 6016 1331 9268 19",
        secrets=("Z1234567R", "07700 900123", "GB29 NWBK 6016 1331 9268 19"),
        kept=("2026-000123", "Could you tell me"),
    ),
]

MESSAGES: list[tuple[str, list[str]]] = [(s.text, list(s.secrets)) for s in SAMPLES]
