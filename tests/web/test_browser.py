"""The pages in a real browser (Debian's chromium through Playwright) against a live server."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from app.models import Merge, Organization, ReviewCandidate, SignatureLine, Statement
from app.services import review
from tests.importing import organization_printed_as

JOINT = "2021-11-joint-statement-icc-criminalization"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 740}
NEW_CSV = (
    "statement_title,statement_date,statement_url,organization,position\n"
    "Comunicado de prueba del navegador,2025-03,https://example.org/navegador,Aquí Cabemos Todos,1\n"
    "Comunicado de prueba del navegador,2025-03,https://example.org/navegador,Red de Prueba de Lara,2\n"
)


@pytest.fixture
def page(browser, live_server: str, seeded):
    context = browser.new_context(viewport=DESKTOP, base_url=live_server, locale="es-VE")
    opened = context.new_page()
    yield opened
    context.close()


def slug_of(factory: sessionmaker[Session], printed: str) -> str:
    with factory() as session:
        organization_id = organization_printed_as(session, printed)
        return session.get_one(Organization, organization_id).slug


# WCAG 2.1 contrast of every element that holds text, against the first opaque background behind it.
LOWEST_CONTRAST = """() => {
  const rgb = (text) => text.match(/[\\d.]+/g).map(Number);
  const luminance = ([r, g, b]) => {
    const [R, G, B] = [r, g, b].map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
    return 0.2126 * R + 0.7152 * G + 0.0722 * B;
  };
  const background = (element) => {
    for (let node = element; node; node = node.parentElement) {
      const color = rgb(getComputedStyle(node).backgroundColor);
      if (color.length < 4 || color[3] > 0) return color.slice(0, 3);
    }
    return [255, 255, 255];
  };
  let lowest = { ratio: 21, text: "" };
  for (const element of document.body.querySelectorAll("*")) {
    const ownText = [...element.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
    if (!ownText || element.getClientRects().length === 0) continue;
    const [a, b] = [luminance(rgb(getComputedStyle(element).color).slice(0, 3)), luminance(background(element))];
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    if (ratio < lowest.ratio) lowest = { ratio, text: element.textContent.trim().slice(0, 60) };
  }
  return lowest;
}"""


def no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_each_page_loads_and_reads_on_desktop_and_phone(browser, live_server: str, seeded, screenshots: Path) -> None:
    pages = {
        "home": "/",
        "search": "/buscar?q=derechos",
        "statement": f"/comunicados/{JOINT}",
        "organization": f"/organizaciones/{slug_of(seeded, 'Aquí Cabemos Todos')}",
        "region": "/regiones/ve-a",
    }
    for size_name, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        context = browser.new_context(viewport=viewport, base_url=live_server, java_script_enabled=False, locale="es-VE")
        tab = context.new_page()
        for name, path in pages.items():
            response = tab.goto(path)
            assert response.status == 200, path
            assert tab.locator("h1").count() == 1
            assert no_horizontal_scroll(tab), (size_name, path)
            lowest = tab.evaluate(LOWEST_CONTRAST)
            assert lowest["ratio"] >= 4.5, (path, lowest)
            tab.screenshot(path=str(screenshots / f"{name}-{size_name}.png"), full_page=False)
        context.close()


def test_search_and_follow_links_to_an_organization_and_its_statement_with_javascript_off(browser, live_server: str, seeded) -> None:
    context = browser.new_context(viewport=DESKTOP, base_url=live_server, java_script_enabled=False, locale="es-VE")
    tab = context.new_page()
    tab.goto("/")
    tab.get_by_label("Buscar una organización o un comunicado").fill("aqui cabemos")
    tab.keyboard.press("Enter")
    tab.wait_for_url("**/buscar?q=aqui+cabemos")
    tab.get_by_role("link", name="Aquí Cabemos Todos").click()
    assert tab.locator("h1").inner_text() == "Aquí Cabemos Todos"
    tab.locator("ol.timeline a").first.click()
    assert "/comunicados/" in tab.url
    assert tab.locator("table.lines tbody tr").count() > 100
    assert tab.locator("tr.repeat").count() >= 1
    tab.get_by_role("link", name="Buscar", exact=True).click()
    tab.get_by_label("Año").select_option("2021")
    tab.get_by_role("button", name="Buscar").click()
    dates = tab.locator("ol.statements .meta").all_inner_texts()
    assert dates and all("2021" in shown for shown in dates)
    context.close()


def test_keyboard_reaches_the_skip_link_first_and_submits_the_search(page) -> None:
    page.goto("/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Saltar al contenido"
    page.locator("#q").focus()
    page.keyboard.type("provea")
    page.keyboard.press("Enter")
    page.wait_for_url("**/buscar?q=provea")
    assert "provea" in page.locator("h1").inner_text().lower()


def test_switching_language_changes_the_page_and_is_remembered(page) -> None:
    page.goto(f"/comunicados/{JOINT}")
    assert page.locator("html").get_attribute("lang") == "es"
    page.get_by_role("link", name="English").click()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("heading", name="Signatures, exactly as printed").is_visible()
    page.get_by_role("link", name="Home").click()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("heading", name="Latest statements").is_visible()


def log_in(page, token: str) -> None:
    page.goto("/admin")
    page.get_by_label("Token de administración").fill(token)
    page.get_by_role("button", name="Entrar").click()
    page.wait_for_url("**/admin/revision")


def test_admin_logs_in_decides_a_suggestion_and_undoes_the_merge(page, seeded, admin_token: str, screenshots: Path) -> None:
    with seeded() as session, session.begin():
        review.raise_suggestions(session)
    log_in(page, admin_token)
    first = page.locator("article.candidate").first
    candidate_id = int(first.get_attribute("aria-labelledby").split("-")[1])
    page.screenshot(path=str(screenshots / "admin-review-desktop.png"))
    assert page.evaluate(LOWEST_CONTRAST)["ratio"] >= 4.5
    page.set_viewport_size(PHONE)
    assert no_horizontal_scroll(page)
    page.screenshot(path=str(screenshots / "admin-review-phone.png"))
    page.set_viewport_size(DESKTOP)
    first.get_by_role("button", name="Es la misma: fusionar").click()
    assert page.get_by_role("status").inner_text() == "Decisión guardada: fusionadas."
    with seeded() as session:
        merge = session.scalar(select(Merge).where(Merge.candidate_id == candidate_id))
        assert merge is not None and merge.undone_at is None
    page.get_by_role("link", name="Fusiones").click()
    page.get_by_role("button", name=f"Deshacer #{merge.id}").click()
    assert page.get_by_role("status").inner_text() == f"Fusión {merge.id} deshecha."
    with seeded() as session:
        assert session.get_one(Merge, merge.id).undone_at is not None
        assert session.get_one(ReviewCandidate, candidate_id).status == "open"


def test_admin_uploads_a_csv_previews_it_and_confirms(page, seeded, admin_token: str, tmp_path: Path, screenshots: Path) -> None:
    upload = tmp_path / "navegador.csv"
    upload.write_text(NEW_CSV, encoding="utf-8")
    log_in(page, admin_token)
    page.get_by_role("link", name="Importar un CSV").click()
    page.get_by_label("Archivo CSV").set_input_files(str(upload))
    page.get_by_role("button", name="Vista previa").click()
    assert page.locator("h1").inner_text() == "Vista previa (nada guardado todavía)"
    assert page.locator("table.report tbody td").all_inner_texts() == ["Comunicado de prueba del navegador", "sí", "2", "0", "1"]
    page.screenshot(path=str(screenshots / "admin-import-preview-desktop.png"))
    with seeded() as session:
        assert session.scalar(select(Statement).where(Statement.title == "Comunicado de prueba del navegador")) is None
    page.get_by_role("button", name="Confirmar e importar").click()
    assert page.locator("h1").inner_text() == "Importación hecha"
    page.get_by_role("link", name="Comunicado de prueba del navegador").click()
    assert page.locator("table.lines tbody tr").count() == 2


def _line_ids(factory: sessionmaker[Session], organization_id: int) -> list[int]:
    with factory() as session:
        return list(session.scalars(select(SignatureLine.id).where(SignatureLine.organization_id == organization_id).order_by(SignatureLine.id)))


def test_admin_splits_a_line_and_a_printed_form_and_undoes_both(page, seeded, admin_token: str) -> None:
    with seeded() as session:
        cabemos = organization_printed_as(session, "Aquí Cabemos Todos")
        foro = organization_printed_as(session, "Foro Penal")
    first, repeat = _line_ids(seeded, cabemos)
    log_in(page, admin_token)

    page.goto(f"/admin/organizaciones/{cabemos}")
    page.get_by_label(f"Mover la línea {repeat}").check()
    page.get_by_label("Nombre de la organización nueva").fill("Aquí Cabemos Todos (otra)")
    page.get_by_role("button", name="Mover las líneas").click()
    assert page.get_by_role("status").inner_text() == "División 1 hecha."
    with seeded() as session:
        moved_to = session.get_one(SignatureLine, repeat).organization_id
        assert moved_to != cabemos and session.get_one(Organization, moved_to).name == "Aquí Cabemos Todos (otra)"
        assert session.get_one(SignatureLine, first).organization_id == cabemos

    page.goto(f"/admin/organizaciones/{cabemos}")
    page.get_by_label("O todas las líneas impresas así").select_option("Aquí Cabemos Todos")
    page.get_by_label("A la organización (número o slug)").fill(str(foro))
    page.get_by_role("button", name="Mover las líneas").click()
    assert page.get_by_role("status").inner_text() == "División 2 hecha."
    assert _line_ids(seeded, cabemos) == []

    page.get_by_role("button", name="Deshacer #2").click()
    assert page.get_by_role("status").inner_text() == "División 2 deshecha."
    page.get_by_role("button", name="Deshacer #1").click()
    assert page.get_by_role("status").inner_text() == "División 1 deshecha."
    assert _line_ids(seeded, cabemos) == [first, repeat]
    with seeded() as session:
        assert session.get(Organization, moved_to) is None  # made by the split, gone with its undo


def test_admin_merges_any_two_organizations_choosing_the_survivor(page, seeded, admin_token: str) -> None:
    with seeded() as session:
        cabemos = organization_printed_as(session, "Aquí Cabemos Todos")
        foro = organization_printed_as(session, "Foro Penal")
    log_in(page, admin_token)
    page.goto(f"/admin/organizaciones/{cabemos}")
    page.get_by_label("Buscar la otra organización").fill("foro penal")
    page.get_by_role("button", name="Buscar", exact=True).last.click()
    offer = page.locator("form.merge-with").first
    assert offer.get_by_label("sobrevive «Aquí Cabemos Todos»").is_checked() or offer.get_by_label("sobrevive «Foro Penal»").is_checked()
    offer.get_by_label("sobrevive «Foro Penal»").check()
    offer.get_by_role("button", name="Fusionar").click()
    assert "/admin/fusiones" in page.url
    with seeded() as session:
        merge = session.scalar(select(Merge))
        assert (merge.merged_id, merge.survivor_id) == (cabemos, foro)
