//! What every route sends a browser, and GraphiQL served from the binary: a deployment on a
//! closed network, behind no proxy adding headers, must still be safe to open in a browser.

use std::sync::Arc;

use cpts_ledger::app::{self, HttpOptions, RunningServer};
use cpts_ledger::service::Ledger;
use cpts_ledger_tests::{open_store, sqlite_db, TestDb};
use tokio::sync::oneshot;

struct Running {
    _db: TestDb,
    base: String,
    _stop: oneshot::Sender<()>,
}

async fn start(options: HttpOptions) -> Running {
    let db = sqlite_db();
    let repo = open_store(db.url()).await.expect("store opens");
    let (stop, stopped) = oneshot::channel::<()>();
    let RunningServer { addr, .. } = app::start_with(
        Arc::new(Ledger::new(repo)),
        "127.0.0.1:0".parse().expect("address"),
        options,
        async {
            stopped.await.ok();
        },
    )
    .await
    .expect("service starts");
    Running {
        _db: db,
        base: format!("http://{addr}"),
        _stop: stop,
    }
}

fn header<'a>(response: &'a reqwest::Response, name: &str) -> &'a str {
    response
        .headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
}

#[tokio::test]
async fn every_route_sends_the_security_headers_even_its_errors() {
    let service = start(HttpOptions::default()).await;
    let http = reqwest::Client::new();
    let gets = [
        "/",
        "/assets/app.js",
        "/assets/missing.js",
        "/graphql",
        "/graphql/assets/graphiql.min.js",
        "/graphql/assets/missing.js",
        "/healthz",
        "/unsubscribe/00ff",
        "/no/such/page",
    ];
    let mut responses = Vec::new();
    for path in gets {
        let response = http
            .get(format!("{}{path}", service.base))
            .send()
            .await
            .expect("GET answered");
        responses.push((format!("GET {path}"), response));
    }
    for body in [r#"{"query":"{ ledgerHead { position } }"}"#, "not json"] {
        let response = http
            .post(format!("{}/graphql", service.base))
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .expect("POST answered");
        responses.push((format!("POST /graphql {body}"), response));
    }
    for (what, response) in &responses {
        assert_eq!(
            header(response, "x-content-type-options"),
            "nosniff",
            "{what}"
        );
        assert_eq!(header(response, "x-frame-options"), "DENY", "{what}");
        assert_eq!(header(response, "referrer-policy"), "no-referrer", "{what}");
        let csp = header(response, "content-security-policy");
        assert!(csp.contains("frame-ancestors 'none'"), "{what}: {csp}");
        assert!(
            !csp.contains('*') && !csp.contains("http"),
            "{what}: only the service: {csp}"
        );
    }
}

#[tokio::test]
async fn graphiql_loads_nothing_from_outside_the_service() {
    let service = start(HttpOptions::default()).await;
    let http = reqwest::Client::new();
    let page = http
        .get(format!("{}/graphql", service.base))
        .send()
        .await
        .expect("GraphiQL answered");
    assert_eq!(page.status(), 200);
    assert!(header(&page, "content-type").starts_with("text/html"));
    let html = page.text().await.expect("a page");
    assert!(!html.contains("http://") && !html.contains("https://") && !html.contains("//unpkg"));
    let mut referenced = 0;
    for piece in html.split(['"', '\'']) {
        if let Some(name) = piece.strip_prefix("/graphql/assets/") {
            referenced += 1;
            let asset = http
                .get(format!("{}/graphql/assets/{name}", service.base))
                .send()
                .await
                .expect("asset answered");
            assert_eq!(asset.status(), 200, "{name} is served");
            assert!(
                !asset
                    .text()
                    .await
                    .expect("asset")
                    .contains("sourceMappingURL="),
                "{name} asks for no source map the service does not have"
            );
        }
    }
    assert!(
        referenced >= 4,
        "React, ReactDOM, GraphiQL and its start-up script"
    );
}

#[tokio::test]
async fn without_graphiql_the_api_still_answers() {
    let service = start(HttpOptions {
        graphiql: false,
        ..HttpOptions::default()
    })
    .await;
    let http = reqwest::Client::new();
    let page = http
        .get(format!("{}/graphql", service.base))
        .send()
        .await
        .expect("answered");
    assert_eq!(page.status(), 405, "GET /graphql serves no GraphiQL");
    let asset = http
        .get(format!("{}/graphql/assets/graphiql.min.js", service.base))
        .send()
        .await
        .expect("answered");
    assert_eq!(asset.status(), 404);
    let api = http
        .post(format!("{}/graphql", service.base))
        .json(&serde_json::json!({ "query": "{ ledgerHead { position } }" }))
        .send()
        .await
        .expect("answered");
    assert_eq!(api.status(), 200);
}
