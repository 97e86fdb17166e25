//! The governance dashboard: static pages embedded in the binary and served at `/`.
//!
//! The pages are plain HTML, CSS and JavaScript modules under `ledger/web/`, with no build
//! step: they are compiled into the binary with `include_str!`, so `cpts-ledger serve` needs no
//! file, no Node.js and no network to serve them. They read and write through `/graphql` only.

use axum::extract::Path;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

/// One embedded file: its name under `/assets/`, its media type and its content.
struct Asset {
    name: &'static str,
    media_type: &'static str,
    content: &'static str,
}

const INDEX: &str = include_str!("../web/index.html");

const ASSETS: &[Asset] = &[
    Asset {
        name: "app.js",
        media_type: "text/javascript; charset=utf-8",
        content: include_str!("../web/app.js"),
    },
    Asset {
        name: "api.js",
        media_type: "text/javascript; charset=utf-8",
        content: include_str!("../web/api.js"),
    },
    Asset {
        name: "i18n.js",
        media_type: "text/javascript; charset=utf-8",
        content: include_str!("../web/i18n.js"),
    },
    Asset {
        name: "style.css",
        media_type: "text/css; charset=utf-8",
        content: include_str!("../web/style.css"),
    },
];

/// The Content-Security-Policy of the pages: everything from the service itself, nothing else.
const CSP: &str = "default-src 'self'; connect-src 'self'; img-src 'self' blob: data:; \
                   style-src 'self'; script-src 'self'; frame-ancestors 'none'";

/// `GET /` (the dashboard's single page) and `GET /assets/{name}` (its scripts and styles).
pub fn router() -> Router {
    Router::new()
        .route("/", get(index))
        .route("/assets/{name}", get(asset))
}

fn with_headers(media_type: &'static str, content: &'static str) -> Response {
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
        HeaderValue::from_static(CSP),
    );
    response
}

async fn index() -> Response {
    with_headers("text/html; charset=utf-8", INDEX)
}

async fn asset(Path(name): Path<String>) -> Response {
    match ASSETS.iter().find(|a| a.name == name) {
        Some(asset) => with_headers(asset.media_type, asset.content),
        None => (StatusCode::NOT_FOUND, "not found\n").into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_script_the_pages_import_is_embedded() {
        let mut wanted = vec!["app.js".to_owned(), "style.css".to_owned()];
        for asset in ASSETS {
            for line in asset.content.lines() {
                if let Some(rest) = line.split(" from './").nth(1) {
                    wanted.push(rest.split('\'').next().unwrap_or_default().to_owned());
                }
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
}
