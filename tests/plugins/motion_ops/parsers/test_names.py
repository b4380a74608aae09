"""Dutch names as a reader expects them: the particles (van, de, den, der, ten, ter, het, ...) lower case
after initials or a first name, the first one capitalised when the surname stands alone."""
import pytest

from motion_ops.parsers.names import dutch_name


@pytest.mark.parametrize("given, expected", [
    ("L. Van den Berg", "L. van den Berg"),
    ("L. van den Berg", "L. van den Berg"),
    ("C.A.M. Van Der Plas (BBB)", "C.A.M. van der Plas (BBB)"),
    ("Olger Van Dijk", "Olger van Dijk"),
    ("D.J.H. (Diederik) Van Dijk", "D.J.H. (Diederik) van Dijk"),
    ("J. Ter Horst", "J. ter Horst"),
    ("A. Ten Hove", "A. ten Hove"),
    ("P. Het Hart", "P. het Hart"),
    ("van der Plas", "Van der Plas"),
    ("VAN DEN BERG", "Van den Berg"),
    ("ter Horst", "Ter Horst"),
    ("de Vries (CDA)", "De Vries (CDA)"),
    ("J.M. Nijhof-Leeuw (PVV)", "J.M. Nijhof-Leeuw (PVV)"),
    ("Dijk", "Dijk"),
    ("Yesilgöz-Zegerius", "Yesilgöz-Zegerius"),
    ("  L.  Van den   Berg ", "L. van den Berg"),
    ("", ""),
])
def test_particles_are_lower_case_after_initials_or_a_first_name_and_capitalised_when_the_surname_stands_alone(
        given, expected):
    assert dutch_name(given) == expected


def test_a_name_without_particles_keeps_its_own_capitals():
    assert dutch_name("A.A.H. van Campen (VVD)") == "A.A.H. van Campen (VVD)"
    assert dutch_name("Bikker") == "Bikker" and dutch_name("McDonald") == "McDonald"


def test_an_all_caps_double_surname_is_capitalised_part_by_part_with_the_second_particle_lower_case():
    assert dutch_name("L. VAN DEN BERG-JANSEN") == "L. van den Berg-Jansen"
    assert dutch_name("C. VAN DER PLAS-DE VRIES (BBB)") == "C. van der Plas-de Vries (BBB)"
    assert dutch_name("M. VAN 'T HEK") == "M. van 't Hek"
