//! The zorgkantoor themes endpoints against DynamoDB Local: public reads with ETags and 304s,
//! CSV output, editions (drafts, publishing, immutability, change summaries), the publisher's
//! role checks, and Wlz tariff quotes grounded in the published rules.

use integration_tests::{assert_problem, json_body, TestApp};
use serde_json::{json, Value};

const SEED: &str = include_str!("../../../shared/domain/data/themes/seed-edition.json");

fn seed_doc() -> Value {
    serde_json::from_str(SEED).unwrap()
}

/// A new edition: the seed with one cell changed, the empty cell filled and one cell emptied.
fn next_edition(id: &str) -> Value {
    let mut doc = seed_doc();
    doc["edition"] = id.into();
    for cell in doc["cells"].as_array_mut().unwrap() {
        match (cell["zorgkantoor"].as_str().unwrap(), cell["theme"].as_str().unwrap()) {
            ("cz", "overig") => cell["points"].as_array_mut().unwrap().push("Een nieuw punt, met komma.".into()),
            ("salland", "duurzaamheid") => cell["points"] = json!(["Verduurzaming is onderdeel van de dialoog."]),
            ("dsw", "overig") => cell["points"] = json!([]),
            _ => {}
        }
    }
    doc
}

async fn put_edition(app: &TestApp, id: &str, doc: &Value) -> reqwest::Response {
    app.as_caller(app.put(&format!("/v1/themes/editions/{id}")), "publisher", "zorginkoop-redactie")
        .await
        .json(doc)
        .send()
        .await
        .unwrap()
}

async fn publish(app: &TestApp, id: &str) -> reqwest::Response {
    app.as_caller(app.post(&format!("/v1/themes/editions/{id}/publish")), "publisher", "zorginkoop-redactie")
        .await
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn zorgkantoren_are_listed_in_column_order_with_their_sources() {
    let app = TestApp::spawn_seeded().await;
    let response = app.get("/v1/zorgkantoren").send().await.unwrap();
    assert_eq!(response.status(), 200);
    let body = json_body(response).await;
    assert_eq!(body["edition"], "2023-07");
    let ids: Vec<_> = body["zorgkantoren"].as_array().unwrap().iter().map(|z| z["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["zilveren-kruis", "vgz", "menzis", "cz", "salland", "dsw", "zorg-en-zekerheid"]);
    assert_eq!(
        body["zorgkantoren"][6]["source_document"],
        "Inkoopbeleid 2024 Wlz | Zorgkantoor Zorg en Zekerheid (zorgkantoor-zorgenzekerheid.nl)"
    );

    let cz = json_body(app.get("/v1/zorgkantoren/cz").send().await.unwrap()).await;
    assert_eq!(cz["name"], "CZ");
    let kinds: Vec<_> = cz["tariff_rules"].as_array().unwrap().iter().map(|r| r["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["guide_percentage", "new_provider_reduction", "surcharge", "surcharge", "open"]);
    assert_eq!(cz["tariff_rules"][2]["points"], "0.1");
    assert_eq!(cz["tariff_rules"][2]["source"]["point"], 3);

    assert_problem(app.get("/v1/zorgkantoren/achmea").send().await.unwrap(), 404).await;
    assert_problem(app.get("/v1/zorgkantoren/cz?foo=1").send().await.unwrap(), 422).await;
    // Well-formed but unknown: 404; malformed: 422 (issue 16).
    assert_problem(app.get("/v1/zorgkantoren?edition=1999-01").send().await.unwrap(), 404).await;
    assert_problem(app.get("/v1/zorgkantoren?edition=Bad_Id").send().await.unwrap(), 422).await;
}

#[tokio::test]
async fn nothing_published_is_404() {
    let app = TestApp::spawn().await;
    assert_problem(app.get("/v1/themes").send().await.unwrap(), 404).await;
    let list = json_body(app.get("/v1/themes/editions").send().await.unwrap()).await;
    assert_eq!(list, json!({"latest_published": null, "editions": []}));
}

#[tokio::test]
async fn seeding_twice_changes_nothing() {
    let app = TestApp::spawn_seeded().await;
    let before = json_body(app.get("/v1/themes/editions").send().await.unwrap()).await;
    themes::seed(&app.ctx).await.unwrap();
    let after = json_body(app.get("/v1/themes/editions").send().await.unwrap()).await;
    assert_eq!(before, after);
    assert_eq!(after["editions"].as_array().unwrap().len(), 1);
    assert_eq!(after["editions"][0]["status"], "published");
    assert_eq!(after["editions"][0]["published_at"], "2023-07-01T00:00:00Z");
}

#[tokio::test]
async fn themes_matrix_is_filtered_by_theme_and_zorgkantoor() {
    let app = TestApp::spawn_seeded().await;
    let all = json_body(app.get("/v1/themes").send().await.unwrap()).await;
    assert_eq!(all["cells"].as_array().unwrap().len(), 49);
    assert_eq!(all["period"], json!({"from": 2024, "to": 2026}));
    assert_eq!(all["as_of"], "2023-07-01");
    // Cells carry their provenance.
    let salland = all["cells"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["zorgkantoor"] == "salland" && c["theme"] == "duurzaamheid")
        .unwrap();
    assert_eq!(salland["points"], json!([]));
    assert_eq!(salland["confidence"], "low");
    assert!(salland["note"].as_str().unwrap().contains("empty"));

    let part = json_body(
        app.get("/v1/themes?theme=bekostiging-en-tarieven&zorgkantoor=cz&zorgkantoor=dsw").send().await.unwrap(),
    )
    .await;
    let cells = part["cells"].as_array().unwrap();
    assert_eq!(cells.len(), 2);
    assert_eq!(cells[0]["zorgkantoor"], "cz");
    assert_eq!(cells[1]["zorgkantoor"], "dsw");
    assert_eq!(part["themes"].as_array().unwrap().len(), 1);
    assert_eq!(part["zorgkantoren"].as_array().unwrap().len(), 2);
    let comma = json_body(app.get("/v1/themes?theme=kwaliteit,overig").send().await.unwrap()).await;
    assert_eq!(comma["cells"].as_array().unwrap().len(), 14);

    let problem = assert_problem(app.get("/v1/themes?theme=finance").send().await.unwrap(), 422).await;
    assert_eq!(problem["errors"][0]["pointer"], "/query/theme");
    let problem = assert_problem(app.get("/v1/themes?zorgkantoor=achmea").send().await.unwrap(), 422).await;
    assert_eq!(problem["errors"][0]["pointer"], "/query/zorgkantoor");
    assert_problem(app.get("/v1/themes?edition=2030-01").send().await.unwrap(), 404).await;
    let explicit = json_body(app.get("/v1/themes?edition=2023-07&zorgkantoor=vgz").send().await.unwrap()).await;
    assert_eq!(explicit["cells"].as_array().unwrap().len(), 7);
}

#[tokio::test]
async fn one_column_of_the_table() {
    let app = TestApp::spawn_seeded().await;
    let body = json_body(app.get("/v1/zorgkantoren/zorg-en-zekerheid/themes").send().await.unwrap()).await;
    let cells = body["cells"].as_array().unwrap();
    assert_eq!(cells.len(), 7);
    assert!(cells.iter().all(|c| c["zorgkantoor"] == "zorg-en-zekerheid"));
    let themes: Vec<_> = cells.iter().map(|c| c["theme"].as_str().unwrap()).collect();
    assert_eq!(themes[0], "algemeen");
    assert_eq!(themes[6], "overig");
    assert_eq!(cells[3]["points"][5], "Mogelijkheid tot meerjarige werkgeversopslag (0,3% van NZa tarief in 2024).");
    assert_problem(app.get("/v1/zorgkantoren/nope/themes").send().await.unwrap(), 404).await;
}

#[tokio::test]
async fn csv_has_one_properly_quoted_row_per_point() {
    let app = TestApp::spawn_seeded().await;
    let response = app
        .get("/v1/themes?zorgkantoor=cz&theme=bekostiging-en-tarieven")
        .header("accept", "text/csv")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert!(response.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
    assert!(response.headers().contains_key("etag"));
    let text = response.text().await.unwrap();
    let lines: Vec<_> = text.trim_end().split("\r\n").collect();
    assert_eq!(lines[0], "edition,zorgkantoor,theme,point,text");
    assert_eq!(lines.len(), 6);
    assert_eq!(
        lines[1],
        "2023-07,cz,bekostiging-en-tarieven,1,\"Hanteert richttariefpercentage die gezamenlijk is vastgesteld: max. 95,5% van NZa tarief.\""
    );
    assert_eq!(
        lines[3],
        "2023-07,cz,bekostiging-en-tarieven,3,\"Opslag voor gebruik van bewezen effectieve arbeidsbesparende technologie: +0,1%\""
    );

    // The whole table: one row per point, empty cells give no rows.
    let all = app.get("/v1/themes").header("accept", "text/csv").send().await.unwrap().text().await.unwrap();
    let doc = seed_doc();
    let points: usize = doc["cells"].as_array().unwrap().iter().map(|c| c["points"].as_array().unwrap().len()).sum();
    assert_eq!(all.trim_end().split("\r\n").count(), points + 1);
    // A quoted field may hold a newline or a quote; none do here, but every ’ survives intact.
    assert!(all.contains("thema’s"));

    let column = app.get("/v1/zorgkantoren/dsw/themes").header("accept", "text/csv").send().await.unwrap();
    let column = column.text().await.unwrap();
    assert!(column.lines().skip(1).all(|l| l.starts_with("2023-07,dsw,")));
}

#[tokio::test]
async fn reads_carry_etags_and_answer_304() {
    let app = TestApp::spawn_seeded().await;
    for path in [
        "/v1/zorgkantoren",
        "/v1/zorgkantoren/vgz",
        "/v1/zorgkantoren/vgz/themes",
        "/v1/themes",
        "/v1/themes?theme=technologie",
        "/v1/themes/editions",
        "/v1/themes/editions/2023-07",
    ] {
        let response = app.get(path).send().await.unwrap();
        assert_eq!(response.status(), 200, "{path}");
        let etag = response.headers()["etag"].to_str().unwrap().to_owned();
        let cache = response.headers()["cache-control"].to_str().unwrap().to_owned();
        assert!(cache.contains("max-age"), "{path}: {cache}");
        let again = app.get(path).header("if-none-match", &etag).send().await.unwrap();
        assert_eq!(again.status(), 304, "{path}");
        assert_eq!(again.headers()["etag"].to_str().unwrap(), etag);
        assert!(again.text().await.unwrap().is_empty());
        let stale = app.get(path).header("if-none-match", "\"stale\"").send().await.unwrap();
        assert_eq!(stale.status(), 200, "{path}");
    }
    // JSON and CSV of the same resource have different tags.
    let json_tag = app.get("/v1/themes").send().await.unwrap().headers()["etag"].clone();
    let csv_tag = app.get("/v1/themes").header("accept", "text/csv").send().await.unwrap().headers()["etag"].clone();
    assert_ne!(json_tag, csv_tag);
}

#[tokio::test]
async fn writes_need_the_publisher_role() {
    let app = TestApp::spawn_seeded().await;
    let doc = next_edition("2024-01");
    let response = app.put("/v1/themes/editions/2024-01").json(&doc).send().await.unwrap();
    assert_problem(response, 401).await;
    assert_problem(app.post("/v1/themes/editions/2023-07/publish").send().await.unwrap(), 401).await;
    for (role, org) in [("igo", "53012345"), ("insurer", "3311")] {
        let response =
            app.as_caller(app.put("/v1/themes/editions/2024-01"), role, org).await.json(&doc).send().await.unwrap();
        assert_problem(response, 403).await;
        let response =
            app.as_caller(app.post("/v1/themes/editions/2024-01/publish"), role, org).await.send().await.unwrap();
        assert_problem(response, 403).await;
    }
    // Nothing was written.
    assert_problem(app.get("/v1/themes/editions/2024-01").send().await.unwrap(), 404).await;
}

#[tokio::test]
async fn drafts_are_validated() {
    let app = TestApp::spawn_seeded().await;
    let mut doc = next_edition("2024-01");
    doc["themes"].as_array_mut().unwrap().pop();
    doc["cells"][0]["points"][0] = "x".repeat(2_001).into();
    let problem = assert_problem(put_edition(&app, "2024-01", &doc).await, 422).await;
    let pointers: Vec<_> =
        problem["errors"].as_array().unwrap().iter().map(|e| e["pointer"].as_str().unwrap()).collect();
    assert!(pointers.contains(&"/themes") && pointers.contains(&"/cells/0/points/0"), "{pointers:?}");

    let mut doc = next_edition("2024-01");
    doc["zorgkantoren"][0]["id"] = "achmea".into();
    let problem = assert_problem(put_edition(&app, "2024-01", &doc).await, 422).await;
    assert_eq!(problem["errors"][0]["pointer"], "/zorgkantoren/0/id");

    let mut doc = next_edition("2024-01");
    doc["tariff_rules"][0]["source"]["quote"] = "96%".into();
    let problem = assert_problem(put_edition(&app, "2024-01", &doc).await, 422).await;
    assert_eq!(problem["errors"][0]["pointer"], "/tariff_rules/0/source/quote");

    // The body's edition is not the path's: inconsistent with the target, 409 (RFC 9110 9.3.4).
    let problem = assert_problem(put_edition(&app, "2024-02", &next_edition("2024-01")).await, 409).await;
    assert!(problem["detail"].as_str().unwrap().contains("/edition"), "{problem}");
    assert_problem(put_edition(&app, "Bad_Id", &next_edition("Bad_Id")).await, 422).await;
    let raw = app
        .as_caller(app.put("/v1/themes/editions/2024-01"), "publisher", "redactie")
        .await
        .header("content-type", "application/json")
        .body("{")
        .send()
        .await
        .unwrap();
    assert_problem(raw, 400).await;
}

#[tokio::test]
async fn publishing_a_draft_and_the_change_summary() {
    let app = TestApp::spawn_seeded().await;
    let response = put_edition(&app, "2024-01", &next_edition("2024-01")).await;
    assert_eq!(response.status(), 201);
    assert_eq!(response.headers()["location"], "/v1/themes/editions/2024-01");
    let draft = json_body(response).await;
    assert_eq!(draft["status"], "draft");
    assert_eq!(draft["published_at"], Value::Null);
    assert_eq!(draft["latest"], false);
    let changes = &draft["changes"];
    assert_eq!(changes["against"], "2023-07");
    assert_eq!(changes["cells_added"], json!([{"zorgkantoor": "salland", "theme": "duurzaamheid"}]));
    assert_eq!(changes["cells_removed"], json!([{"zorgkantoor": "dsw", "theme": "overig"}]));
    assert_eq!(changes["cells_changed"], json!([{"zorgkantoor": "cz", "theme": "overig"}]));
    assert_eq!(changes["tariff_rules_changed"], false);

    // A draft may be rewritten (200) and is not what public reads serve.
    let mut doc = next_edition("2024-01");
    doc["title"] = "Tabel thema's 2024-2026, herziene editie".into();
    assert_eq!(put_edition(&app, "2024-01", &doc).await.status(), 200);
    let matrix = json_body(app.get("/v1/themes").send().await.unwrap()).await;
    assert_eq!(matrix["edition"], "2023-07");
    assert_problem(app.get("/v1/themes?edition=2024-01").send().await.unwrap(), 404).await;

    let published = publish(&app, "2024-01").await;
    assert_eq!(published.status(), 200);
    let published = json_body(published).await;
    assert_eq!(published["status"], "published");
    assert!(published["published_at"].is_string());
    assert_eq!(published["latest"], true);

    let matrix = json_body(app.get("/v1/themes?zorgkantoor=cz&theme=overig").send().await.unwrap()).await;
    assert_eq!(matrix["edition"], "2024-01");
    assert_eq!(matrix["title"], "Tabel thema's 2024-2026, herziene editie");
    assert_eq!(matrix["cells"][0]["points"].as_array().unwrap().last().unwrap(), "Een nieuw punt, met komma.");
    // The older edition stays readable.
    let old = json_body(app.get("/v1/themes?edition=2023-07&zorgkantoor=cz&theme=overig").send().await.unwrap()).await;
    assert_eq!(old["cells"][0]["points"].as_array().unwrap().len(), 1);

    let list = json_body(app.get("/v1/themes/editions").send().await.unwrap()).await;
    assert_eq!(list["latest_published"], "2024-01");
    let editions = list["editions"].as_array().unwrap();
    assert_eq!(editions.len(), 2);
    assert_eq!(editions[0]["edition"], "2023-07");
    assert_eq!(editions[0]["latest"], false);
    assert_eq!(editions[0]["changes"]["against"], Value::Null);
    assert_eq!(editions[0]["changes"]["cells_added"].as_array().unwrap().len(), 48);
    assert_eq!(editions[1]["changes"]["cells_changed"], json!([{"zorgkantoor": "cz", "theme": "overig"}]));

    let one = json_body(app.get("/v1/themes/editions/2024-01").send().await.unwrap()).await;
    assert_eq!(one["document"]["edition"], "2024-01");
    assert_eq!(one["changes"]["cells_removed"], json!([{"zorgkantoor": "dsw", "theme": "overig"}]));
    assert_problem(app.get("/v1/themes/editions/1999-01").send().await.unwrap(), 404).await;
}

/// Reads keep published editions in the function's memory (they never change); two tables
/// served by one process, each with its own edition "2024-01", must still each see their own,
/// and a newly published edition must be served at once.
#[tokio::test]
async fn remembered_editions_stay_with_their_table_and_never_hide_a_new_one() {
    let (a, b) = (TestApp::spawn_seeded().await, TestApp::spawn_seeded().await);
    for (app, title) in [(&a, "Editie van tabel A"), (&b, "Editie van tabel B")] {
        // The seed edition is read (and remembered) before the new one is published.
        assert_eq!(json_body(app.get("/v1/themes").send().await.unwrap()).await["edition"], "2023-07");
        let mut doc = next_edition("2024-01");
        doc["title"] = title.into();
        assert_eq!(put_edition(app, "2024-01", &doc).await.status(), 201);
        assert_eq!(publish(app, "2024-01").await.status(), 200);
    }
    for (app, title) in [(&a, "Editie van tabel A"), (&b, "Editie van tabel B"), (&a, "Editie van tabel A")] {
        for path in ["/v1/themes", "/v1/themes?edition=2024-01", "/v1/zorgkantoren"] {
            let body = json_body(app.get(path).send().await.unwrap()).await;
            assert_eq!(body["edition"], "2024-01", "{path}");
            if path != "/v1/zorgkantoren" {
                assert_eq!(body["title"], title, "{path}");
            }
        }
    }
}

#[tokio::test]
async fn published_editions_are_immutable() {
    let app = TestApp::spawn_seeded().await;
    let problem = assert_problem(put_edition(&app, "2023-07", &next_edition("2023-07")).await, 409).await;
    assert!(problem["detail"].as_str().unwrap().contains("published"));
    assert_problem(publish(&app, "2023-07").await, 409).await;
    assert_problem(publish(&app, "2099-01").await, 404).await;

    assert_eq!(put_edition(&app, "2024-01", &next_edition("2024-01")).await.status(), 201);
    assert_eq!(publish(&app, "2024-01").await.status(), 200);
    assert_problem(publish(&app, "2024-01").await, 409).await;
    assert_problem(put_edition(&app, "2024-01", &next_edition("2024-01")).await, 409).await;
    // The seed's text is untouched.
    let seed = json_body(app.get("/v1/themes/editions/2023-07").send().await.unwrap()).await;
    assert_eq!(seed["document"], seed_doc());
}

async fn quote(app: &TestApp, body: Value) -> Value {
    let response = app.post("/v1/wlz-tariff-quotes").json(&body).send().await.unwrap();
    assert_eq!(response.status(), 200);
    json_body(response).await
}

fn by_id<'a>(body: &'a Value, id: &str) -> &'a Value {
    body["quotes"].as_array().unwrap().iter().find(|q| q["zorgkantoor"] == id).unwrap()
}

#[tokio::test]
async fn wlz_tariff_quotes_follow_the_published_rules() {
    let app = TestApp::spawn_seeded().await;
    // An existing provider with proven labour-saving technology.
    let body =
        quote(&app, json!({"nza_max_tariff": "200.00", "profile": {"proven_labour_saving_technology": true}})).await;
    assert_eq!(body["edition"], "2023-07");
    assert_eq!(body["national_guide_percentage"], "95.5");
    assert_eq!(body["quotes"].as_array().unwrap().len(), 7);
    let cz = by_id(&body, "cz");
    assert_eq!(cz["determination"], "exact");
    assert_eq!(cz["percentage"], "95.6");
    assert_eq!(cz["amount"], "191.20");
    let sources: Vec<_> =
        cz["applied_rules"].as_array().unwrap().iter().map(|r| r["source"]["quote"].as_str().unwrap()).collect();
    assert!(sources.contains(&"Opslag voor gebruik van bewezen effectieve arbeidsbesparende technologie: +0,1%"));
    let vgz = by_id(&body, "vgz");
    assert_eq!((vgz["percentage"].as_str(), vgz["amount"].as_str()), (Some("95.5"), Some("191.00")));
    let salland = by_id(&body, "salland");
    assert_eq!(salland["determination"], "range");
    assert_eq!((salland["min_percentage"].as_str(), salland["max_percentage"].as_str()), (Some("93.5"), Some("96.5")));
    assert_eq!(salland["percentage"], Value::Null);
    // DSW's monitor moves last year's percentage: unknown here, so only the cap is given.
    let dsw = by_id(&body, "dsw");
    assert_eq!(dsw["determination"], "open");
    assert_eq!(dsw["min_percentage"], Value::Null);
    assert_eq!(dsw["max_percentage"], "97.5");
    assert_eq!(dsw["max_amount"], "195.00");

    // With last year's percentage DSW's range is known.
    let body = quote(
        &app,
        json!({"nza_max_tariff": "200.00", "profile": {"previous_percentage": "97.0"}, "zorgkantoren": ["dsw"]}),
    )
    .await;
    assert_eq!(body["quotes"].as_array().unwrap().len(), 1);
    let dsw = by_id(&body, "dsw");
    assert_eq!((dsw["min_percentage"].as_str(), dsw["max_percentage"].as_str()), (Some("96"), Some("97.5")));

    // A new provider with an essential-facility role.
    let body = quote(&app, json!({"nza_max_tariff": "100.00", "profile": {"new_provider": true}})).await;
    assert_eq!(by_id(&body, "dsw")["percentage"], "91");
    assert_eq!(by_id(&body, "dsw")["amount"], "91.00");
    assert_eq!(by_id(&body, "menzis")["percentage"], "93.5");
    let zk = by_id(&body, "zilveren-kruis");
    assert_eq!(zk["determination"], "open");
    assert_eq!(zk["max_percentage"], "95.5");
    assert!(zk["caveats"][0]["source"]["quote"].as_str().unwrap().contains("met lagere tarieven"));
    let body = quote(&app, json!({"nza_max_tariff": "100.00", "profile": {"essential_facility": true}})).await;
    assert_eq!(by_id(&body, "zilveren-kruis")["percentage"], "96");
    assert_eq!(by_id(&body, "zilveren-kruis")["amount"], "96.00");
    // A discretionary surcharge gives a range.
    let body =
        quote(&app, json!({"nza_max_tariff": "100.00", "profile": {"surcharges": ["vpt_specific_plans"]}})).await;
    let menzis = by_id(&body, "menzis");
    assert_eq!((menzis["min_percentage"].as_str(), menzis["max_percentage"].as_str()), (Some("95.5"), Some("95.9")));
    assert_eq!(menzis["applied_rules"][1]["confidence"], "low");
}

#[tokio::test]
async fn wlz_tariff_quote_requests_are_validated() {
    let app = TestApp::spawn_seeded().await;
    for (body, pointer) in [
        (json!({"nza_max_tariff": 200}), "/nza_max_tariff"),
        (json!({"nza_max_tariff": "-1.00"}), "/nza_max_tariff"),
        (json!({"nza_max_tariff": "1.005"}), "/nza_max_tariff"),
        (json!({"nza_max_tariff": "100", "profile": {"surcharges": ["bonus"]}}), "/profile/surcharges/0"),
        (json!({"nza_max_tariff": "100", "zorgkantoren": ["achmea"]}), "/zorgkantoren/0"),
        (json!({"nza_max_tariff": "100", "edition": "1999_01"}), "/edition"),
        (json!({"nza_max_tariff": "100", "extra": true}), ""),
        (json!({"nza_max_tariff": "100", "profile": {"previous_percentage": "120"}}), "/profile/previous_percentage"),
    ] {
        let response = app.post("/v1/wlz-tariff-quotes").json(&body).send().await.unwrap();
        let problem = assert_problem(response, 422).await;
        if !pointer.is_empty() {
            assert_eq!(problem["errors"][0]["pointer"], pointer, "{body}");
        }
    }
    let response =
        app.post("/v1/wlz-tariff-quotes").header("content-type", "application/json").body("{").send().await.unwrap();
    assert_problem(response, 400).await;
}
