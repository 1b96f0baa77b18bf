"""A corpus of resident messages annotated with the personal data they carry.

Written by hand for issue 15 (names leaking into the public record), before the name
redaction was built, to measure it: :mod:`ventanilla.privacy.tests.scoring` computes the
precision and recall of :func:`~ventanilla.privacy.redaction.redact` per kind of data, and
``bench/redaction.py`` prints the table.

Every message is invented. Names are frequent names (Spanish, Catalan, foreign), streets
are real street names of Spanish towns, numbers are made up: identity numbers were
computed with python-stdnum's check digits or are deliberately wrong, IBANs and cards are
published test numbers. None belongs to anyone.

Each :class:`Message` lists, per kind, the exact text of each piece of personal data it
carries (``data``) and of the words that must survive (``keep``): street names, places
named after people or saints, brands, the council's own departments. A name is written as
it appears ("la señora Pilar" carries the name "Pilar"); a house address as the street and
its number ("Mayor 12"), of which only the number, floor and door are personal data.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Kind(StrEnum):
    """The kinds of personal data annotated in the corpus."""

    NAME = "name"
    DOCUMENT = "document"
    PHONE = "phone"
    EMAIL = "email"
    BANK = "bank"
    CARD = "card"
    PLATE = "plate"
    ADDRESS = "address"
    PROFILE = "profile"


class Keep(StrEnum):
    """The kinds of words annotated as having to survive."""

    STREET = "street"
    PLACE = "place"
    BRAND = "brand"
    DEPARTMENT = "department"


@dataclass(frozen=True)
class Message:
    """One resident message, its language, its personal data and what must survive."""

    language: str
    text: str
    data: tuple[tuple[Kind, str], ...]
    keep: tuple[tuple[Keep, str], ...]


def _message(language: str, text: str, **annotations: str) -> Message:
    """Return a message; each annotation is a kind and its texts joined by "|"."""
    data: list[tuple[Kind, str]] = []
    keep: list[tuple[Keep, str]] = []
    for key, joined in annotations.items():
        for value in joined.split("|"):
            if key in Kind.__members__.values():
                data.append((Kind(key), value))
            else:
                keep.append((Keep(key), value))
    return Message(language, text, tuple(data), tuple(keep))


def es(text: str, **annotations: str) -> Message:
    return _message("es", text, **annotations)


def ca(text: str, **annotations: str) -> Message:
    return _message("ca", text, **annotations)


def en(text: str, **annotations: str) -> Message:
    return _message("en", text, **annotations)


# The council's own department and category names, passed to redact() as words to keep.
COUNCIL_WORDS: frozenset[str] = frozenset(
    {
        "Servicio de Limpieza",
        "Limpieza Viaria",
        "Parques y Jardines",
        "Parcs i Jardins",
        "Policía Local",
        "Guardia Urbana",
        "Medio Ambiente",
        "Medi Ambient",
        "Urbanismo",
        "Servicios Sociales",
        "Serveis Socials",
        "Oficina de Atención Ciudadana",
        "Oficina d'Atenció Ciutadana",
        "Movilidad",
        "Mobilitat",
        "Vía Pública",
        "Via Pública",
        "Alumbrado Público",
        "Enllumenat Públic",
        "Punto Violeta",
        "Punt Lila",
        "Centro Cívico Clara Campoamor",
        "Casal Cívic Teresa Pàmies",
        "Biblioteca Josep Pla",
        "Padrón",
        "Padró",
        "Tributos",
        "Cementerio",
        "Consumo",
        "Bienestar Animal",
        "Benestar Animal",
    }
)

SPANISH: list[Message] = [
    es(
        "Buenas, mi vecino Antonio Ruiz deja la basura en el portal todas las noches, ya se lo "
        "hemos dicho en la comunidad",
        name="Antonio Ruiz",
    ),
    es(
        "la vecina del 3º, la señora Pilar, tiene un perro que ladra todo el día",
        name="Pilar",
    ),
    es(
        "El dueño del bar de la esquina, un tal Paco, saca las mesas hasta la calzada en la "
        "calle Doctor Fleming",
        name="Paco",
        street="calle Doctor Fleming",
    ),
    es(
        "Hola, soy Marisa Gómez Herrera, vivo en calle Mayor 12 2ºA y la farola de enfrente "
        "no funciona",
        name="Marisa Gómez Herrera",
        address="Mayor 12 2ºA",
        street="calle Mayor",
    ),
    es(
        "Quiero quejarme del ruido del bar La Parada en Mayor 12 2ºA, donde vive mi madre, "
        "Carmen Lozano",
        name="Carmen Lozano",
        address="Mayor 12 2ºA",
    ),
    es(
        "en la avenida Juan Carlos I hay un socavón enorme frente al Mercadona",
        street="avenida Juan Carlos I",
        brand="Mercadona",
    ),
    es(
        "Los contenedores de la plaza de San Juan llevan una semana sin vaciarse",
        street="plaza de San Juan",
    ),
    es(
        "mi vecino juan lleva meses con obras sin licencia, el piso es el 4ºB del número 23",
        name="juan",
    ),
    es(
        "Mi casero, don Ernesto Villalba, no arregla la bajante y el agua cae a la acera de la "
        "calle Cervantes",
        name="Ernesto Villalba",
        street="calle Cervantes",
    ),
    es(
        "Denuncio que el coche 4521 KLM lleva un mes abandonado en la calle Ramón y Cajal",
        plate="4521 KLM",
        street="calle Ramón y Cajal",
    ),
    es(
        "Sra. Martínez del 1º me ha pedido que avise: el ascensor público de la estación está roto",
        name="Martínez",
    ),
    es(
        "Mi hijo Sergio se cayó en el parque por un columpio roto, tlf 654 32 10 98",
        name="Sergio",
        phone="654 32 10 98",
    ),
    es(
        "hay una rata muerta en la calle Antonio Machado junto al colegio, avisad a Medio Ambiente",
        street="calle Antonio Machado",
        department="Medio Ambiente",
    ),
    es(
        "El encargado del Dia de la calle Toledo, Rubén, descarga los camiones en el paso de "
        "peatones",
        name="Rubén",
        street="calle Toledo",
        brand="Dia",
    ),
    es(
        "Mi DNI es 53107488 sin letra porque no me acuerdo, quiero el certificado de "
        "empadronamiento",
        document="53107488",
    ),
    es(
        "Mi suegra, Dolores Castaño Pérez, no puede salir de casa porque la rampa del portal "
        "está rota",
        name="Dolores Castaño Pérez",
    ),
    es(
        "Escribidme a nombre.soler(at)example(dot)com para cualquier cosa del expediente",
        email="nombre.soler(at)example(dot)com",
    ),
    es(
        "El perro del vecino de arriba, José Manuel, hace sus necesidades en la escalera",
        name="José Manuel",
    ),
    es(
        "Buenas tardes, escribo por mi padre Francisco Javier Ortega Sanz, que no puede "
        "acercarse a la oficina. Su teléfono es 958 22 41 17",
        name="Francisco Javier Ortega Sanz",
        phone="958 22 41 17",
    ),
    es(
        "El furgón 7812 GHT aparca cada día en el carril bici de la calle Alcalá",
        plate="7812 GHT",
        street="calle Alcalá",
    ),
    es(
        "Hay pintadas en el muro del instituto Miguel Servet, y en la calle Miguel Servet también",
        place="instituto Miguel Servet",
        street="calle Miguel Servet",
    ),
    es(
        "vivo en el 15 de la calle Goya, 3º izquierda, y el portal no cierra",
        address="15|3º izquierda",
        street="calle Goya",
    ),
    es(
        "Mi madre Encarnación Morales tiene 90 años y necesita ayuda a domicilio, llamad al "
        "611 20 30 40 preguntando por mí, Rocío",
        name="Encarnación Morales|Rocío",
        phone="611 20 30 40",
    ),
    es(
        "En la calle Pablo Iglesias hay una fuga de agua desde ayer",
        street="calle Pablo Iglesias",
    ),
    es(
        "la chica de la frutería, Yolanda, dice que el camión de la basura pasa a las 4 de la "
        "mañana y no deja dormir",
        name="Yolanda",
    ),
    es(
        "quiero denunciar al propietario del local, el señor Bermúdez, que tiene el toldo "
        "sin licencia",
        name="Bermúdez",
    ),
    es(
        "Me han multado estando bien aparcada, matrícula 2290 LDF, adjunto foto. Ana Belén "
        "Prieto, DNI 48211733Q",
        plate="2290 LDF",
        name="Ana Belén Prieto",
        document="48211733Q",
    ),
    es(
        "mi vecina de enfrente, la Conchi, echa agua con lejía a los gatos del parque",
        name="Conchi",
    ),
    es(
        "Hola!! os escribo de parte de mi abuela, Remedios Sáez, que vive sola en la calle "
        "Santa Engracia y no tiene quien le suba la compra",
        name="Remedios Sáez",
        street="calle Santa Engracia",
    ),
    es(
        "Las máquinas de Bicing de la plaza del Ayuntamiento no funcionan",
        brand="Bicing",
    ),
    es(
        "El repartidor de Glovo se sube a la acera con la moto en la calle Fernando el Católico",
        brand="Glovo",
        street="calle Fernando el Católico",
    ),
    es(
        "Buenas, el señor que vive en el bajo, Manuel Domínguez, ha cerrado el paso del patio "
        "con una valla",
        name="Manuel Domínguez",
    ),
    es(
        "mi hermano Iván y yo queremos apuntarnos a las actividades del Centro Cívico Clara "
        "Campoamor, mi móvil es 622 81 90 33",
        name="Iván",
        phone="622 81 90 33",
        department="Centro Cívico Clara Campoamor",
    ),
    es(
        "Sigo esperando respuesta a mi queja. Atentamente, Luis Miguel Cabrera",
        name="Luis Miguel Cabrera",
    ),
    es(
        "El vecino del 2ºC (Julián Herrero) tiene la terraza llena de trastos que se pueden "
        "caer a la calle",
        name="Julián Herrero",
    ),
    es(
        "En el parque Juan Carlos I hay jeringuillas al lado de la zona infantil",
        place="parque Juan Carlos I",
    ),
    es(
        "la peluquería de Mari Carmen tiene la salida de humos a la altura de las ventanas",
        name="Mari Carmen",
    ),
    es(
        "Necesito cita con Servicios Sociales para mi tío Anselmo, que está en silla de ruedas",
        name="Anselmo",
        department="Servicios Sociales",
    ),
    es(
        "me ha escrito una tal Vanessa Ríos diciendo que es del ayuntamiento y me pide el IBAN, "
        "¿es verdad?",
        name="Vanessa Ríos",
    ),
    es(
        "Quiero domiciliar el IBI en la cuenta ES76 0049 1500 0512 3456 7892, titular Agustín "
        "Peña Rubio",
        bank="ES76 0049 1500 0512 3456 7892",
        name="Agustín Peña Rubio",
    ),
    es(
        "A la altura de Alcalá 210 hay un árbol caído, lo he visto al salir de casa",
        street="Alcalá",
    ),
    es(
        "El bar de Manolo, en la plaza de Santa Ana, pone la música altísima los viernes",
        name="Manolo",
        street="plaza de Santa Ana",
    ),
    es(
        "mi mujer Begoña se tropezó con una baldosa suelta en la avenida de Blasco Ibáñez",
        name="Begoña",
        street="avenida de Blasco Ibáñez",
    ),
    es(
        "El taxista, un señor mayor llamado Eusebio, me dijo que el semáforo lleva roto un mes",
        name="Eusebio",
    ),
    es(
        "me podéis contestar al whatsapp 699 123 456 o al correo lucia_fdez87@hotmail.com. "
        "Gracias, Lucía",
        phone="699 123 456",
        email="lucia_fdez87@hotmail.com",
        name="Lucía",
    ),
    es(
        "En la calle Isaac Peral la acera está levantada por las raíces, casi se cae mi "
        "vecina Amparo",
        street="calle Isaac Peral",
        name="Amparo",
    ),
    es(
        "Los okupas del 5º, que dicen llamarse Kevin y Jonathan, han pinchado la luz de la "
        "escalera",
        name="Kevin|Jonathan",
    ),
    es(
        "mi cuñado, Fernando Aguilar, tiene un taller en la calle Marqués de Urquijo y los "
        "clientes aparcan en doble fila",
        name="Fernando Aguilar",
        street="calle Marqués de Urquijo",
    ),
    es(
        "Se ha ido la luz en toda la calle General Ricardos, avisad a Alumbrado Público",
        street="calle General Ricardos",
        department="Alumbrado Público",
    ),
    es(
        "Sr. alcalde: la fuente de la plaza de San Bernardo no tiene agua desde julio",
        street="plaza de San Bernardo",
    ),
    es(
        "Dña. Mercedes Ibáñez Soto, con DNI 07583264F, solicita la baja del padrón de su "
        "difunto marido D. Rafael Campos",
        name="Mercedes Ibáñez Soto|Rafael Campos",
        document="07583264F",
    ),
    es(
        "han dejado un Mercedes negro con matrícula 6604 JBS encima del paso de cebra",
        brand="Mercedes",
        plate="6604 JBS",
    ),
    es(
        "la administradora de la finca, Susana Gallardo, dice que la grieta es cosa del "
        "ayuntamiento",
        name="Susana Gallardo",
    ),
    es(
        "En el colegio Federico García Lorca no funciona la calefacción y los niños pasan frío",
        place="colegio Federico García Lorca",
    ),
    es(
        "Mi padre, Joaquín, vive en el número 8 de la calle Velázquez y no puede bajar las "
        "escaleras",
        name="Joaquín",
        address="8",
        street="calle Velázquez",
    ),
    es(
        "los de la casa de apuestas de la calle Bravo Murillo dejan a la gente fumando en la "
        "puerta",
        street="calle Bravo Murillo",
    ),
    es(
        "me llamo yeferson y tengo una pregunta sobre el empadronamiento, no tengo contrato de "
        "alquiler",
        name="yeferson",
    ),
    es(
        "Reclamo la devolución de la tasa. Titular: Ignacio Beltrán Ferrer. IBAN "
        "ES91 2100 0418 4502 0005 1332",
        name="Ignacio Beltrán Ferrer",
        bank="ES91 2100 0418 4502 0005 1332",
    ),
    es(
        "El niño de la vecina, Hugo, dice que han robado la canasta del parque",
        name="Hugo",
    ),
    es(
        "En Velázquez 45 4ºD hay un aire acondicionado que gotea sobre la acera",
        address="Velázquez 45 4ºD",
        street="Velázquez",
    ),
    es(
        "la de la tienda de chinos, Li Na, también se queja de las ratas del solar",
        name="Li Na",
    ),
    es(
        "Gracias a Policía Local por la rapidez. Un saludo, Encarni",
        department="Policía Local",
        name="Encarni",
    ),
    es(
        "Mi teléfono es el 91 445 67 88 y me llamo Ramiro Fuentes, soy el presidente de la "
        "comunidad de calle Ibiza 7",
        phone="91 445 67 88",
        name="Ramiro Fuentes",
        address="Ibiza 7",
        street="calle Ibiza",
    ),
    es(
        "el cartero, Eduardo, dice que el buzón de Correos de la esquina está reventado",
        name="Eduardo",
        brand="Correos",
    ),
    es(
        "En la avenida Reina Victoria se ha hundido una tapa de alcantarilla",
        street="avenida Reina Victoria",
    ),
    es(
        "Mi ex, Alberto Sanz, aparca su moto 1122 CDF en mi plaza de garaje y no la quita",
        name="Alberto Sanz",
        plate="1122 CDF",
    ),
    es(
        "quiero hablar con la trabajadora social, Nuria Soler creo que se llama",
        name="Nuria Soler",
    ),
    es(
        "hay un nido de avispas en el árbol de la calle Clara Campoamor",
        street="calle Clara Campoamor",
    ),
    es(
        "Me ha atendido muy bien Gregorio en la Oficina de Atención Ciudadana, dadle las gracias",
        name="Gregorio",
        department="Oficina de Atención Ciudadana",
    ),
    es(
        "La dueña de la perra que muerde, Rosa María Cano, vive en el bajo B",
        name="Rosa María Cano",
    ),
    es(
        "Me podéis seguir en instagram.com/laura.vecinos.centro donde subo fotos de los baches",
        profile="laura.vecinos.centro",
    ),
    es(
        "El perfil @vecinos_lavapies ha publicado fotos de la suciedad, mirad",
        profile="@vecinos_lavapies",
    ),
    es(
        "Paloma, la del quiosco, dice que el banco del paseo lleva roto desde Navidad",
        name="Paloma",
    ),
    es(
        "buenos días, el contenedor del Carrefour de la avenida de América está desbordado",
        brand="Carrefour",
        street="avenida de América",
    ),
    es(
        "Soy la hija de Emilia Navarro Gil, quería saber cómo va la solicitud de ayuda. Mi "
        "correo: emi.navarro.hija@gmail.com",
        name="Emilia Navarro Gil",
        email="emi.navarro.hija@gmail.com",
    ),
    es(
        "el portero del edificio, Wilson, limpia la acera con manguera y se forma hielo",
        name="Wilson",
    ),
    es(
        "Han vuelto a romper la marquesina del bus en la calle Lope de Vega",
        street="calle Lope de Vega",
    ),
    es(
        "Mi vecino Mohamed El Amrani y yo hemos visto a unos chicos quemando contenedores",
        name="Mohamed El Amrani",
    ),
    es(
        "Por favor que alguien hable con la señora Ionescu del 1ºA, tiene el agua cortada y un "
        "bebé",
        name="Ionescu",
    ),
    es(
        "las obras de la calle Príncipe de Vergara empiezan a las 7, antes de lo permitido",
        street="calle Príncipe de Vergara",
    ),
    es(
        "Me dirijo a ustedes como vecina de Plaza Mayor 3 1ºB para quejarme de la terraza del bar",
        address="Plaza Mayor 3 1ºB",
        street="Plaza Mayor",
    ),
    es(
        "La bici de mi hija Martina, una Orbea azul, la han robado del aparcabicis del "
        "polideportivo",
        name="Martina",
    ),
    es(
        "mi amigo pedro garcía dice que han puesto una multa injusta en su calle",
        name="pedro garcía",
    ),
    es(
        "El responsable de la obra, Rigoberto, no pone vallas y los niños se meten",
        name="Rigoberto",
    ),
    es(
        "Denuncio ruidos del piso de arriba. Los inquilinos son Ion Popescu y Andreea, "
        "hacen fiestas cada noche",
        name="Ion Popescu|Andreea",
    ),
    es(
        "Mi DNI 48.211.733 y la letra no la sé, perdón. Quiero saber si tengo multas",
        document="48.211.733",
    ),
    es(
        "en la calle Emilia Pardo Bazán los coches van a 80, hace falta un badén",
        street="calle Emilia Pardo Bazán",
    ),
    es(
        "Mi nombre es Carlos Eduardo da Silva, brasileño, y necesito el certificado de convivencia",
        name="Carlos Eduardo da Silva",
    ),
    es(
        "la señora de la limpieza del portal, Fina, se ha quejado de los excrementos en la puerta",
        name="Fina",
    ),
    es(
        "El árbol de la calle Conde de Peñalver va a caerse con el viento, avisad a Parques y "
        "Jardines",
        street="calle Conde de Peñalver",
        department="Parques y Jardines",
    ),
    es(
        "Quisiera agradecer a la agente Gutiérrez su ayuda el día de la inundación",
        name="Gutiérrez",
    ),
    es(
        "vivo en Goya 24, 1ºD y tengo una gotera del piso de arriba que el dueño, Tomás "
        "Saavedra, no arregla",
        address="Goya 24, 1ºD",
        name="Tomás Saavedra",
    ),
    es(
        "hay gente durmiendo en el cajero del Santander de la calle Serrano",
        brand="Santander",
        street="calle Serrano",
    ),
    es(
        "Tengo una moto con matrícula C 4567 BKT (ciclomotor) y me la ha llevado la grúa",
        plate="C 4567 BKT",
    ),
    es(
        "Mi suegro D. Ramón Villanueva necesita la tarjeta de aparcamiento para "
        "discapacitados, adjunto informe",
        name="Ramón Villanueva",
    ),
    es(
        "Buenos días, me llamo Fatima Zahra Benali y quiero pedir una ayuda para el comedor "
        "escolar de mis hijos Yasmina y Adam",
        name="Fatima Zahra Benali|Yasmina|Adam",
    ),
    es(
        "El camión de Urbaser pasa a las 3 de la mañana por la calle Zurbano y despierta a "
        "todo el mundo",
        brand="Urbaser",
        street="calle Zurbano",
    ),
    es(
        "La calle Rosalía de Castro tiene todas las farolas apagadas",
        street="calle Rosalía de Castro",
    ),
    es(
        "Soy Elena, la del número 14, la persona que se queja del ruido se llama Óscar Medina",
        name="Elena|Óscar Medina",
    ),
    es(
        "A mi marido, Jesús, le han denegado la plaza en la residencia de la calle Santa "
        "Isabel, ¿por qué?",
        name="Jesús",
        street="calle Santa Isabel",
    ),
    es(
        "pago con la tarjeta 4111 1111 1111 1111 y da error en la web de Tributos",
        card="4111 1111 1111 1111",
        department="Tributos",
    ),
    es(
        "llamad a mi nieta, Alba, al 634 112 908, que yo no oigo bien el teléfono",
        name="Alba",
        phone="634 112 908",
    ),
    es(
        "El señor Wang, del bazar de la calle Embajadores, deja las cajas en la acera",
        name="Wang",
        street="calle Embajadores",
    ),
    es(
        "Mi vecina Toñi ha caído en el agujero de la acera de la avenida de Portugal",
        name="Toñi",
        street="avenida de Portugal",
    ),
    es(
        "En la plaza de Santo Domingo los patinetes de Lime están tirados por todas partes",
        street="plaza de Santo Domingo",
        brand="Lime",
    ),
    es(
        "Consulta: ¿la licencia de obras de la calle Joaquín Costa 17 está concedida? El "
        "promotor, Sr. Albert Casals, dice que sí",
        street="calle Joaquín Costa",
        address="Joaquín Costa 17",
        name="Albert Casals",
    ),
    es(
        "mi compañera de piso Daniela, venezolana, quiere empadronarse, ¿qué necesita?",
        name="Daniela",
    ),
    es(
        "NIE Y4829135T, solicito cita para renovar el padrón. Gracias. Oksana Kovalenko",
        document="Y4829135T",
        name="Oksana Kovalenko",
    ),
    es(
        "Los de la inmobiliaria del bajo, Inmobiliaria Castillo, ponen carteles en las farolas",
    ),
    es(
        "El vecino del 6º se llama Gonzalo y tiene una barbacoa en el balcón",
        name="Gonzalo",
    ),
    es(
        "me dirijo a ustedes porque la jueza, la señora Alarcón, me ha dicho que pida un "
        "informe de Servicios Sociales",
        name="Alarcón",
        department="Servicios Sociales",
    ),
    es(
        "Sigo sin recibir el recibo, lo tienen a nombre de mi difunta madre Asunción Garrido Lara",
        name="Asunción Garrido Lara",
    ),
    es(
        "mi teléfono 667 89 01 23, mi nombre Maricruz, me da miedo pasar por el túnel de la "
        "calle Doctor Esquerdo de noche",
        phone="667 89 01 23",
        name="Maricruz",
        street="calle Doctor Esquerdo",
    ),
    es(
        "El monitor de natación, Iker, dice que la piscina municipal pierde agua",
        name="Iker",
    ),
    es(
        "Por favor, que el Servicio de Limpieza pase por la calle Reyes Católicos, está asquerosa",
        department="Servicio de Limpieza",
        street="calle Reyes Católicos",
    ),
    es(
        "ayer un chico que se llama brayan rompió el cristal de la parada del bus",
        name="brayan",
    ),
    es(
        "El coche de mi vecino Nicolás (5543 FZB) pierde aceite y está todo el suelo manchado",
        name="Nicolás",
        plate="5543 FZB",
    ),
    es(
        "Han robado la placa de la calle Pintor Sorolla, solo queda el hueco",
        street="calle Pintor Sorolla",
    ),
    es(
        "les escribe Purificación Blanco Esteban, jubilada, que no ha recibido la carta del "
        "IBI. Mi dirección: calle del Pez 27, 2º izquierda",
        name="Purificación Blanco Esteban",
        address="Pez 27, 2º izquierda",
        street="calle del Pez",
    ),
    es(
        "El bar Casa Lucio no recoge la terraza y la acera queda intransitable",
    ),
    es(
        "En la calle Santa Teresa hay un coche quemado desde el fin de semana",
        street="calle Santa Teresa",
    ),
    es(
        "queja contra el conserje del colegio, el señor Benito Cuesta, que no abre a la hora",
        name="Benito Cuesta",
    ),
    es(
        "mi correo es pilar.m.ortiz arroba gmail punto com, no me llega la notificación",
        email="pilar.m.ortiz arroba gmail punto com",
    ),
    es(
        "Necesito que me llame Raquel de Urbanismo por lo del expediente de la terraza",
        name="Raquel",
        department="Urbanismo",
    ),
    es(
        "La tienda de Jacinto, en Embajadores 30, tiene la persiana pintada con grafitis",
        name="Jacinto",
        street="Embajadores",
    ),
    es(
        "El taller de la calle Marcelo Usera deja aceite en la alcantarilla",
        street="calle Marcelo Usera",
    ),
    es(
        "Mi pareja, Samuel Okafor, es nigeriano y necesita el volante de empadronamiento para "
        "el arraigo",
        name="Samuel Okafor",
    ),
    es(
        "buenos días, hace una semana que la farola de delante de mi casa está apagada, "
        "calle Olivo 9 bajo",
        address="Olivo 9 bajo",
        street="calle Olivo",
    ),
    es(
        "La alarma del Lidl suena toda la noche, en la avenida de la Albufera",
        brand="Lidl",
        street="avenida de la Albufera",
    ),
    es(
        "me robaron el bolso en la plaza Tirso de Molina y la Policía Local no vino",
        street="plaza Tirso de Molina",
        department="Policía Local",
    ),
    es(
        "Mis hijos, Lucas y Valeria Montero, tienen plaza en la escuela infantil pero no les "
        "llega la confirmación",
        name="Lucas|Valeria Montero",
    ),
    es(
        "Atención: la señora Jacinta (la del perro) alimenta a las palomas y está todo sucio",
        name="Jacinta",
    ),
    es(
        "El teléfono de contacto es el de mi marido, 600 45 67 12 (Emilio)",
        phone="600 45 67 12",
        name="Emilio",
    ),
    es(
        "En la calle San Vicente Ferrer hay una zanja sin señalizar",
        street="calle San Vicente Ferrer",
    ),
    es(
        "Quiero poner una queja contra el policía con placa 4512 que me trató mal",
    ),
    es(
        "Mi vecino, el del quinto, Chema, toca la batería hasta las 12 de la noche",
        name="Chema",
    ),
    es(
        "La parada de Atocha está inundada, ojo con la gente mayor",
    ),
    es(
        "tengo 82 años y me llamo Anastasio Pérez Luengo. Vivo solo en la calle Alfonso XII y "
        "no puedo bajar la basura",
        name="Anastasio Pérez Luengo",
        street="calle Alfonso XII",
    ),
    es(
        "Contactad con mi hija Beatriz: bea.lopez.m@yahoo.es o 677 334 455",
        name="Beatriz",
        email="bea.lopez.m@yahoo.es",
        phone="677 334 455",
    ),
    es(
        "En la calle Dolores Ibárruri hay un bache que ha roto dos ruedas",
        street="calle Dolores Ibárruri",
    ),
    es(
        "Han puesto una terraza en la plaza del Dos de Mayo sin dejar paso. El dueño, Sr. "
        "Quintana, se ríe de los vecinos",
        name="Quintana",
    ),
    es(
        "La señora que pide en la puerta del Eroski se llama Florica y duerme en el parque, "
        "necesita ayuda",
        name="Florica",
        brand="Eroski",
    ),
    es(
        "buenas noches, en la calle Juan Bravo el semáforo de peatones está siempre en rojo",
        street="calle Juan Bravo",
    ),
    es(
        "Sugiero poner un banco en la plaza de Cristino Martos, la gente mayor no tiene dónde "
        "sentarse",
        street="plaza de Cristino Martos",
    ),
    es(
        "Mi número es 45678912, me lo pedisteis para la cita del padrón",
        document="45678912",
    ),
    es(
        "El vecino Adrián Muñoz Sevilla del 3ºB tira colillas por la ventana",
        name="Adrián Muñoz Sevilla",
    ),
]

CATALAN: list[Message] = [
    ca(
        "Bon dia, la veïna del segon, la senyora Montserrat Puig, deixa les escombraries al replà",
        name="Montserrat Puig",
    ),
    ca(
        "Al carrer de Pau Claris hi ha un forat a la vorera des de fa una setmana",
        street="carrer de Pau Claris",
    ),
    ca(
        "el meu veí en Jordi té el gos lladrant tot el dia al balcó",
        name="Jordi",
    ),
    ca(
        "Hola, sóc la Núria Vilaró i visc al carrer Gran de Gràcia 112 3r 2a, la porta del "
        "pàrquing no tanca",
        name="Núria Vilaró",
        address="Gran de Gràcia 112 3r 2a",
        street="carrer Gran de Gràcia",
    ),
    ca(
        "La plaça de Sant Jaume està plena de brossa després del concert",
        street="plaça de Sant Jaume",
    ),
    ca(
        "El propietari del bar, el Sr. Josep Maria Ferrer, treu les taules fins a la calçada",
        name="Josep Maria Ferrer",
    ),
    ca(
        "La meva mare, la Roser, té 85 anys i no pot pujar les escales del CAP",
        name="Roser",
    ),
    ca(
        "Hi ha un cotxe abandonat, matrícula 3345 HJK, al passeig de Lluís Companys",
        plate="3345 HJK",
        street="passeig de Lluís Companys",
    ),
    ca(
        "la Marta del tercer diu que l'ascensor del metro de Verdaguer no funciona",
        name="Marta",
    ),
    ca(
        "Al carrer de Balmes els semàfors no estan sincronitzats",
        street="carrer de Balmes",
    ),
    ca(
        "Vull queixar-me del soroll del local de sota. L'amo és en Quim Bosch, i ja l'hem avisat",
        name="Quim Bosch",
    ),
    ca(
        "el meu fill Pol es va fer mal al parc infantil de la plaça de la Vila, el tobogan és "
        "trencat",
        name="Pol",
        street="plaça de la Vila",
    ),
    ca(
        "Avinguda de Josep Tarradellas amb Numància: contenidors plens",
        street="Avinguda de Josep Tarradellas",
    ),
    ca(
        "Sóc en Pere Casals Roig, DNI 39876543Z, i demano el certificat d'empadronament",
        name="Pere Casals Roig",
        document="39876543Z",
    ),
    ca(
        "La senyora Mercè, la de la fleca, diu que els camions de càrrega bloquegen el carrer "
        "de Sant Antoni",
        name="Mercè",
        street="carrer de Sant Antoni",
    ),
    ca(
        "la veïna de dalt, l'Anna, rega les plantes i l'aigua cau al meu balcó",
        name="Anna",
    ),
    ca(
        "Bona tarda, us escric per la meva àvia, Assumpta Riera i Coll, que viu sola al carrer "
        "de Santa Anna",
        name="Assumpta Riera i Coll",
        street="carrer de Santa Anna",
    ),
    ca(
        "El meu telèfon és el 93 217 45 60 i el mòbil 678 90 12 34",
        phone="93 217 45 60|678 90 12 34",
    ),
    ca(
        "Visc a Aragó 215 4t 1a i la claveguera fa pudor",
        address="Aragó 215 4t 1a",
        street="Aragó",
    ),
    ca(
        "Al carrer de Verdi hi ha una fuita d'aigua, avisin Parcs i Jardins perquè hi ha un "
        "arbre afectat",
        street="carrer de Verdi",
        department="Parcs i Jardins",
    ),
    ca(
        "L'encarregat de l'obra, en Xavi Soler, diu que tenen permís per treballar de nit",
        name="Xavi Soler",
    ),
    ca(
        "A la plaça de Francesc Macià hi ha un semàfor espatllat",
        street="plaça de Francesc Macià",
    ),
    ca(
        "La Guardia Urbana no ve mai quan truquem pel soroll de la discoteca del carrer Tuset",
        department="Guardia Urbana",
        street="carrer Tuset",
    ),
    ca(
        "la llogatera del primer, una noia que es diu Laia, té problemes amb el propietari",
        name="Laia",
    ),
    ca(
        "Correu: jordi.pujol.vila(arroba)gmail(punt)com. Espero resposta",
        email="jordi.pujol.vila(arroba)gmail(punt)com",
    ),
    ca(
        "el meu marit, l'Enric, va caure per culpa de la rajola solta del carrer de Provença",
        name="Enric",
        street="carrer de Provença",
    ),
    ca(
        "Truqueu-me al 645 778 899, sóc la Carme",
        phone="645 778 899",
        name="Carme",
    ),
    ca(
        "La Biblioteca Josep Pla tanca massa d'hora, voldríem que obrís els dissabtes",
        department="Biblioteca Josep Pla",
    ),
    ca(
        "Al carrer de Ramon Turró hi ha grafits a totes les persianes",
        street="carrer de Ramon Turró",
    ),
    ca(
        "La senyora Puigdevall del 1r 2a té l'aigua tallada des d'ahir",
        name="Puigdevall",
    ),
    ca(
        "Bon dia, em dic Oriol Camps Vidal i sóc el president de l'escala del carrer del "
        "Consell de Cent 340",
        name="Oriol Camps Vidal",
        address="Consell de Cent 340",
        street="carrer del Consell de Cent",
    ),
    ca(
        "El gos del veí, en Toni, embruta tota la vorera del passeig de Sant Joan",
        name="Toni",
        street="passeig de Sant Joan",
    ),
    ca(
        "La parada de bus de la Travessera de Gràcia no té marquesina",
        street="Travessera de Gràcia",
    ),
    ca(
        "Vull domiciliar els rebuts al compte ES21 1465 0100 72 2030876293, titular Maria "
        "Dolors Pons",
        bank="ES21 1465 0100 72 2030876293",
        name="Maria Dolors Pons",
    ),
    ca(
        "La cuidadora del meu pare, la Fatou, diu que la rampa del CAP està trencada",
        name="Fatou",
    ),
    ca(
        "els veïns del 4t, la Gemma i en Marc Torrents, fan festes cada cap de setmana",
        name="Gemma|Marc Torrents",
    ),
    ca(
        "Al Casal Cívic Teresa Pàmies no funciona la calefacció",
        department="Casal Cívic Teresa Pàmies",
    ),
    ca(
        "el fill de la Montse, l'Arnau, diu que hi ha xeringues al parc",
        name="Montse|Arnau",
    ),
    ca(
        "Hi ha una furgoneta 8871 BBN aparcada al pas de vianants del carrer de Sants",
        plate="8871 BBN",
        street="carrer de Sants",
    ),
    ca(
        "Salutacions, Meritxell Sabaté",
        name="Meritxell Sabaté",
    ),
    ca(
        "el conserge de l'escola, el senyor Ramon, diu que el pati s'inunda quan plou",
        name="Ramon",
    ),
    ca(
        "la meva germana Txell Bonet necessita una cita amb Serveis Socials",
        name="Txell Bonet",
        department="Serveis Socials",
    ),
    ca(
        "Al carrer de Francesc Macià, davant del Bonpreu, hi ha un clot",
        street="carrer de Francesc Macià",
        brand="Bonpreu",
    ),
    ca(
        "A l'avinguda Diagonal 401 5è 2a hi ha una filtració que cau a la vorera",
        address="Diagonal 401 5è 2a",
        street="avinguda Diagonal",
    ),
    ca(
        "la propietària del pis, na Francesca Mir, no vol arreglar la caldera",
        name="Francesca Mir",
    ),
    ca(
        "Els de l'Ajuntament van dir que vindrien a podar els arbres de la plaça de Sant Felip "
        "Neri",
        street="plaça de Sant Felip Neri",
    ),
    ca(
        "la meva filla Júlia i jo hem vist com un home robava una bici del Bicing",
        name="Júlia",
        brand="Bicing",
    ),
    ca(
        "Voldria saber si el meu NIE X7654321H ja està al padró",
        document="X7654321H",
    ),
    ca(
        "en Biel, el nen del veí, es va tallar amb un vidre del parc de la Ciutadella",
        name="Biel",
    ),
    ca(
        "El meu instagram és instagram.com/joanet_bcn per si voleu veure les fotos",
        profile="joanet_bcn",
    ),
    ca(
        "Salut! A Sant Andreu, al carrer Gran de Sant Andreu, hi ha molt soroll de motos",
        street="carrer Gran de Sant Andreu",
    ),
    ca(
        "La senyora Rosa, la del quiosc, també s'ha queixat de les rates",
        name="Rosa",
    ),
    ca(
        "Sóc la Cristina, del 2n 1a de Còrsega 290, i tinc humitats",
        name="Cristina",
        address="Còrsega 290",
    ),
    ca(
        "Al carrer d'Aribau davant del número 90 el clavegueram fa pudor",
        street="carrer d'Aribau",
    ),
    ca(
        "el meu cosí, David Roca, ha rebut una multa d'un radar que no existeix",
        name="David Roca",
    ),
    ca(
        "La Guardia Urbana es va emportar el cotxe de la meva dona, l'Eulàlia, matrícula 0918 KCJ",
        department="Guardia Urbana",
        name="Eulàlia",
        plate="0918 KCJ",
    ),
    ca(
        "Bon dia, hi ha un arbre caigut al carrer de Joan Güell",
        street="carrer de Joan Güell",
    ),
    ca(
        "L'amo del gos que mossega es diu Pau Gispert i viu al carrer de Sant Pere Més Alt",
        name="Pau Gispert",
        street="carrer de Sant Pere Més Alt",
    ),
    ca(
        "l'administrador de la finca, el senyor Canals, no contesta mai",
        name="Canals",
    ),
    ca(
        "A l'escola Joan Miró hi ha goteres a l'aula de música",
        place="escola Joan Miró",
    ),
    ca(
        "El pare de la Clara, en Lluís, va caure al forat del carrer de Mallorca",
        name="Clara|Lluís",
        street="carrer de Mallorca",
    ),
    ca(
        "Volem un pas de vianants al carrer de Rosselló amb Girona",
        street="carrer de Rosselló",
    ),
    ca(
        "Em dic Aleix Planas i el meu correu és aleix.planas@xtec.cat",
        name="Aleix Planas",
        email="aleix.planas@xtec.cat",
    ),
    ca(
        "La senyora Dolors del 5è ens ha dit que el terrat té una esquerda",
        name="Dolors",
    ),
    ca(
        "el veí de baix, un tal Sergi, fuma a l'escala i fa pudor",
        name="Sergi",
    ),
    ca(
        "Hi ha una tanca caiguda al passeig de Gràcia, davant del Zara",
        street="passeig de Gràcia",
        brand="Zara",
    ),
    ca(
        "Sóc la Neus, la del forn, i us escric per les obres del carrer de Pere IV",
        name="Neus",
        street="carrer de Pere IV",
    ),
    ca(
        "La meva sogra, Engràcia Tarrés, viu a Sardenya 215 1r 1a i no té ascensor",
        name="Engràcia Tarrés",
        address="Sardenya 215 1r 1a",
        street="Sardenya",
    ),
    ca(
        "El senyor Ahmed, de la botiga de queviures, diu que li han trencat el vidre",
        name="Ahmed",
    ),
    ca(
        "A la rambla de Catalunya les terrasses no deixen passar els cotxets",
        street="rambla de Catalunya",
    ),
    ca(
        "Us adjunto la foto. El cotxe és un Seat blanc, 2203 GTR",
        brand="Seat",
        plate="2203 GTR",
    ),
    ca(
        "la meva neboda Aina Esteve s'ha empadronat a casa i no li surt al padró",
        name="Aina Esteve",
    ),
    ca(
        "Gràcies per arreglar la font del parc de Joan Reventós! Marina",
        place="parc de Joan Reventós",
        name="Marina",
    ),
    ca(
        "el meu número és 664 12 98 77, pregunteu per la Mireia",
        phone="664 12 98 77",
        name="Mireia",
    ),
    ca(
        "La companyia Naturgy va obrir una rasa al carrer de Còrsega i no l'ha tapat",
        brand="Naturgy",
        street="carrer de Còrsega",
    ),
    ca(
        "la meva veïna, l'Olga Ivanova, no parla català ni castellà i necessita ajuda amb el padró",
        name="Olga Ivanova",
    ),
    ca(
        "El contenidor de vidre de la plaça de Sant Miquel està trencat",
        street="plaça de Sant Miquel",
    ),
    ca(
        "Em van posar una multa però el cotxe 7765 DRT no és meu, és del meu germà Ferran",
        plate="7765 DRT",
        name="Ferran",
    ),
    ca(
        "Bon dia, sóc en Guillem Serrat, del carrer de Verdaguer i Callís, i la vorera és "
        "plena de caques de gos",
        name="Guillem Serrat",
        street="carrer de Verdaguer i Callís",
    ),
    ca(
        "La dona de la neteja, la Yolanda, diu que l'escala fa olor de gas",
        name="Yolanda",
    ),
    ca(
        "Avui la Mobilitat ha pintat malament el carril bus a l'avinguda de Madrid",
        department="Mobilitat",
        street="avinguda de Madrid",
    ),
    ca(
        "El meu veí Wei Zhang té el restaurant i deixa l'oli al contenidor orgànic",
        name="Wei Zhang",
    ),
    ca(
        "la mestra de la meva filla, la senyora Casademunt, diu que el pati és perillós",
        name="Casademunt",
    ),
    ca(
        "Visc al número 6 del carrer de l'Hospital i hi ha rates",
        address="6",
        street="carrer de l'Hospital",
    ),
    ca(
        "Sol·licito que el Punt Lila estigui a la festa major del barri",
        department="Punt Lila",
    ),
    ca(
        "El noi que viu al principal, en Marcel, ha penjat una pancarta que tapa el senyal",
        name="Marcel",
    ),
    ca(
        "El DNI del meu avi és 37654321 i el nom Joan Batlle, per si us cal per a la "
        "teleassistència",
        document="37654321",
        name="Joan Batlle",
    ),
    ca(
        "Em pots trobar a @laiaverda a Twitter, hi penjo les fotos del parc",
        profile="@laiaverda",
    ),
    ca(
        "Els patinets de Cooltra estan aparcats a la vorera del carrer de Sant Gervasi",
        brand="Cooltra",
        street="carrer de Sant Gervasi",
    ),
    ca(
        "La veïna de davant, que es diu Lurdes, posa la música molt alta",
        name="Lurdes",
    ),
]

ENGLISH: list[Message] = [
    en(
        "Hi, my neighbour Sue keeps leaving rubbish bags outside the building",
        name="Sue",
    ),
    en(
        "My landlord, Mr Javier Ortega, refuses to fix the water leak that drips onto the street",
        name="Javier Ortega",
    ),
    en(
        "There is a huge pothole on Calle Doctor Fleming near the pharmacy",
        street="Calle Doctor Fleming",
    ),
    en(
        "Hello, I'm Sarah O'Connor and I live at Carrer de Mallorca 240 2n 1a. The street "
        "light outside has been off for a week",
        name="Sarah O'Connor",
        address="Mallorca 240 2n 1a",
        street="Carrer de Mallorca",
    ),
    en(
        "The owner of the bar downstairs, a guy called Toni, plays loud music until 3am",
        name="Toni",
    ),
    en(
        "My wife Helen tripped on a broken paving stone on Avenida Juan Carlos I",
        name="Helen",
        street="Avenida Juan Carlos I",
    ),
    en(
        "Please call me on +44 7700 900461, I'm only in Spain until Friday. Thanks, Mark",
        phone="+44 7700 900461",
        name="Mark",
    ),
    en(
        "Our neighbour Mrs Kowalski is elderly and cannot get her shopping up the stairs since "
        "the lift broke",
        name="Kowalski",
    ),
    en(
        "The bins at Plaza de San Juan have not been emptied for a week",
        street="Plaza de San Juan",
    ),
    en(
        "My name is Ahmed Khan, NIE Z1234567R, and I need a certificate of residence",
        name="Ahmed Khan",
        document="Z1234567R",
    ),
    en(
        "My son Oliver was bitten by a dog in the park. The owner is a man named Dmytro who "
        "lives on our street",
        name="Oliver|Dmytro",
    ),
    en(
        "The car with plate 6721 LKP has been parked on the pavement for days",
        plate="6721 LKP",
    ),
    en(
        "you can reach me at james.whitfield(at)outlook(dot)com",
        email="james.whitfield(at)outlook(dot)com",
    ),
    en(
        "I live at 14 Calle Cervantes, 3rd floor, and the entrance door is broken",
        address="14",
        street="Calle Cervantes",
    ),
    en(
        "The caretaker, Pedro, says the council has to fix the drain on Carrer de Pau Claris",
        name="Pedro",
        street="Carrer de Pau Claris",
    ),
    en(
        "My husband, David Thompson, fell on the icy steps outside the Biblioteca Josep Pla",
        name="David Thompson",
        department="Biblioteca Josep Pla",
    ),
    en(
        "Dear council, my neighbour's son, Liam, keeps setting off fireworks at night. "
        "Regards, Patricia Walsh",
        name="Liam|Patricia Walsh",
    ),
    en(
        "Broken swing at the playground on Passeig de Sant Joan",
        street="Passeig de Sant Joan",
    ),
    en(
        "The landlady, Mrs Pilar Navarro, wants to evict us without notice, is that legal?",
        name="Pilar Navarro",
    ),
    en(
        "Can someone from Servicios Sociales call my mother, Margaret Evans, on 634 556 778?",
        department="Servicios Sociales",
        name="Margaret Evans",
        phone="634 556 778",
    ),
    en(
        "The Uber drivers wait on the bus stop on Gran Via all night",
        brand="Uber",
    ),
    en(
        "Hi, this is Priya Sharma, my IBAN is ES79 2100 0813 6101 2345 6789 for the refund",
        name="Priya Sharma",
        bank="ES79 2100 0813 6101 2345 6789",
    ),
    en(
        "My friend Giulia Rossi and I saw someone dumping a fridge next to the Lidl",
        name="Giulia Rossi",
        brand="Lidl",
    ),
    en(
        "the manager of the hotel, john, says the noise comes from the street works",
        name="john",
    ),
    en(
        "A tree fell on Avenida Reina Victoria and is blocking the road",
        street="Avenida Reina Victoria",
    ),
    en(
        "My tenant, Pierre Dubois, says the heating in the flat at Calle Goya 33, 4ºB, does "
        "not work",
        name="Pierre Dubois",
        address="Goya 33, 4ºB",
        street="Calle Goya",
    ),
    en(
        "My daughter Emily and her friend Chloe were harassed at the bus stop on Carrer de Balmes",
        name="Emily|Chloe",
        street="Carrer de Balmes",
    ),
    en(
        "Follow our campaign at facebook.com/savetheparkgracia.residents",
        profile="savetheparkgracia.residents",
    ),
    en(
        "Mr. Brown from the third floor says rats are coming from the empty shop",
        name="Brown",
    ),
    en(
        "I'm writing on behalf of my father, Robert Hughes, who is 88 and lives alone",
        name="Robert Hughes",
    ),
    en(
        "The pavement on Victoria Street is blocked by scaffolding with no permit",
        street="Victoria Street",
    ),
    en(
        "There's graffiti all over the statue in Plaça de Sant Jaume",
        street="Plaça de Sant Jaume",
    ),
    en(
        "my neighbour kate says the street lamp flickers all night",
        name="kate",
    ),
    en(
        "The Amazon van parks on the zebra crossing every morning",
        brand="Amazon",
    ),
    en(
        "Our landlord is Mr. Wang Lei, he lives in China and never answers",
        name="Wang Lei",
    ),
    en(
        "Thanks for fixing the fountain! Best wishes, Anna and Tom Baker",
        name="Anna|Tom Baker",
    ),
    en(
        "I paid the fine twice with card 5500 0000 0000 0004, please refund it",
        card="5500 0000 0000 0004",
    ),
    en(
        "Mohammed, the man from the corner shop, says the street light is dangerous",
        name="Mohammed",
    ),
    en(
        "Please contact my partner Agnieszka Nowak at agnieszka.nowak@wp.pl, she speaks Spanish",
        name="Agnieszka Nowak",
        email="agnieszka.nowak@wp.pl",
    ),
    en(
        "The school on Calle Miguel Servet has no crossing patrol any more",
        street="Calle Miguel Servet",
    ),
    en(
        "My neighbour Carlos Jiménez has built a wall on the public path",
        name="Carlos Jiménez",
    ),
    en(
        "We live at 22 Carrer de Verdi and there is a gas smell in the street",
        address="22",
        street="Carrer de Verdi",
    ),
    en(
        "The drunk guy who sleeps in the doorway is called Andrei, he needs help not the police",
        name="Andrei",
    ),
    en(
        "My phone number is 0044 20 7946 0321, I'm Grace",
        phone="0044 20 7946 0321",
        name="Grace",
    ),
    en(
        "There are needles in the park by Calle Santa Engracia",
        street="Calle Santa Engracia",
    ),
    en(
        "Our concierge, Mrs. Fernández, told us the council would repair the door",
        name="Fernández",
    ),
    en(
        "My boss, Steven Clarke, asked me to report the broken bollard outside our office",
        name="Steven Clarke",
    ),
    en(
        "Dr. Patel from the health centre recommends a ramp at the entrance",
        name="Patel",
    ),
    en(
        "Parking fine on car 3378 FRD but I was at home. Regards, Hannah Schmidt",
        plate="3378 FRD",
        name="Hannah Schmidt",
    ),
    en(
        "The Glovo riders gather at Plaza de Santo Domingo and shout all night",
        brand="Glovo",
        street="Plaza de Santo Domingo",
    ),
    en(
        "my sister chloe fell off her bike because of the pothole",
        name="chloe",
    ),
    en(
        "Hi, my name is Kwame Mensah and I want to register in the padrón. My passport is G1234567",
        name="Kwame Mensah",
        document="G1234567",
    ),
    en(
        "The owner of the dog that barks all day is Mr Nikolaidis in flat 2B",
        name="Nikolaidis",
    ),
    en(
        "The bus shelter on Carrer de Sants was smashed last night",
        street="Carrer de Sants",
    ),
    en(
        "Our cleaner, Rosario, says there is asbestos in the rubbish by the bins",
        name="Rosario",
    ),
    en(
        "I'd like to thank officer Martín of the Policía Local for his help",
        name="Martín",
        department="Policía Local",
    ),
    en(
        "Please send the reply to my son Daniel at 612 908 776, my Spanish is poor",
        name="Daniel",
        phone="612 908 776",
    ),
    en(
        "The light at the crossing on Avenida Doctor Esquerdo is too short for old people",
        street="Avenida Doctor Esquerdo",
    ),
    en(
        "Message me on Instagram @tomvalencia_photos and I'll send the pictures",
        profile="@tomvalencia_photos",
    ),
    en(
        "Hello, I'm writing because my elderly neighbour, Mrs Dorothy Green, has had no hot "
        "water for a week",
        name="Dorothy Green",
    ),
    en(
        "There's a burst pipe at Calle Alcalá 98, 1º izq, water everywhere",
        address="Alcalá 98, 1º izq",
        street="Calle Alcalá",
    ),
    en(
        "My landlord Luis says the council must remove the tree roots",
        name="Luis",
    ),
    en(
        "The Burger King on Gran Via leaves its rubbish out in the street",
        brand="Burger King",
    ),
    en(
        "My colleague Yuki Tanaka and I saw a man fall into the open manhole",
        name="Yuki Tanaka",
    ),
    en(
        "The tenant upstairs, a woman named Svetlana, floods our bathroom every week",
        name="Svetlana",
    ),
    en(
        "Hi, Jack here. The basketball hoop at the sports centre is broken",
        name="Jack",
    ),
    en(
        "Kind regards,\nMichael O'Brien",
        name="Michael O'Brien",
    ),
    en(
        "We run a shop on Calle Lope de Vega and the street sweeper never comes",
        street="Calle Lope de Vega",
    ),
    en(
        "My flatmate, Jessica Turner, got a fine for a car she sold last year, plate 9032 HKL",
        name="Jessica Turner",
        plate="9032 HKL",
    ),
    en(
        "The man who runs the kebab shop, Hassan, says the drain smells terrible",
        name="Hassan",
    ),
    en(
        "Could the Parques y Jardines team prune the trees on Calle Clara Campoamor?",
        department="Parques y Jardines",
        street="Calle Clara Campoamor",
    ),
    en(
        "My grandson, Mateo, uses the skate park every day and it is falling apart",
        name="Mateo",
    ),
    en(
        "I am Olena Shevchenko, Ukrainian refugee, and I need help with the padrón. Phone "
        "641 220 398",
        name="Olena Shevchenko",
        phone="641 220 398",
    ),
    en(
        "The bike lane on Passeig de Lluís Companys is full of broken glass",
        street="Passeig de Lluís Companys",
    ),
    en(
        "My ID number is 71234567, they asked for it at the office",
        document="71234567",
    ),
    en(
        "Ms Lopez, the head teacher, asked parents to report the broken fence",
        name="Lopez",
    ),
    en(
        "The Vodafone shop's sign fell onto the pavement this morning",
        brand="Vodafone",
    ),
    en(
        "My neighbour's daughter, Sophie Martin, organises the street clean-up with me",
        name="Sophie Martin",
    ),
    en(
        "The old man in 4A, Mr Fitzgerald, needs a visit from social services",
        name="Fitzgerald",
    ),
    en(
        "Please fix the street light opposite King Street station",
        street="King Street",
    ),
]

MESSAGES: list[Message] = SPANISH + CATALAN + ENGLISH


# Written after the name redaction was built, and never used to tune it: an estimate of
# how it does on messages it has not seen. bench/redaction.py scores it apart; no test
# asserts a target on it.
HELD_OUT: list[Message] = [
    es(
        "Buenas tardes, os escribe Maite Olabarria, la del 5ºB. El vecino de abajo, Rafa, "
        "ha vuelto a dejar la moto en el portal",
        name="Maite Olabarria|Rafa",
    ),
    es(
        "El chaval de la gasolinera, creo que se llama Izan, dice que el cruce no tiene luz",
        name="Izan",
    ),
    es(
        "Me atendió por teléfono una tal Begoña del Servicio de Limpieza y no ha venido nadie",
        name="Begoña",
        department="Servicio de Limpieza",
    ),
    es(
        "Hay un socavón en la calle Hermanos Álvarez Quintero, a la altura del estanco",
        street="calle Hermanos Álvarez Quintero",
    ),
    es(
        "mi suegro antonio se cayó en la avenida de la Paz por culpa de una baldosa",
        name="antonio",
        street="avenida de la Paz",
    ),
    es(
        "Quiero felicitar a los de Parques y Jardines, especialmente a Rosendo y a Marcial",
        department="Parques y Jardines",
        name="Rosendo|Marcial",
    ),
    es(
        "El local de la calle Jesús del Gran Poder pone música hasta las 4. El dueño es "
        "Vicente Lledó",
        street="calle Jesús del Gran Poder",
        name="Vicente Lledó",
    ),
    es(
        "La farmacia de Ana Mari, en la plaza de San Ildefonso, tiene la rampa rota",
        name="Ana Mari",
        street="plaza de San Ildefonso",
    ),
    es(
        "El perro de los Sánchez Vizcaíno ladra toda la noche",
        name="Sánchez Vizcaíno",
    ),
    es(
        "Soy la madre de Aitana, alumna del colegio Santa María del Pilar, el paso de cebra "
        "está borrado",
        name="Aitana",
        place="colegio Santa María del Pilar",
    ),
    es(
        "Me llamo Gheorghe y trabajo en la obra de la calle Marqués de Vadillo, "
        "el encargado, Sr. Pozuelo, no nos da casco",
        name="Gheorghe|Pozuelo",
        street="calle Marqués de Vadillo",
    ),
    es(
        "En el parque Tierno Galván hay un banco quemado",
        place="parque Tierno Galván",
    ),
    es(
        "Mi vecina Loli (la del tercero) y su hijo Brian tiran la basura por el patio",
        name="Loli|Brian",
    ),
    es(
        "Un saludo y gracias,\nJuan Francisco Mora Ruiz",
        name="Juan Francisco Mora Ruiz",
    ),
    es(
        "el de la ferretería, Anselmo Pardo, dice que la tapa del alcantarillado está suelta",
        name="Anselmo Pardo",
    ),
    es(
        "La Policía Local multó a mi hermano Alejandro por aparcar en la calle Cardenal "
        "Cisneros, pero había una señal tapada",
        department="Policía Local",
        name="Alejandro",
        street="calle Cardenal Cisneros",
    ),
    ca(
        "Bon dia, sóc en Jaume, el fill de la senyora Teresa Comas, que viu al carrer de "
        "Mossèn Jacint Verdaguer",
        name="Jaume|Teresa Comas",
        street="carrer de Mossèn Jacint Verdaguer",
    ),
    ca(
        "La noia del forn, la Ivet, diu que hi ha un forat a la vorera",
        name="Ivet",
    ),
    ca(
        "Al passeig de Maragall hi ha un semàfor que no funciona",
        street="passeig de Maragall",
    ),
    ca(
        "la meva companya de pis, Andrea Vila, ha rebut una multa que no és seva",
        name="Andrea Vila",
    ),
    ca(
        "Els veïns del 3r, en Lluc i la Berta, fan obres sense permís",
        name="Lluc|Berta",
    ),
    ca(
        "El senyor Josep Lluís Sabadell, president de l'escala, us ha escrit diverses vegades",
        name="Josep Lluís Sabadell",
    ),
    ca(
        "A la plaça de la Virreina hi ha un arbre mig caigut",
        street="plaça de la Virreina",
    ),
    ca(
        "l'amo del bar de baix es diu Kiko i no respecta l'horari",
        name="Kiko",
    ),
    ca(
        "La meva mare, Rosa Maria Solé i Bertran, necessita la targeta rosa",
        name="Rosa Maria Solé i Bertran",
    ),
    ca(
        "Hi ha brutícia a l'escola Pere Vila i al carrer de Lepant",
        place="escola Pere Vila",
        street="carrer de Lepant",
    ),
    ca(
        "el nostre veí Abdelaziz ens ajuda amb les escombraries però el contenidor és trencat",
        name="Abdelaziz",
    ),
    ca(
        "Salutacions cordials,\nMontserrat Figueras",
        name="Montserrat Figueras",
    ),
    en(
        "Hello, my neighbour Ruth Jenkins asked me to report the broken bench",
        name="Ruth Jenkins",
    ),
    en(
        "The guy who owns the bike shop, Dieter, says the cycle lane is dangerous",
        name="Dieter",
    ),
    en(
        "There is rubbish everywhere on Calle Marqués de Larios",
        street="Calle Marqués de Larios",
    ),
    en(
        "My elderly aunt, Mrs Beryl Holloway, cannot reach the bus stop since the works began",
        name="Beryl Holloway",
    ),
    en(
        "Cheers,\nNeil",
        name="Neil",
    ),
    en(
        "Our landlord Mr Dimitrov has not fixed the drain for months",
        name="Dimitrov",
    ),
    en(
        "Tom and Priya from number 5 have had their car broken into twice",
        name="Tom|Priya",
    ),
    en(
        "The playground at Parc de Joan Miró needs new swings",
        place="Parc de Joan Miró",
    ),
    en(
        "my daughter's friend lucy was hit by a scooter near the school",
        name="lucy",
    ),
    en(
        "Mrs Okonkwo in flat 3 has no heating and she is 90",
        name="Okonkwo",
    ),
    en(
        "The pub on King's Road, run by a man called Gareth, blocks the pavement with tables",
        name="Gareth",
    ),
    en(
        "We reported it to officer Ramírez but nothing happened",
        name="Ramírez",
    ),
]
