"""Spanish and English for the web pages: language choice, the message table, dates and numbers.

Messages live in one table, both languages side by side, so a missing translation shows up in
review and in a test; Babel formats dates and numbers the way each language writes them.
"""

from __future__ import annotations

import datetime as dt

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_datetime, format_skeleton
from babel.numbers import format_decimal

LANGUAGES = ("es", "en")
DEFAULT_LANGUAGE = "es"  # why: most readers are Venezuelan NGO staff
COOKIE = "lang"

MESSAGES: dict[str, dict[str, str]] = {
    "site_name": {"es": "Firmas", "en": "Firmas"},
    "tagline": {
        "es": "Registro abierto de comunicados conjuntos y de las organizaciones que los firman",
        "en": "An open registry of joint statements and the organizations that sign them",
    },
    "skip": {"es": "Saltar al contenido", "en": "Skip to content"},
    "nav_home": {"es": "Inicio", "en": "Home"},
    "nav_search": {"es": "Buscar", "en": "Search"},
    "nav_admin": {"es": "Administración", "en": "Administration"},
    "language": {"es": "Idioma", "en": "Language"},
    "search_label": {"es": "Buscar una organización o un comunicado", "en": "Search for an organization or a statement"},
    "search_button": {"es": "Buscar", "en": "Search"},
    "search_hint": {
        "es": "Mayúsculas, acentos y puntuación no importan: «aqui cabemos» encuentra «Aquí Cabemos Todos».",
        "en": "Case, accents and punctuation are ignored: “aqui cabemos” finds “Aquí Cabemos Todos”.",
    },
    "latest_statements": {"es": "Comunicados más recientes", "en": "Latest statements"},
    "all_statements": {"es": "Todos los comunicados", "en": "All statements"},
    "no_statements": {"es": "Todavía no hay comunicados.", "en": "There are no statements yet."},
    "search_title": {"es": "Buscar", "en": "Search"},
    "results_for": {"es": "Resultados para «{q}»", "en": "Results for “{q}”"},
    "filters": {"es": "Filtros", "en": "Filters"},
    "filter_region": {"es": "Región", "en": "Region"},
    "filter_sector": {"es": "Sector", "en": "Sector"},
    "filter_year": {"es": "Año", "en": "Year"},
    "filter_statement": {"es": "Firmó el comunicado", "en": "Signed the statement"},
    "any": {"es": "Cualquiera", "en": "Any"},
    "apply_filters": {"es": "Aplicar", "en": "Apply"},
    "organizations": {"es": "Organizaciones", "en": "Organizations"},
    "statements": {"es": "Comunicados", "en": "Statements"},
    "n_found": {"es": "{n} encontradas", "en": "{n} found"},
    "n_statements_found": {"es": "{n} encontrados", "en": "{n} found"},
    "no_organizations_found": {"es": "Ninguna organización coincide.", "en": "No organization matches."},
    "no_statements_found": {"es": "Ningún comunicado coincide.", "en": "No statement matches."},
    "next_page": {"es": "Página siguiente", "en": "Next page"},
    "download_csv": {"es": "Descargar CSV", "en": "Download CSV"},
    "api_request": {"es": "La misma consulta en la API (JSON)", "en": "The same request in the API (JSON)"},
    "data": {"es": "Datos", "en": "Data"},
    "printed_as": {"es": "Nombres con que aparece impresa", "en": "Names it has been printed as"},
    "acronym": {"es": "Siglas", "en": "Acronym"},
    "region": {"es": "Región", "en": "Region"},
    "sector": {"es": "Sector", "en": "Sector"},
    "country": {"es": "País", "en": "Country"},
    "unknown": {"es": "Sin determinar", "en": "Not determined"},
    "region_source_inferred": {
        "es": "deducida del nombre, por las palabras «{evidence}»",
        "en": "inferred from the name, from the words “{evidence}”",
    },
    "region_source_inferred_plain": {"es": "deducida del nombre", "en": "inferred from the name"},
    "region_source_import": {"es": "indicada en el archivo importado", "en": "given in the imported file"},
    "region_source_admin": {"es": "fijada por una persona administradora", "en": "set by an administrator"},
    "sector_source_inferred": {"es": "deducido del nombre", "en": "inferred from the name"},
    "sector_source_import": {"es": "indicado en el archivo importado", "en": "given in the imported file"},
    "sector_source_admin": {"es": "fijado por una persona administradora", "en": "set by an administrator"},
    "timeline": {"es": "Comunicados que firmó", "en": "Statements it signed"},
    "printed_at_position": {"es": "línea n.º {positions}", "en": "line no. {positions}"},
    "cosignatories": {"es": "Con quién firma más a menudo", "en": "Most frequent co-signatories"},
    "shared_statements": {"es": "{n} comunicados en común", "en": "{n} statements in common"},
    "shared_statement": {"es": "1 comunicado en común", "en": "1 statement in common"},
    "no_cosignatories": {"es": "Nadie más firmó sus comunicados.", "en": "Nobody else signed its statements."},
    "undated": {"es": "sin fecha", "en": "undated"},
    "published": {"es": "Fecha", "en": "Date"},
    "kind": {"es": "Tipo", "en": "Kind"},
    "kind_joint_statement": {"es": "Comunicado conjunto", "en": "Joint statement"},
    "kind_open_letter": {"es": "Carta abierta", "en": "Open letter"},
    "kind_agreement": {"es": "Acuerdo", "en": "Agreement"},
    "kind_report": {"es": "Informe", "en": "Report"},
    "kind_other": {"es": "Otro", "en": "Other"},
    "text_language": {"es": "Idioma del texto", "en": "Language of the text"},
    "translator": {"es": "Traducción", "en": "Translator"},
    "addressees": {"es": "Dirigido a", "en": "Addressed to"},
    "summary": {"es": "Resumen", "en": "Summary"},
    "notes": {"es": "Notas", "en": "Notes"},
    "sources": {"es": "Fuentes", "en": "Sources"},
    "no_sources": {"es": "Sin enlace a la fuente.", "en": "No source link."},
    "body": {"es": "Texto", "en": "Text"},
    "signatures": {"es": "Firmas, tal como se imprimieron", "en": "Signatures, exactly as printed"},
    "counts": {
        "es": "{lines} líneas de firma, {organizations} organizaciones distintas",
        "en": "{lines} signature lines, {organizations} distinct organizations",
    },
    "col_position": {"es": "N.º", "en": "No."},
    "col_line": {"es": "Línea impresa", "en": "Printed line"},
    "col_organization": {"es": "Organización", "en": "Organization"},
    "repeat": {"es": "repetida", "en": "repeat"},
    "repeat_help": {
        "es": "«repetida»: la organización ya aparece en una línea anterior de este comunicado.",
        "en": "“repeat”: the organization already appears on an earlier line of this statement.",
    },
    "region_title": {"es": "Región: {name}", "en": "Region: {name}"},
    "region_organizations": {"es": "Organizaciones de la región", "en": "Organizations of the region"},
    "region_statements": {"es": "Comunicados que firmaron", "en": "Statements they signed"},
    "regions": {"es": "Regiones", "en": "Regions"},
    "sector_ngo": {"es": "ONG", "en": "NGO"},
    "sector_academic": {"es": "Académico", "en": "Academic"},
    "sector_professional_body": {"es": "Gremio profesional", "en": "Professional body"},
    "sector_union": {"es": "Sindicato", "en": "Union"},
    "sector_religious": {"es": "Religioso", "en": "Religious"},
    "sector_business": {"es": "Empresa", "en": "Business"},
    "sector_government": {"es": "Gobierno", "en": "Government"},
    "sector_intergovernmental": {"es": "Intergubernamental", "en": "Intergovernmental"},
    "sector_media": {"es": "Medio de comunicación", "en": "Media"},
    "error_title": {"es": "Error {status}", "en": "Error {status}"},
    "error_404": {"es": "No encontramos esa página.", "en": "We could not find that page."},
    "error_back": {"es": "Volver al inicio", "en": "Back to the home page"},
    # admin
    "admin_title": {"es": "Administración", "en": "Administration"},
    "login_title": {"es": "Entrar como administrador", "en": "Log in as an administrator"},
    "token_label": {"es": "Token de administración", "en": "Admin token"},
    "token_hint": {
        "es": "Lo crea «firmas token create NOMBRE»; se guarda solo en una cookie segura de este navegador.",
        "en": "Created with “firmas token create NAME”; kept only in a secure cookie of this browser.",
    },
    "login_button": {"es": "Entrar", "en": "Log in"},
    "logout_button": {"es": "Salir", "en": "Log out"},
    "logged_in_as": {"es": "Sesión de {name}", "en": "Logged in as {name}"},
    "login_required": {"es": "Entre con un token de administración.", "en": "Log in with an admin token."},
    "csrf_failed": {
        "es": "El formulario caducó o no vino de esta página. Vuelva a intentarlo.",
        "en": "The form expired or did not come from this site. Please try again.",
    },
    "review_title": {"es": "Posibles duplicados", "en": "Suggested duplicates"},
    "review_status": {"es": "Estado", "en": "Status"},
    "status_open": {"es": "pendientes", "en": "open"},
    "status_unsure": {"es": "con dudas", "en": "unsure"},
    "status_same": {"es": "fusionadas", "en": "merged"},
    "status_different": {"es": "separadas", "en": "kept apart"},
    "show": {"es": "Mostrar", "en": "Show"},
    "no_candidates": {"es": "No hay sugerencias en esta lista.", "en": "No suggestions in this list."},
    "score": {"es": "Puntuación {score}", "en": "Score {score}"},
    "reasons": {"es": "Motivos", "en": "Reasons"},
    "candidate_heading": {"es": "Sugerencia {id}", "en": "Suggestion {id}"},
    "side_a": {"es": "Organización A", "en": "Organization A"},
    "side_b": {"es": "Organización B", "en": "Organization B"},
    "decide_same": {"es": "Es la misma: fusionar", "en": "Same: merge"},
    "decide_different": {"es": "Son distintas: mantener separadas", "en": "Different: keep apart"},
    "decide_unsure": {"es": "No estoy seguro", "en": "Unsure"},
    "decided": {"es": "Decisión guardada: {decision}.", "en": "Decision saved: {decision}."},
    "refresh_button": {"es": "Buscar nuevas sugerencias", "en": "Look for new suggestions"},
    "refreshed": {"es": "{n} sugerencias nuevas.", "en": "{n} new suggestions."},
    "merges_title": {"es": "Fusiones", "en": "Merges"},
    "no_merges": {"es": "Todavía no hay fusiones.", "en": "No merges yet."},
    "merge_line": {"es": "«{merged}» fusionada en «{survivor}»", "en": "“{merged}” merged into “{survivor}”"},
    "merge_by": {"es": "por {actor}, {when}", "en": "by {actor}, {when}"},
    "undone_by": {"es": "deshecha por {actor}, {when}", "en": "undone by {actor}, {when}"},
    "undo_button": {"es": "Deshacer", "en": "Undo"},
    "undone": {"es": "Fusión {id} deshecha.", "en": "Merge {id} undone."},
    "splits_title": {"es": "Divisiones", "en": "Splits"},
    "no_splits": {"es": "Todavía no hay divisiones.", "en": "No splits yet."},
    "split_line": {
        "es": "Líneas movidas: {n}, de «{source}» a «{target}»",
        "en": "Lines moved: {n}, from “{source}” to “{target}”",
    },
    "split_created": {"es": "organización nueva", "en": "new organization"},
    "split_done": {"es": "División {id} hecha.", "en": "Split {id} done."},
    "split_undone": {"es": "División {id} deshecha.", "en": "Split {id} undone."},
    "admin_organization_title": {"es": "Dividir o fusionar", "en": "Split or merge"},
    "split_or_merge": {"es": "dividir o fusionar", "en": "split or merge"},
    "public_page": {"es": "Página pública", "en": "Public page"},
    "region_conflict": {
        "es": "Los archivos no coinciden en su región: {codes}",
        "en": "The files disagree on its region: {codes}",
    },
    "conflicts_heading": {"es": "Regiones en conflicto", "en": "Regions in conflict"},
    "split_heading": {"es": "Mover líneas a otra organización", "en": "Move lines to another organization"},
    "split_hint": {
        "es": "Marque las líneas que no son de esta organización (o elija una forma impresa entera) y diga adónde van: una organización existente o una nueva. Se puede deshacer.",
        "en": "Tick the lines that are not this organization's (or choose a whole printed form) and say where they go: an existing organization or a new one. It can be undone.",
    },
    "lines_of_organization": {"es": "Líneas de firma: {n}", "en": "Signature lines: {n}"},
    "lines_cut": {"es": "Solo se muestran las primeras 2000 líneas.", "en": "Only the first 2,000 lines are shown."},
    "move": {"es": "Mover", "en": "Move"},
    "move_line": {"es": "Mover la línea {id}", "en": "Move line {id}"},
    "printed_name": {"es": "Como se imprimió", "en": "As printed"},
    "statement": {"es": "Comunicado", "en": "Statement"},
    "position": {"es": "N.º", "en": "No."},
    "file_region": {"es": "Región según el archivo", "en": "Region per the file"},
    "split_whole_form": {"es": "O todas las líneas impresas así", "en": "Or every line printed as"},
    "split_into": {"es": "A la organización (número o slug)", "en": "To the organization (number or slug)"},
    "split_into_hint": {"es": "Vacío: una organización nueva.", "en": "Empty: a new organization."},
    "split_new_name": {"es": "Nombre de la organización nueva", "en": "Name of the new organization"},
    "note": {"es": "Nota (por qué)", "en": "Note (why)"},
    "split_button": {"es": "Mover las líneas", "en": "Move the lines"},
    "merge_heading": {"es": "Fusionar con otra organización", "en": "Merge with another organization"},
    "merge_search": {"es": "Buscar la otra organización", "en": "Find the other organization"},
    "merge_with": {"es": "Con «{name}»", "en": "With “{name}”"},
    "n_statements": {"es": "comunicados: {n}", "en": "statements: {n}"},
    "survives": {"es": "sobrevive «{name}»", "en": "“{name}” survives"},
    "survivor_legend": {"es": "Si son la misma, queda", "en": "If they are the same, keep"},
    "merge_button": {"es": "Fusionar", "en": "Merge"},
    "import_title": {"es": "Importar un CSV", "en": "Import a CSV"},
    "import_file": {"es": "Archivo CSV", "en": "CSV file"},
    "import_hint": {
        "es": "Columnas: statement_title, statement_date, statement_url, organization, position (y opcionales region, acronym, country). Primero verá una vista previa; nada se guarda hasta confirmar.",
        "en": "Columns: statement_title, statement_date, statement_url, organization, position (optionally region, acronym, country). You will see a preview first; nothing is saved until you confirm.",
    },
    "preview_button": {"es": "Vista previa", "en": "Preview"},
    "preview_title": {"es": "Vista previa (nada guardado todavía)", "en": "Preview (nothing saved yet)"},
    "confirm_button": {"es": "Confirmar e importar", "en": "Confirm and import"},
    "imported_title": {"es": "Importación hecha", "en": "Import done"},
    "col_statement": {"es": "Comunicado", "en": "Statement"},
    "col_new": {"es": "¿Nuevo?", "en": "New?"},
    "col_lines_added": {"es": "Líneas nuevas", "en": "Lines added"},
    "col_lines_present": {"es": "Líneas ya presentes", "en": "Lines already present"},
    "col_orgs_created": {"es": "Organizaciones nuevas", "en": "New organizations"},
    "yes": {"es": "sí", "en": "yes"},
    "no": {"es": "no", "en": "no"},
    "upload_expired": {
        "es": "Esa vista previa ya no está disponible; vuelva a subir el archivo.",
        "en": "That preview is no longer available; upload the file again.",
    },
    "upload_empty": {"es": "Elija un archivo CSV.", "en": "Choose a CSV file."},
    "import_error": {"es": "El archivo tiene un error: {detail}", "en": "The file has an error: {detail}"},
}


def translate(language: str, key: str, **values: object) -> str:
    """The message `key` in `language`, with `{placeholders}` filled; an unknown key is a bug."""
    text = MESSAGES[key][language]
    return text.format(**values) if values else text


def parse_accept_language(header: str | None) -> list[str]:
    """Language tags from an Accept-Language header, most preferred first; q=0 means refused."""
    weighted = []
    for index, part in enumerate((header or "").split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if tag and quality > 0:
            weighted.append((-quality, index, tag.strip().lower()))
    return [tag for _, _, tag in sorted(weighted)]


def negotiate(header: str | None) -> str:
    """The first of our languages the browser accepts ('en-GB' counts as 'en'); Spanish otherwise."""
    for tag in parse_accept_language(header):
        primary = tag.split("-")[0]
        if primary in LANGUAGES:
            return primary
    return DEFAULT_LANGUAGE


def choose(query_value: str | None, cookie_value: str | None, accept_language: str | None) -> str:
    """An explicit ?lang= wins, then the cookie the switch set, then the browser's preference."""
    for value in (query_value, cookie_value):
        if value in LANGUAGES:
            return value
    return negotiate(accept_language)


def date_at_precision(language: str, value: dt.date | None, precision: str | None) -> str:
    """'2 de noviembre de 2021' / 'noviembre de 2021' / '2021', as much as the source gives."""
    if value is None:
        return translate(language, "undated")
    if precision == "year":
        return str(value.year)
    if precision == "month":
        return format_skeleton("yMMMM", value, locale=language)
    return format_date(value, format="long", locale=language)


def moment(language: str, value: dt.datetime) -> str:
    aware = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    return format_datetime(aware, format="medium", tzinfo=dt.UTC, locale=language) + " UTC"


def number(language: str, value: int | float) -> str:
    return format_decimal(value, locale=language)


def language_name(language: str, tag: str) -> str:
    """A BCP 47 tag in words: ('es', 'en') -> 'inglés'; an unknown tag is shown as given."""
    try:
        return Locale.parse(tag, sep="-").get_display_name(language) or tag
    except (ValueError, UnknownLocaleError):
        return tag


def country_name(language: str, code: str) -> str:
    """An ISO 3166-1 code in words: ('es', 'VE') -> 'Venezuela'; unknown codes as given."""
    return Locale.parse(language).territories.get(code.upper(), code)
