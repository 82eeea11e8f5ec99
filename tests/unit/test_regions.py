"""Region inference from organization names: the seed statement's signatories, precision guards, lookups."""

import pytest

from app.identity.regions import RegionMatch, all_regions, infer_region, place_words, region_name, resolve_region

# The signatories of the seed statement, with the region each name states (None: it states none).
SEED_SIGNATORIES = [
    ("Colegio de Médicos Monagas", "VE-N"),
    ("Asociación de Profesores Jubilados de la Upel MARACAY", "VE-D"),
    ("Ciclovías Maracaibo", "VE-V"),
    ("Colegio de Profesionales de Enfermería del Edo Vargas", "VE-X"),
    ("Comisión de DDHH del Estado Monagas de la FCAV", "VE-N"),
    ("Comisión Nacional DDHH de la Federación deColegios de Abogados de Venezuela estado Táchira", "VE-S"),
    ("Comisión Nacional DDHH de la Federación de Colegios de Abogados de Venezuela-Mérida", "VE-L"),
    ("Comisión para los Derechos Humanos del Estado Zulia (Codhez)", "VE-V"),
    ("Comité de DDHH de la Carucieña – Barquisimeto", "VE-K"),
    # Sotillo is a municipality of Anzoátegui and one of Monagas
    ("AC Amigos de Sotillo", None),
    ("Frente en Defensa del Norte de Caracas", "VE-A"),
    ("Fedecámaras Mona gas", "VE-N"),
    ("Fdhanzoategui", "VE-B"),
    ("PROMEDEHUM, Mérida", "VE-L"),
    ("Red de Organizaciones de Derechos Humanos del Estado Anzoátegui REDHANZ", "VE-B"),
    ("Red de Organizaciones Vecinales de Baruta", "VE-M"),
    ("Sociedad Civil Activa Mérida", "VE-L"),
    # San Francisco is a municipality of Zulia, but parishes and towns of other states share the name
    ("Unidad Democrática San Francisco", None),
    ("Movimiento Juvenil UNE Monagas", "VE-N"),
    ("Vicaría de DDHH de la Arquidiócesis de Barquisimeto", "VE-K"),
    ("Aragua en Red", "VE-D"),
    ("Equipo de Defensa se Derechos Humanos del estado Táchira (EDDET)", "VE-S"),
    ("Junquito en movimiento", "VE-A"),
    # Candelaria is a Caracas parish and a municipality of Trujillo and of Carabobo
    ("Asamblea de Ciudadanos de Candelaria", None),
    ("Acceso a la Justicia", None),
    ("Aquí Cabemos Todos", None),
    ("Centro Gumilla", None),
    ("Centro Monseñor Arias Blanco", None),
    ("Cátedra de Derechos Humanos de la Universidad Centroccidental Lisandro Alvarado", None),
    ("Escuela de Formación Obrera Priscila López", None),
    ("Fundación Gran Victoria", None),
    ("Democracia y Libertad", None),
    ("La Choza del Espíritu Santo", None),
    ("Universidad Central de Venezuela", None),
    ("Hearts On Venezuela", None),
    ("Frente Amplio Venezuela Libre", None),
    ("Programa Venezolano de Educación-Acción en Derechos Humanos (Provea)", None),
    ("Transparencia Venezuela", None),
    ("Un Mundo Sin Mordaza", None),
    ("Piloneras", None),
    ("Uquira", None),
    ("Wainjirawa-UAIN", None),
    ("Natural Bio Conservation AC", None),
    ("Amnesty International", None),
    ("Government of Venezuela", None),
    ("Universidad Simón Bolívar", None),
    ("Universidad Nacional Experimental Francisco de Miranda", None),
]

# More names of the kind real imports bring, as (name, country, expected).
MORE_CASES = [
    # state capitals and major towns
    ("Fundación Amigos de Valencia", "VE", "VE-G"),
    ("Vecinos Unidos de Puerto Ayacucho", "VE", "VE-Z"),
    ("Universidad del Zulia", "VE", "VE-V"),
    ("Universidad de Carabobo", "VE", "VE-G"),
    ("Asociación de Vecinos de El Cafetal", "VE", "VE-M"),
    ("Alcaldía de Chacao", "VE", "VE-M"),
    ("Nueva Esparta Solidaria", "VE", "VE-O"),
    ("Colegio de Abogados del Distrito Capital", "VE", "VE-A"),
    ("Fundación Luz y Vida de Valencia", "VE", "VE-G"),
    ("Fe y Alegría Zulia", "VE", "VE-V"),
    ("Hospital Vargas de Caracas", "VE", "VE-A"),  # Vargas the physician; Caracas the place
    ("Colegio San José de Barquisimeto", "VE", "VE-K"),
    ("Liceo Santiago de León de Caracas", "VE", "VE-A"),
    ("Municipio Baruta", "VE", "VE-M"),
    # accents optional, any case
    ("Red de Derechos Humanos de Anzoategui", "VE", "VE-B"),
    ("COLEGIO DE MEDICOS DEL ESTADO MONAGAS", "VE", "VE-N"),
    ("Colectivo merida", "VE", "VE-L"),
    # state prefixes and separators make weak places count
    ("Colegio de Abogados del Estado Bolívar", "VE", "VE-F"),
    ("Gobernación del Estado Miranda", "VE", "VE-M"),
    ("UDO Núcleo Sucre", "VE", "VE-R"),
    ("Cruz Roja Venezolana Seccional Lara", "VE", "VE-K"),
    ("Amigos del Patrimonio de Coro, Falcón", "VE", "VE-I"),
    ("Amigos de El Tigre, Anzoátegui", "VE", "VE-B"),
    ("Alcaldía del Municipio Sucre del Estado Miranda", "VE", "VE-M"),
    # the Guajira of a Venezuelan organization is the Zulia municipality where the Wayuu live
    ("Wayuu Taya, La Guajira", "VE", "VE-V"),
    # agreeing places; acronyms are not given names
    ("Caritas Maracaibo, Zulia", "VE", "VE-V"),
    ("UDO Monagas", "VE", "VE-N"),
    # OCR splits and glued acronyms
    ("ONG Barqui simeto Activa", "VE", "VE-K"),
    ("Redbarinas", "VE", "VE-E"),
    # people whose surnames are places
    ("Liceo José Antonio Anzoátegui", "VE", None),
    ("Unidad Educativa Jacinto Lara", "VE", None),
    ("Fundación José Tadeo Monagas", "VE", None),
    ("Universidad Arturo Michelena", "VE", None),
    ("Liceo Tomás Lander", "VE", None),
    ("Escuela Cristóbal Colón", "VE", None),
    ("Fundación Mariscal Sucre", "VE", None),
    ("UNIVERSIDAD SIMON BOLIVAR", "VE", None),
    # a given name after "de", "y", "la" is a noun: no person here
    ("Red de Salud Mérida", "VE", "VE-L"),
    ("Fe y Alegría Lara", "VE", "VE-K"),
    ("Justicia y Paz Caracas", "VE", "VE-A"),
    # diaspora groups are abroad, whatever town they name
    ("Asociación de Venezolanos en Barcelona", "VE", None),
    # ordinary words, saints and streets
    ("Comunidad Portuguesa de Venezuela", "VE", None),
    ("Víctimas de la Guardia Nacional", "VE", None),
    ("Colegio San Carlos", "VE", None),
    ("Diócesis de San Cristóbal", "VE", None),  # a precision-first loss: saints name churches everywhere
    ("Presos del Calabozo", "VE", None),
    ("Observatorio del Estado de Derecho", "VE", None),
    ("Consejo Comunal Barrio Zulia", "VE", None),
    ("Calle Maracaibo Unida", "VE", None),
    ("Parroquia Sucre", "VE", None),
    ("Alcaldía de Sucre", "VE", None),  # Sucre municipalities lie in a dozen states
    # words that merely contain a state's name
    ("Universidad Bolivariana de Venezuela", "VE", None),
    ("Casa de Nicaragua", "VE", None),
    ("Fundación Araguaney", "VE", None),
    ("Asociación Civil Valenciana", "VE", None),
    ("Mona Lisa Gas", "VE", None),
    # places of two states, or of several
    ("Red de Derechos Humanos de Caracas y Maracaibo", "VE", None),
    ("Red Monagas y Anzoátegui", "VE", None),
    ("Red de Mujeres de Lara y Portuguesa", "VE", None),
    ("Unión Vecinal Lagunillas", "VE", None),  # towns of Zulia and of Mérida
    ("Fundación Píritu", "VE", None),  # towns of Portuguesa, Anzoátegui and Falcón
    # neighbourhoods of Caracas that share a name with small towns elsewhere
    ("Vecinos de Altamira", "VE", None),
    ("Comerciantes de Sabana Grande", "VE", None),
    # other countries: their own subdivisions only
    ("Cámara de Comercio de Mérida, Yucatán", "MX", "MX-YUC"),
    ("Colectivo Mérida", "MX", None),
    ("Gobierno del Estado de México", "MX", "MX-MEX"),
    ("Universidad Nacional Autónoma de México", "MX", None),  # the country, not the State of Mexico
    # an unknown country places nothing: "Amazonas" or "Mérida" name regions in several countries
    ("Colegio de Médicos Monagas", None, None),
]

ALL_CASES = [(name, "VE", expected) for name, expected in SEED_SIGNATORIES] + MORE_CASES


def _code(name: str, country: str | None) -> str | None:
    match = infer_region(name, country)
    return match.code if match else None


@pytest.mark.parametrize(("name", "country", "expected"), ALL_CASES)
def test_infer_region(name, country, expected):
    assert _code(name, country) == expected


def test_precision_over_all_cases():
    claims = [(_code(name, country), expected) for name, country, expected in ALL_CASES]
    claimed = [(code, expected) for code, expected in claims if code is not None]
    right = sum(code == expected for code, expected in claimed)
    assert claimed
    assert right / len(claimed) >= 0.98


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Ciclovías Maracaibo", RegionMatch("VE-V", "Zulia", ("Maracaibo",))),
        ("Colegio de Profesionales de Enfermería del Edo Vargas", RegionMatch("VE-X", "La Guaira", ("Edo", "Vargas"))),
        ("Fedecámaras Mona gas", RegionMatch("VE-N", "Monagas", ("Mona", "gas"))),
        ("Fdhanzoategui", RegionMatch("VE-B", "Anzoátegui", ("Fdhanzoategui",))),
        ("Caritas Maracaibo, Zulia", RegionMatch("VE-V", "Zulia", ("Maracaibo", "Zulia"))),
        ("Frente en Defensa del Norte de Caracas", RegionMatch("VE-A", "Distrito Capital", ("Caracas",))),
    ],
)
def test_match_names_the_region_and_shows_its_evidence(name, expected):
    assert infer_region(name) == expected


@pytest.mark.parametrize(
    ("text", "country", "expected"),
    [
        ("VE-V", "VE", "VE-V"),
        ("ve-v", "VE", "VE-V"),
        (" Zulia ", "VE", "VE-V"),
        ("zulia", "VE", "VE-V"),
        ("Estado Zulia", "VE", "VE-V"),
        ("Edo. Zulia", "VE", "VE-V"),
        ("Distrito Capital", "VE", "VE-A"),
        ("Caracas", "VE", "VE-A"),
        ("Tachira", "VE", "VE-S"),
        ("Vargas", "VE", "VE-X"),
        ("La Guaira", "VE", "VE-X"),
        ("Bolívar", "VE", "VE-F"),
        ("Yucatán", "MX", "MX-YUC"),
        ("Sotillo", "VE", None),
        ("Atlántida", "VE", None),
        ("", "VE", None),
        ("VE-Q", "VE", None),
        ("MX-YUC", "VE", None),
        ("MX-YUC", None, "MX-YUC"),
        ("Zulia", None, None),
    ],
)
def test_resolve_region(text, country, expected):
    assert resolve_region(text, country) == expected


# Each state's capital names its state: checks the GeoNames admin1 -> ISO 3166-2 table.
STATE_CAPITALS = [
    ("Caracas", "VE-A"), ("Barcelona", "VE-B"), ("San Fernando de Apure", "VE-C"), ("Maracay", "VE-D"),
    ("Barinas", "VE-E"), ("Ciudad Bolívar", "VE-F"), ("Valencia", "VE-G"), ("San Carlos", "VE-H"),
    ("Coro", "VE-I"), ("San Juan de los Morros", "VE-J"), ("Barquisimeto", "VE-K"), ("Mérida", "VE-L"),
    ("Los Teques", "VE-M"), ("Maturín", "VE-N"), ("La Asunción", "VE-O"), ("Guanare", "VE-P"),
    ("Cumaná", "VE-R"), ("San Cristóbal", "VE-S"), ("Trujillo", "VE-T"), ("San Felipe", "VE-U"),
    ("Maracaibo", "VE-V"), ("La Guaira", "VE-X"), ("Tucupita", "VE-Y"), ("Puerto Ayacucho", "VE-Z"),
]


@pytest.mark.parametrize(("capital", "code"), STATE_CAPITALS)
def test_state_capitals_resolve_to_their_state(capital, code):
    assert resolve_region(capital) == code


@pytest.mark.parametrize(
    ("code", "expected"),
    [("VE-N", "Monagas"), ("ve-x", "La Guaira"), ("VE-A", "Distrito Capital"), ("XX-Y", None), ("", None)],
)
def test_region_name(code, expected):
    assert region_name(code) == expected


def test_all_regions_lists_every_state_sorted_by_name():
    regions = all_regions("VE")
    assert len(regions) == 25
    assert regions[:2] == [("VE-Z", "Amazonas"), ("VE-B", "Anzoátegui")]
    assert ("VE-X", "La Guaira") in regions
    assert len({code for code, _ in regions}) == 25


def test_place_words_are_folded_single_words_of_states_and_towns():
    words = place_words()
    assert {"monagas", "anzoategui", "maracaibo", "caracas", "barquisimeto", "lara"} <= words
    assert "venezuela" not in words
    assert all(word == word.lower() and word.isascii() and " " not in word for word in words)
