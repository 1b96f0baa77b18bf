import pytest

from ventanilla.citizens.services import find_or_create_citizen
from ventanilla.citizens.urns import InvalidUrn, normalise_urn


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("tel:600 11 12 22", "tel:+34600111222"),
        ("tel:+34 600-111-222", "tel:+34600111222"),
        ("tel:0034600111222", "tel:+34600111222"),
        ("whatsapp:+34600111222", "whatsapp:34600111222"),
        ("whatsapp:34600111222", "whatsapp:34600111222"),
        ("whatsapp:user:US.13491208655302741918", "whatsapp:user:US.13491208655302741918"),
        ("TELEGRAM:123456789", "telegram:123456789"),
        ("line:U4af4980629a1b2c3d4e5f60718293a4b", "line:U4af4980629a1b2c3d4e5f60718293a4b"),
        (
            "webchat:6f1c2b0e-8a4d-4a8e-9c59-2f1d7c3f9a10",
            "webchat:6f1c2b0e-8a4d-4a8e-9c59-2f1d7c3f9a10",
        ),
        ("mailto:Lucia.Garcia@Example.ORG", "mailto:lucia.garcia@example.org"),
        ("MAILTO: vecina@correo.example ", "mailto:vecina@correo.example"),
    ],
)
def test_urns_are_normalised(raw, canonical):
    assert normalise_urn(raw) == canonical


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "600111222",
        "fax:123",
        "tel:abc",
        "telegram:luciag",
        "line:nope",
        "whatsapp:",
        "mailto:lucia",
        "mailto:a@b@c",
    ],
)
def test_bad_urns_are_refused(raw):
    with pytest.raises(InvalidUrn):
        normalise_urn(raw)


@pytest.mark.django_db
def test_one_resident_per_urn_per_council():
    from ventanilla.cases.tests.factories import make_council

    a, b = make_council(), make_council()
    first = find_or_create_citizen(council=a, urn="tel:600111222", name="Ana")
    assert find_or_create_citizen(council=a, urn="tel:+34600111222") == first
    assert find_or_create_citizen(council=b, urn="tel:+34600111222") != first
