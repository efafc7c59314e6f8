//! What comparison dashboards use: the diff between two published editions (points matched so a
//! reworded point is `changed`, tariff numbers before and after), the CSV exports in both
//! variants as Python's csv module reads them, and the caching headers of each kind of URL.

use std::io::Write;
use std::process::{Command, Stdio};

use integration_tests::{assert_problem, json_body, TestApp};
use serde_json::{json, Value};

const SEED: &str = include_str!("../../../shared/domain/data/themes/seed-edition.json");

/// The seed as edition `id`, with CZ's guide percentage raised from 95.5% to 96% (its point
/// reworded and its rule's number), a point added to CZ's "overig" and DSW's "overig" emptied.
fn next_edition(id: &str) -> Value {
    let mut doc: Value = serde_json::from_str(SEED).unwrap();
    doc["edition"] = id.into();
    for cell in doc["cells"].as_array_mut().unwrap() {
        match (cell["zorgkantoor"].as_str().unwrap(), cell["theme"].as_str().unwrap()) {
            ("cz", "bekostiging-en-tarieven") => {
                cell["points"][0] =
                    "Hanteert richttariefpercentage die gezamenlijk is vastgesteld: max. 96% van NZa tarief.".into()
            }
            ("cz", "overig") => {
                cell["points"].as_array_mut().unwrap().push("Een nieuw punt; met ë en komma, ja.".into())
            }
            ("dsw", "overig") => cell["points"] = json!([]),
            _ => {}
        }
    }
    let rule = doc["tariff_rules"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|r| r["zorgkantoor"] == "cz" && r["kind"] == "guide_percentage")
        .unwrap();
    rule["percentage"] = "96".into();
    rule["source"]["quote"] = "max. 96% van NZa tarief".into();
    doc
}

/// The seeded API with `2024-01` (above) published.
async fn two_editions() -> TestApp {
    let app = TestApp::spawn_seeded().await;
    let put = app
        .as_caller(app.put("/v1/themes/editions/2024-01"), "publisher", "zorginkoop-redactie")
        .await
        .json(&next_edition("2024-01"))
        .send()
        .await
        .unwrap();
    assert_eq!(put.status(), 201, "{}", put.text().await.unwrap());
    let publish = app
        .as_caller(app.post("/v1/themes/editions/2024-01/publish"), "publisher", "zorginkoop-redactie")
        .await
        .send()
        .await
        .unwrap();
    assert_eq!(publish.status(), 200);
    app
}

#[tokio::test]
async fn an_edition_against_itself_has_no_differences() {
    let app = TestApp::spawn_seeded().await;
    let diff = json_body(app.get("/v1/themes/diff?from=2023-07&to=2023-07").send().await.unwrap()).await;
    assert_eq!(diff, json!({"from": "2023-07", "to": "2023-07", "cells": [], "tariff_rules": []}));
    let csv = app.get("/v1/themes/diff?from=2023-07&to=2023-07&format=csv").send().await.unwrap();
    let rows = python_csv(&csv.bytes().await.unwrap(), ",");
    assert_eq!(rows["rows"].as_array().unwrap().len(), 1, "only the header: {rows}");
}

#[tokio::test]
async fn the_diff_shows_reworded_points_and_both_tariff_numbers() {
    let app = two_editions().await;
    let diff = json_body(app.get("/v1/themes/diff?from=2023-07&to=2024-01").send().await.unwrap()).await;
    assert_eq!((diff["from"].as_str(), diff["to"].as_str()), (Some("2023-07"), Some("2024-01")));
    let cells = diff["cells"].as_array().unwrap();
    let keys: Vec<_> = cells
        .iter()
        .map(|c| format!("{}/{}", c["zorgkantoor"].as_str().unwrap(), c["theme"].as_str().unwrap()))
        .collect();
    // Theme order, then column order.
    assert_eq!(keys, ["cz/bekostiging-en-tarieven", "cz/overig", "dsw/overig"]);
    // The reworded point is one point, changed: not removed and added.
    assert_eq!(
        cells[0]["points"],
        json!([{
            "change": "changed", "from_point": 1, "to_point": 1,
            "before": "Hanteert richttariefpercentage die gezamenlijk is vastgesteld: max. 95,5% van NZa tarief.",
            "after": "Hanteert richttariefpercentage die gezamenlijk is vastgesteld: max. 96% van NZa tarief."
        }])
    );
    assert_eq!(cells[1]["points"][0]["change"], "added");
    assert_eq!(cells[1]["points"][0]["from_point"], Value::Null);
    assert_eq!(cells[1]["points"][0]["to_point"], 2);
    assert_eq!(cells[2]["points"][0]["change"], "removed");
    assert_eq!(cells[2]["points"][0]["to_point"], Value::Null);
    assert!(cells[2]["points"][0]["before"].is_string());

    let rules = diff["tariff_rules"].as_array().unwrap();
    assert_eq!(rules.len(), 1, "{rules:#?}");
    assert_eq!((rules[0]["zorgkantoor"].as_str(), rules[0]["kind"].as_str()), (Some("cz"), Some("guide_percentage")));
    assert_eq!(rules[0]["change"], "changed");
    assert_eq!(rules[0]["numbers"], json!([{"field": "percentage", "before": "95.5", "after": "96"}]));
    assert_eq!(rules[0]["before"]["percentage"], "95.5");
    assert_eq!(rules[0]["after"]["percentage"], "96");

    // The other way round, the same change the other way.
    let back = json_body(app.get("/v1/themes/diff?from=2024-01&to=2023-07").send().await.unwrap()).await;
    assert_eq!(back["tariff_rules"][0]["numbers"], json!([{"field": "percentage", "before": "96", "after": "95.5"}]));
    assert_eq!(back["cells"][1]["points"][0]["change"], "removed");

    // Filters.
    let dsw = json_body(app.get("/v1/themes/diff?from=2023-07&to=2024-01&zorgkantoor=dsw").send().await.unwrap()).await;
    assert_eq!(dsw["cells"].as_array().unwrap().len(), 1);
    assert_eq!(dsw["tariff_rules"], json!([]));
    let tariffs = json_body(
        app.get("/v1/themes/diff?from=2023-07&to=2024-01&theme=bekostiging-en-tarieven,kwaliteit")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(tariffs["cells"].as_array().unwrap().len(), 1);
    assert_eq!(tariffs["tariff_rules"].as_array().unwrap().len(), 1);
    let other = json_body(app.get("/v1/themes/diff?from=2023-07&to=2024-01&theme=overig").send().await.unwrap()).await;
    assert_eq!(other["tariff_rules"], json!([]));
}

#[tokio::test]
async fn diff_requests_are_checked() {
    let app = two_editions().await;
    // Well-formed but unknown (or not published): 404, like any unknown resource.
    assert_problem(app.get("/v1/themes/diff?from=2023-07&to=2099-01").send().await.unwrap(), 404).await;
    assert_problem(app.get("/v1/themes/diff?from=1999-01&to=2024-01").send().await.unwrap(), 404).await;
    let draft = app
        .as_caller(app.put("/v1/themes/editions/2025-01"), "publisher", "zorginkoop-redactie")
        .await
        .json(&next_edition("2025-01"))
        .send()
        .await
        .unwrap();
    assert_eq!(draft.status(), 201);
    assert_problem(app.get("/v1/themes/diff?from=2023-07&to=2025-01").send().await.unwrap(), 404).await;
    for (query, pointer) in [
        ("from=2023-07", "/query/to"),
        ("to=2023-07", "/query/from"),
        ("from=Bad_Id&to=2023-07", "/query/from"),
        ("from=2023-07&to=2023-07&theme=finance", "/query/theme"),
        ("from=2023-07&to=2023-07&zorgkantoor=achmea", "/query/zorgkantoor"),
        ("from=2023-07&to=2023-07&format=xlsx", "/query/format"),
        ("from=2023-07&to=2023-07&edition=2023-07", "/query/edition"),
    ] {
        let problem = assert_problem(app.get(&format!("/v1/themes/diff?{query}")).send().await.unwrap(), 422).await;
        assert_eq!(problem["errors"][0]["pointer"], pointer, "{query}: {problem}");
    }
}

/// Parses CSV bytes with Python's csv module: whether they start with a UTF-8 BOM, and the rows
/// (decoded as `utf-8-sig`, as Excel and Python's own readers do).
fn python_csv(bytes: &[u8], delimiter: &str) -> Value {
    let script = r#"
import csv, io, json, sys
raw = sys.stdin.buffer.read()
rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline=""), delimiter=sys.argv[1], strict=True))
print(json.dumps({"bom": raw.startswith(b"\xef\xbb\xbf"), "rows": rows}))
"#;
    let mut child = Command::new("python3")
        .args(["-c", script, delimiter])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("python3 runs");
    child.stdin.take().unwrap().write_all(bytes).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "python's csv refused the file");
    serde_json::from_slice(&out.stdout).unwrap()
}

fn header(response: &reqwest::Response, name: &str) -> Option<String> {
    response.headers().get(name).map(|v| v.to_str().unwrap().to_owned())
}

#[tokio::test]
async fn csv_exports_parse_with_python_in_both_variants() {
    let app = two_editions().await;
    // The matrix, plain RFC 4180 through ?format=csv.
    let response = app.get("/v1/themes?zorgkantoor=cz&theme=bekostiging-en-tarieven&format=csv").send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(header(&response, "content-type").as_deref(), Some("text/csv; charset=utf-8"));
    assert_eq!(
        header(&response, "content-disposition").as_deref(),
        Some("attachment; filename=\"themes-2024-01-cz-bekostiging-en-tarieven.csv\"")
    );
    let plain = python_csv(&response.bytes().await.unwrap(), ",");
    assert_eq!(plain["bom"], false);
    let rows = plain["rows"].as_array().unwrap();
    assert_eq!(rows[0], json!(["edition", "zorgkantoor", "theme", "point", "text"]));
    assert_eq!(rows.len(), 6);
    assert_eq!(
        rows[1],
        json!([
            "2024-01",
            "cz",
            "bekostiging-en-tarieven",
            "1",
            "Hanteert richttariefpercentage die gezamenlijk is vastgesteld: max. 96% van NZa tarief."
        ])
    );

    // The Excel variant of a pinned edition's column: BOM, ';', the same rows, "ë" intact.
    let response = app.get("/v1/zorgkantoren/cz/themes?edition=2024-01&format=csv-excel").send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(
        header(&response, "content-disposition").as_deref(),
        Some("attachment; filename=\"themes-2024-01-cz-excel.csv\"")
    );
    let bytes = response.bytes().await.unwrap();
    assert!(bytes.starts_with(b"\xef\xbb\xbfedition;zorgkantoor;theme;point;text\r\n"));
    let excel = python_csv(&bytes, ";");
    assert_eq!(excel["bom"], true);
    let rows = excel["rows"].as_array().unwrap();
    assert!(rows.iter().skip(1).all(|r| r.as_array().unwrap().len() == 5 && r[1] == "cz"));
    assert!(rows.contains(&json!(["2024-01", "cz", "overig", "2", "Een nieuw punt; met ë en komma, ja."])));
    // Read with the wrong separator, the Excel file is one column: the separator really is ';'.
    let wrong = python_csv(&bytes, ",");
    assert!(wrong["rows"][0].as_array().unwrap().len() < 5);

    // The diff as CSV, both variants.
    for (format, delimiter) in [("csv", ","), ("csv-excel", ";")] {
        let response = app
            .get(&format!("/v1/themes/diff?from=2023-07&to=2024-01&zorgkantoor=cz&format={format}"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        let suffix = if format == "csv-excel" { "-excel" } else { "" };
        assert_eq!(
            header(&response, "content-disposition"),
            Some(format!("attachment; filename=\"themes-diff-2023-07-2024-01-cz{suffix}.csv\""))
        );
        let parsed = python_csv(&response.bytes().await.unwrap(), delimiter);
        assert_eq!(parsed["bom"], format == "csv-excel");
        let rows = parsed["rows"].as_array().unwrap();
        assert_eq!(
            rows[0],
            json!([
                "from",
                "to",
                "zorgkantoor",
                "theme",
                "subject",
                "change",
                "from_point",
                "to_point",
                "field",
                "before",
                "after",
                "kind"
            ])
        );
        assert!(rows.contains(&json!([
            "2023-07",
            "2024-01",
            "cz",
            "bekostiging-en-tarieven",
            "tariff_rule",
            "changed",
            "1",
            "1",
            "percentage",
            "95.5",
            "96",
            "guide_percentage"
        ])));
        assert!(rows.iter().any(|r| r[4] == "point"
            && r[5] == "changed"
            && r[9].as_str().unwrap().contains("95,5%")
            && r[10].as_str().unwrap().contains("96%")));
        assert!(rows
            .iter()
            .any(|r| r[4] == "point" && r[5] == "added" && r[10] == "Een nieuw punt; met ë en komma, ja."));
        assert_eq!(rows.len(), 1 + 3, "header, two points, one number: {rows:?}");
    }

    // Accept: text/csv still works, as RFC 4180 with the attachment; ?format=json wins over it.
    let response = app.get("/v1/themes?zorgkantoor=dsw").header("accept", "text/csv").send().await.unwrap();
    assert_eq!(
        header(&response, "content-disposition").as_deref(),
        Some("attachment; filename=\"themes-2024-01-dsw.csv\"")
    );
    assert_eq!(python_csv(&response.bytes().await.unwrap(), ",")["bom"], false);
    let response = app.get("/v1/themes?zorgkantoor=dsw&format=json").header("accept", "text/csv").send().await.unwrap();
    assert_eq!(header(&response, "content-type").as_deref(), Some("application/json"));
    assert_eq!(header(&response, "content-disposition"), None);
    assert_problem(app.get("/v1/themes?format=xlsx").send().await.unwrap(), 422).await;
}

/// Edition-pinned URLs are cached for a year and `immutable`; "latest" for a minute with ETag
/// revalidation (304); `Vary: Accept` exactly where `Accept` chooses the representation.
#[tokio::test]
async fn caching_headers_follow_the_kind_of_url() {
    let app = two_editions().await;
    const IMMUTABLE: &str = "public, max-age=31536000, immutable";
    const LATEST: &str = "public, max-age=60, must-revalidate";
    for (path, cache, vary) in [
        ("/v1/themes?edition=2023-07", IMMUTABLE, Some("Accept")),
        ("/v1/themes?edition=2023-07&format=csv", IMMUTABLE, None),
        ("/v1/zorgkantoren/cz/themes?edition=2024-01", IMMUTABLE, Some("Accept")),
        ("/v1/zorgkantoren?edition=2023-07", IMMUTABLE, Some("Accept")),
        ("/v1/zorgkantoren/cz?edition=2023-07&format=csv", IMMUTABLE, None),
        ("/v1/themes/diff?from=2023-07&to=2024-01", IMMUTABLE, Some("Accept")),
        ("/v1/themes/diff?from=2023-07&to=2024-01&format=csv-excel", IMMUTABLE, None),
        ("/v1/themes", LATEST, Some("Accept")),
        ("/v1/themes?format=csv", LATEST, None),
        ("/v1/zorgkantoren/cz/themes", LATEST, Some("Accept")),
        ("/v1/zorgkantoren", LATEST, Some("Accept")),
        ("/v1/zorgkantoren/cz", LATEST, Some("Accept")),
        ("/v1/themes/editions", LATEST, Some("Accept")),
        // A published edition's own page says whether it is the latest: that changes.
        ("/v1/themes/editions?format=csv", LATEST, None),
        ("/v1/themes/editions/2023-07", LATEST, Some("Accept")),
    ] {
        let response = app.get(path).send().await.unwrap();
        assert_eq!(response.status(), 200, "{path}");
        assert_eq!(header(&response, "cache-control").as_deref(), Some(cache), "{path}");
        assert_eq!(header(&response, "vary").as_deref(), vary, "{path}");
        let etag = header(&response, "etag").expect("an ETag");
        // Revalidation: 304 with the same tag, policy and Vary, and no body.
        let again = app.get(path).header("if-none-match", &etag).send().await.unwrap();
        assert_eq!(again.status(), 304, "{path}");
        assert_eq!(header(&again, "etag"), Some(etag.clone()), "{path}");
        assert_eq!(header(&again, "cache-control").as_deref(), Some(cache), "{path}");
        assert_eq!(header(&again, "vary").as_deref(), vary, "{path}");
        assert!(again.bytes().await.unwrap().is_empty());
    }

    // "Latest" really moves: the tag revalidated before a publication no longer matches after.
    let app = TestApp::spawn_seeded().await;
    let before = app.get("/v1/themes?zorgkantoor=cz").send().await.unwrap();
    let etag = header(&before, "etag").unwrap();
    assert_eq!(app.get("/v1/themes?zorgkantoor=cz").header("if-none-match", &etag).send().await.unwrap().status(), 304);
    let put = app
        .as_caller(app.put("/v1/themes/editions/2024-01"), "publisher", "zorginkoop-redactie")
        .await
        .json(&next_edition("2024-01"))
        .send()
        .await
        .unwrap();
    assert_eq!(put.status(), 201);
    let publish = app
        .as_caller(app.post("/v1/themes/editions/2024-01/publish"), "publisher", "zorginkoop-redactie")
        .await
        .send()
        .await
        .unwrap();
    assert_eq!(publish.status(), 200);
    let after = app.get("/v1/themes?zorgkantoor=cz").header("if-none-match", &etag).send().await.unwrap();
    assert_eq!(after.status(), 200);
    assert_eq!(json_body(after).await["edition"], "2024-01");
    // The pinned URL of the old edition still answers 304 to the old tag.
    let pinned = app.get("/v1/themes?zorgkantoor=cz&edition=2023-07").send().await.unwrap();
    let pinned_tag = header(&pinned, "etag").unwrap();
    assert_eq!(pinned_tag, etag, "same bytes as the latest of then");
    let again =
        app.get("/v1/themes?zorgkantoor=cz&edition=2023-07").header("if-none-match", &pinned_tag).send().await.unwrap();
    assert_eq!(again.status(), 304);
}

/// Published columns carry their source document's title and address, and a UZOVI code only
/// where the source gives one (the seed's source gives none).
#[tokio::test]
async fn zorgkantoren_carry_source_addresses() {
    let app = TestApp::spawn_seeded().await;
    let cz = json_body(app.get("/v1/zorgkantoren/cz").send().await.unwrap()).await;
    assert_eq!(
        cz["source_document"],
        "Downloads zorginkoop 2024 sector Verpleging & Verzorging - CZ zorgkantoor (cz-zorgkantoor.nl)"
    );
    assert_eq!(
        cz["source_url"],
        "https://www.cz-zorgkantoor.nl/zorgaanbieder/zorginkoop/downloads/downloads-sector-verpleging-en-verzorging"
    );
    assert_eq!(cz["uzovi"], Value::Null);
    let list = json_body(app.get("/v1/zorgkantoren").send().await.unwrap()).await;
    for z in list["zorgkantoren"].as_array().unwrap() {
        assert!(z["source_url"].as_str().unwrap().starts_with("https://www."), "{z}");
        assert!(z.as_object().unwrap().contains_key("uzovi"), "{z}");
    }
}

/// The columns' list and one zorgkantoor's tariff rules export as CSV too (the rules as one
/// table for all rule kinds).
#[tokio::test]
async fn zorgkantoren_and_tariff_rules_export_as_csv() {
    let app = two_editions().await;
    let response = app.get("/v1/zorgkantoren?edition=2023-07&format=csv-excel").send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(
        header(&response, "content-disposition").as_deref(),
        Some("attachment; filename=\"zorgkantoren-2023-07-excel.csv\"")
    );
    let parsed = python_csv(&response.bytes().await.unwrap(), ";");
    assert_eq!(parsed["bom"], true);
    let rows = parsed["rows"].as_array().unwrap();
    assert_eq!(rows[0], json!(["edition", "id", "name", "uzovi", "source_document", "source_url"]));
    assert_eq!(rows.len(), 8);
    assert_eq!(rows[7][1], "zorg-en-zekerheid");
    assert!(rows[7][5].as_str().unwrap().starts_with("https://www.zorgkantoor-zorgenzekerheid.nl/"));

    let response = app.get("/v1/zorgkantoren/cz?format=csv").send().await.unwrap();
    assert_eq!(
        header(&response, "content-disposition").as_deref(),
        Some("attachment; filename=\"tariff-rules-2024-01-cz.csv\"")
    );
    let parsed = python_csv(&response.bytes().await.unwrap(), ",");
    let rows = parsed["rows"].as_array().unwrap();
    let head: Vec<_> = rows[0].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
    assert_eq!(&head[..5], ["edition", "zorgkantoor", "kind", "condition", "percentage"]);
    assert_eq!(rows.len(), 1 + 5, "CZ's five rules");
    let col = |name: &str| head.iter().position(|h| *h == name).unwrap();
    assert_eq!(rows[1][col("kind")], "guide_percentage");
    assert_eq!(rows[1][col("percentage")], "96");
    assert_eq!(rows[1][col("source_point")], "1");
    assert_eq!(rows[1][col("source_quote")], "max. 96% van NZa tarief");
    assert_eq!(rows[3][col("condition")], "proven_labour_saving_technology");
    assert_eq!(rows[3][col("points")], "0.1");
    assert_eq!(rows[3][col("discretionary")], "false");
    assert!(rows.iter().skip(1).all(|r| r.as_array().unwrap().len() == head.len()));
}

/// The editions list and one edition export as CSV too: the list with its change counts, an
/// edition (a draft included) as its cells, one row per point.
#[tokio::test]
async fn editions_export_as_csv() {
    let app = two_editions().await;
    let response = app.get("/v1/themes/editions?format=csv").send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(
        header(&response, "content-disposition").as_deref(),
        Some("attachment; filename=\"theme-editions.csv\"")
    );
    let rows = python_csv(&response.bytes().await.unwrap(), ",")["rows"].clone();
    assert_eq!(
        rows[0],
        json!([
            "edition",
            "title",
            "status",
            "published_at",
            "updated_at",
            "latest",
            "against",
            "cells_added",
            "cells_removed",
            "cells_changed",
            "tariff_rules_changed"
        ])
    );
    assert_eq!(rows.as_array().unwrap().len(), 3);
    let next = rows[2].as_array().unwrap();
    assert_eq!(
        (next[0].as_str(), next[2].as_str(), next[5].as_str(), next[6].as_str()),
        (Some("2024-01"), Some("published"), Some("true"), Some("2023-07"))
    );
    // The change counts: CZ's two cells changed, DSW's "overig" emptied, the tariffs changed.
    assert_eq!(
        (next[7].as_str(), next[8].as_str(), next[9].as_str(), next[10].as_str()),
        (Some("0"), Some("1"), Some("2"), Some("true"))
    );
    assert_eq!(rows[1][3], "2023-07-01T00:00:00Z");

    let response = app.get("/v1/themes/editions/2024-01?format=csv-excel").send().await.unwrap();
    assert_eq!(
        header(&response, "content-disposition").as_deref(),
        Some("attachment; filename=\"themes-2024-01-excel.csv\"")
    );
    let parsed = python_csv(&response.bytes().await.unwrap(), ";");
    assert_eq!(parsed["bom"], true);
    let matrix = app.get("/v1/themes?edition=2024-01&format=csv-excel").send().await.unwrap();
    assert_eq!(parsed, python_csv(&matrix.bytes().await.unwrap(), ";"), "an edition's cells are its matrix");
    assert_problem(app.get("/v1/themes/editions?format=pdf").send().await.unwrap(), 422).await;
}
