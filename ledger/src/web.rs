//! The governance dashboard, served at `/`, and GraphiQL, at `/graphql`: static pages embedded
//! in the binary.
//!
//! The pages are plain HTML, CSS and JavaScript modules under `ledger/web/`, with no build
//! step: they are compiled into the binary with `include_str!`, so `cpts-ledger serve` needs no
//! file, no Node.js and no network to serve them. They read and write through `/graphql` only.
//! GraphiQL's files, under `ledger/graphiql/`, are copied from the npm registry by its
//! `update.sh`; `serve --no-graphiql` leaves them out.

use axum::extract::Path;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use cpts_domain::texts;
use cpts_domain::values::Lang;

/// One embedded file: its name under its router's assets path, its media type and its content.
struct Asset {
    name: &'static str,
    media_type: &'static str,
    content: &'static str,
}

const JS: &str = "text/javascript; charset=utf-8";
const CSS: &str = "text/css; charset=utf-8";
const HTML: &str = "text/html; charset=utf-8";

macro_rules! asset {
    ($name:literal, $media_type:expr, $path:literal) => {
        Asset {
            name: $name,
            media_type: $media_type,
            content: include_str!($path),
        }
    };
}

const INDEX: &str = include_str!("../web/index.html");

/// Every `.js` and `.css` file under `ledger/web/`, listed by `build.rs` (page modules live in
/// `web/pages/`).
const ASSETS: &[Asset] = include!(concat!(env!("OUT_DIR"), "/web_assets.rs"));

/// The Content-Security-Policy of the pages: everything from the service itself, nothing else.
const CSP: &str = "default-src 'self'; connect-src 'self'; img-src 'self' blob: data:; \
                   style-src 'self'; script-src 'self'; frame-ancestors 'none'";

const GRAPHIQL_PAGE: &str = include_str!("../graphiql/index.html");

/// GraphiQL and the React it runs on, copied from the npm registry by `ledger/graphiql/update.sh`
/// (versions and licences in `ledger/graphiql/LICENSES.txt`): no script, style or font comes
/// from anywhere but the service, so GraphiQL works on a closed network.
const GRAPHIQL_ASSETS: &[Asset] = &[
    asset!(
        "react.production.min.js",
        JS,
        "../graphiql/react.production.min.js"
    ),
    asset!(
        "react-dom.production.min.js",
        JS,
        "../graphiql/react-dom.production.min.js"
    ),
    asset!("graphiql.min.js", JS, "../graphiql/graphiql.min.js"),
    asset!("graphiql.min.css", CSS, "../graphiql/graphiql.min.css"),
    asset!("graphiql-init.js", JS, "../graphiql/graphiql-init.js"),
    asset!("graphiql-page.css", CSS, "../graphiql/graphiql-page.css"),
];

/// GraphiQL's policy: the service itself only. Its editor sets inline styles and its fonts are
/// `data:` URLs; no script runs that the service did not serve.
const GRAPHIQL_CSP: &str = "default-src 'self'; connect-src 'self'; img-src 'self' data:; \
                            font-src 'self' data:; style-src 'self' 'unsafe-inline'; \
                            script-src 'self'; frame-ancestors 'none'; base-uri 'none'; \
                            form-action 'self'";

/// `GET /` (the dashboard's single page), `GET /assets/{name}` (its scripts and styles) and
/// `GET /texts/{lang}.json` (the text catalogue the pages read their words from).
pub fn router() -> Router {
    Router::new()
        .route("/", get(|| async { page(HTML, INDEX, CSP) }))
        .route(
            "/texts/{file}",
            get(|Path(file): Path<String>| async move { catalogue(&file) }),
        )
        .route(
            "/assets/{*name}",
            get(|Path(name): Path<String>| async move { asset(ASSETS, &name, CSP) }),
        )
}

/// `GET /graphql` (GraphiQL) and `GET /graphql/assets/{name}` (its scripts and styles), all
/// from the binary.
pub fn graphiql_router() -> Router {
    Router::new()
        .route("/graphql", get(|| async { page(HTML, GRAPHIQL_PAGE, GRAPHIQL_CSP) }))
        .route(
            "/graphql/assets/{name}",
            get(|Path(name): Path<String>| async move {
                asset(GRAPHIQL_ASSETS, &name, GRAPHIQL_CSP)
            }),
        )
}

fn page(media_type: &'static str, content: &'static str, csp: &'static str) -> Response {
    let mut response = content.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(media_type));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(csp),
    );
    response
}

/// The text catalogue of `fr.json` or `en.json`: `[key, text]` pairs in the catalogue's order,
/// a text's arguments left as `{name}`.
fn catalogue(file: &str) -> Response {
    let lang = match file {
        "fr.json" => Lang::Fr,
        "en.json" => Lang::En,
        _ => return (StatusCode::NOT_FOUND, "not found\n").into_response(),
    };
    let body = serde_json::to_string(&texts::for_pages(lang)).unwrap_or_default();
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    // `nosniff` and the rest: `app::security_headers`, on every response.
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response
}

fn asset(assets: &[Asset], name: &str, csp: &'static str) -> Response {
    match assets.iter().find(|a| a.name == name) {
        Some(asset) => page(asset.media_type, asset.content, csp),
        None => (StatusCode::NOT_FOUND, "not found\n").into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_script_the_pages_import_is_embedded() {
        let mut wanted = vec!["app.js".to_owned(), "style.css".to_owned()];
        for asset in ASSETS.iter().filter(|a| a.name.ends_with(".js")) {
            let folder = asset.name.rsplit_once('/').map_or("", |(folder, _)| folder);
            for line in asset.content.lines() {
                let Some(rest) = line.split(" from '").nth(1) else {
                    continue;
                };
                let mut path: Vec<&str> = folder.split('/').filter(|p| !p.is_empty()).collect();
                for piece in rest.split('\'').next().unwrap_or_default().split('/') {
                    match piece {
                        "." => {}
                        ".." => {
                            path.pop();
                        }
                        piece => path.push(piece),
                    }
                }
                wanted.push(path.join("/"));
            }
        }
        for name in wanted {
            assert!(
                ASSETS.iter().any(|a| a.name == name),
                "{name} is imported but not embedded"
            );
        }
        assert!(INDEX.contains("/assets/app.js") && INDEX.contains("lang=\"fr\""));
    }

    #[test]
    fn the_pages_get_the_catalogue_in_both_languages_and_nothing_else() {
        assert_eq!(catalogue("fr.json").status(), StatusCode::OK);
        assert_eq!(catalogue("en.json").status(), StatusCode::OK);
        assert_eq!(catalogue("de.json").status(), StatusCode::NOT_FOUND);
        let pairs = texts::for_pages(Lang::Fr);
        assert!(pairs
            .iter()
            .any(|(k, v)| *k == "web-signed-in-as" && v.contains("{a0}")));
        assert!(pairs
            .iter()
            .any(|(k, v)| *k == "mission-care_pathways" && v == "Parcours pluriprofessionnels"));
    }

    #[test]
    fn graphiql_loads_only_what_is_embedded() {
        let mut referenced = 0;
        for piece in GRAPHIQL_PAGE.split('"') {
            if let Some(name) = piece.strip_prefix("/graphql/assets/") {
                referenced += 1;
                assert!(
                    GRAPHIQL_ASSETS.iter().any(|a| a.name == name),
                    "{name} is referenced but not embedded"
                );
            }
        }
        assert_eq!(
            referenced,
            GRAPHIQL_ASSETS.len(),
            "every embedded file is used"
        );
        for asset in GRAPHIQL_ASSETS {
            assert!(
                !asset.content.contains("sourceMappingURL="),
                "{} asks for no source map the service does not have",
                asset.name
            );
        }
    }
}
