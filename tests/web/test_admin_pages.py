"""Admin pages through the real app: login cookie, CSRF refusals, review decisions, undo, CSV import."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from app.main import create_app
from app.models import Merge, ReviewCandidate, SignatureLine, Statement
from app.services import importer, review
from app.settings import Settings
from tests.web.html import find_all, headings, parse, text_of

NEW_CSV = (
    "statement_title,statement_date,statement_url,organization,position\n"
    "Pronunciamiento de prueba,2025-02-03,https://example.org/prueba,Aquí Cabemos Todos,1\n"
    "Pronunciamiento de prueba,2025-02-03,https://example.org/prueba,Organización Nueva del Zulia,2\n"
)


def hidden(html: str, name: str) -> str:
    return next(i.get("value") for i in find_all(parse(html), "input") if i.get("name") == name)


def log_in(client: TestClient, token: str) -> str:
    """Log in through the form; returns the CSRF value of the admin pages."""
    form = client.get("/admin/entrar")
    response = client.post("/admin/entrar", data={"token": token, "csrf": hidden(form.text, "csrf")}, follow_redirects=False)
    assert response.status_code == 303
    return hidden(client.get(response.headers["location"]).text, "csrf")


def count(factory: sessionmaker[Session], model) -> int:
    with factory() as session:
        return session.scalar(select(func.count()).select_from(model))


def open_candidates(factory: sessionmaker[Session]) -> None:
    with factory() as session, session.begin():
        review.raise_suggestions(session)


def test_admin_pages_send_visitors_to_the_login_form(seeded_client: TestClient) -> None:
    for path in ("/admin", "/admin/revision", "/admin/fusiones", "/admin/importar", "/admin/divisiones", "/admin/organizaciones/1"):
        response = seeded_client.get(path, follow_redirects=False)
        assert response.status_code == 303, path
        assert response.headers["location"].startswith("/admin/entrar")


def test_a_wrong_token_is_refused_and_the_form_shown_again(seeded_client: TestClient, admin_token: str) -> None:
    form = seeded_client.get("/admin/entrar")
    response = seeded_client.post("/admin/entrar", data={"token": "firmas_wrong", "csrf": hidden(form.text, "csrf")})
    assert response.status_code == 401
    assert "firmas_admin" not in response.cookies
    assert find_all(parse(response.text), "form")


def test_login_sets_an_httponly_samesite_strict_cookie_secure_over_https(settings: Settings, seeded, admin_token: str) -> None:
    with TestClient(create_app(settings), base_url="https://testserver") as client:
        form = client.get("/admin/entrar")
        response = client.post("/admin/entrar", data={"token": admin_token, "csrf": hidden(form.text, "csrf")}, follow_redirects=False)
    cookie = next(value for key, value in response.headers.multi_items() if key == "set-cookie" and value.startswith("firmas_admin="))
    attributes = {part.strip().split("=")[0].lower() for part in cookie.split(";")}
    assert {"httponly", "secure", "samesite"} <= attributes
    assert "samesite=strict" in cookie.lower() and "path=/admin" in cookie.lower()


def test_login_without_its_csrf_value_is_refused(seeded_client: TestClient, admin_token: str) -> None:
    seeded_client.get("/admin/entrar")
    response = seeded_client.post("/admin/entrar", data={"token": admin_token}, follow_redirects=False)
    assert response.status_code == 403
    assert "firmas_admin" not in response.cookies


def test_every_admin_post_without_csrf_is_refused_and_changes_nothing(seeded_client: TestClient, seeded, admin_token: str) -> None:
    open_candidates(seeded)
    log_in(seeded_client, admin_token)
    with seeded() as session:
        candidate_id = session.scalar(select(ReviewCandidate.id).limit(1))
    for path, data in (
        (f"/admin/revision/{candidate_id}/decision", {"decision": "same"}),
        (f"/admin/revision/{candidate_id}/decision", {"decision": "same", "csrf": "forged"}),
        ("/admin/revision/actualizar", {}),
        ("/admin/fusiones/1/deshacer", {}),
        ("/admin/organizaciones/1/dividir", {"lines": "1"}),
        ("/admin/organizaciones/1/fusionar", {"other": "2", "survivor": "2"}),
        ("/admin/divisiones/1/deshacer", {}),
        ("/admin/importar/confirmar", {"upload": "0" * 64}),
        ("/admin/salir", {}),
    ):
        response = seeded_client.post(path, data=data, follow_redirects=False)
        assert response.status_code == 403, path
        assert response.headers["content-type"].startswith("text/html")
    assert count(seeded, Merge) == 0
    with seeded() as session:
        assert session.get_one(ReviewCandidate, candidate_id).status == "open"


def test_review_page_shows_both_sides_with_names_and_statements_and_is_valid_html(seeded_client: TestClient, seeded, admin_token: str) -> None:
    open_candidates(seeded)
    log_in(seeded_client, admin_token)
    root = parse(seeded_client.get("/admin/revision").text)
    articles = [a for a in find_all(root, "article") if a.get("class") == "candidate"]
    with seeded() as session:
        assert len(articles) == min(20, len(review.list_candidates(session, limit=1000).items))
    first = articles[0]
    sides = [s for s in first.iter("section") if s.get("class") == "side"]
    assert len(sides) == 2 and all(side.find("ul/li/q") is not None for side in sides)
    assert {b.get("value") for b in first.iter("button")} == {"same", "different", "unsure"}
    levels = headings(root)
    assert levels.count(1) == 1 and all(b - a <= 1 for a, b in zip(levels, levels[1:]))


def test_deciding_same_merges_and_undo_restores(seeded_client: TestClient, seeded, admin_token: str) -> None:
    open_candidates(seeded)
    csrf = log_in(seeded_client, admin_token)
    with seeded() as session:
        candidate_id = review.list_candidates(session, limit=1).items[0].id
    decided = seeded_client.post(f"/admin/revision/{candidate_id}/decision", data={"decision": "same", "csrf": csrf})
    assert decided.status_code == 200 and "Decisión guardada: fusionadas." in text_of(parse(decided.text))
    with seeded() as session:
        merge = session.scalar(select(Merge))
        assert (merge.candidate_id, merge.actor) == (candidate_id, "test-admin")
    merges_page = seeded_client.get("/admin/fusiones")
    assert f"merge-{merge.id}" in merges_page.text
    undone = seeded_client.post(f"/admin/fusiones/{merge.id}/deshacer", data={"csrf": csrf})
    assert undone.status_code == 200
    with seeded() as session:
        assert session.get_one(Merge, merge.id).undone_by == "test-admin"
        assert session.get_one(ReviewCandidate, candidate_id).status == "open"


def test_deciding_twice_shows_the_conflict_as_an_html_page(seeded_client: TestClient, seeded, admin_token: str) -> None:
    open_candidates(seeded)
    csrf = log_in(seeded_client, admin_token)
    with seeded() as session:
        candidate_id = review.list_candidates(session, limit=1).items[0].id
    seeded_client.post(f"/admin/revision/{candidate_id}/decision", data={"decision": "different", "csrf": csrf})
    again = seeded_client.post(f"/admin/revision/{candidate_id}/decision", data={"decision": "same", "csrf": csrf})
    assert again.status_code == 409 and again.headers["content-type"].startswith("text/html")
    assert "already decided" in text_of(parse(again.text))


def test_csv_upload_previews_without_writing_then_imports_on_confirm(seeded_client: TestClient, seeded, admin_token: str) -> None:
    csrf = log_in(seeded_client, admin_token)
    statements_before, lines_before = count(seeded, Statement), count(seeded, SignatureLine)
    preview = seeded_client.post("/admin/importar", data={"csrf": csrf}, files={"file": ("prueba.csv", NEW_CSV.encode(), "text/csv")})
    assert preview.status_code == 200
    cells = [text_of(td) for td in find_all(parse(preview.text), "td")]
    assert cells == ["Pronunciamiento de prueba", "sí", "2", "0", "1"]
    assert (count(seeded, Statement), count(seeded, SignatureLine)) == (statements_before, lines_before)
    confirmed = seeded_client.post("/admin/importar/confirmar", data={"csrf": csrf, "upload": hidden(preview.text, "upload")})
    assert confirmed.status_code == 200
    assert (count(seeded, Statement), count(seeded, SignatureLine)) == (statements_before + 1, lines_before + 2)
    again = seeded_client.post("/admin/importar/confirmar", data={"csrf": csrf, "upload": hidden(preview.text, "upload")})
    assert again.status_code == 409


def test_the_upload_page_reports_what_the_cli_import_reports(seeded_client: TestClient, seeded, admin_token: str, tmp_path: Path) -> None:
    """One flow, two doors: the page's preview and the import function agree on the same file."""
    path = tmp_path / "prueba.csv"
    path.write_text(NEW_CSV, encoding="utf-8")
    with seeded() as session:
        session.begin()
        with path.open("rb") as stream:
            record = importer.run_import(session, stream, options=importer.ImportOptions(dry_run=True), actor="cli")
        totals = record.report["totals"]
        session.rollback()
    csrf = log_in(seeded_client, admin_token)
    preview = seeded_client.post("/admin/importar", data={"csrf": csrf}, files={"file": ("prueba.csv", NEW_CSV.encode(), "text/csv")})
    cells = [text_of(td) for td in find_all(parse(preview.text), "td")]
    assert cells[2:] == [str(totals["lines_added"]), str(totals["lines_present"]), str(totals["organizations_created"])]


def test_a_bad_csv_is_reported_with_its_line_and_nothing_is_written(seeded_client: TestClient, seeded, admin_token: str) -> None:
    csrf = log_in(seeded_client, admin_token)
    bad = "statement_title,statement_date,statement_url,organization,position\nX,2025-13-45,,Y,1\n"
    before = count(seeded, Statement)
    response = seeded_client.post("/admin/importar", data={"csrf": csrf}, files={"file": ("bad.csv", bad.encode(), "text/csv")})
    assert response.status_code == 422
    assert "line 2" in text_of(parse(response.text))
    assert count(seeded, Statement) == before


def test_logout_clears_the_session(seeded_client: TestClient, admin_token: str) -> None:
    csrf = log_in(seeded_client, admin_token)
    response = seeded_client.post("/admin/salir", data={"csrf": csrf}, follow_redirects=False)
    assert response.status_code == 303
    assert seeded_client.get("/admin/revision", follow_redirects=False).status_code == 303


def test_admin_pages_are_valid_html(seeded_client: TestClient, seeded, admin_token: str) -> None:
    open_candidates(seeded)
    log_in(seeded_client, admin_token)
    for path in ("/admin/revision", "/admin/revision?status=different", "/admin/fusiones", "/admin/importar", "/admin/revision?lang=en"):
        response = seeded_client.get(path)
        assert response.status_code == 200, path
        parse(response.text)
    english = parse(seeded_client.get("/admin/revision").text)
    assert english.get("lang") == "en"
    assert text_of(next(iter(find_all(english, "h1")))) == "Suggested duplicates"


def test_the_review_page_shows_which_side_survives_before_the_click(seeded_client: TestClient, seeded, admin_token: str) -> None:
    open_candidates(seeded)
    log_in(seeded_client, admin_token)
    root = parse(seeded_client.get("/admin/revision").text)
    first = next(a for a in find_all(root, "article") if a.get("class") == "candidate")
    candidate_id = int(first.get("aria-labelledby").split("-")[1])
    checked = [i.get("value") for i in first.iter("input") if i.get("name") == "survivor" and i.get("checked") is not None]
    with seeded() as session:
        proposed = review.proposed_survivor(session, session.get_one(ReviewCandidate, candidate_id))
    assert checked == [str(proposed)]
