//! The HTTP side: GraphiQL and GraphQL at `/graphql`, with a bounded request body.

use axum::body::{to_bytes, Body};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use cpts_domain::command::Actor;

use crate::errors::codes;
use crate::LedgerSchema;

/// The largest request body accepted, in bytes.
pub const MAX_REQUEST_BYTES: usize = 2 * 1024 * 1024;

/// `GET /graphql`: GraphiQL; `POST /graphql`: GraphQL.
pub fn router(schema: LedgerSchema) -> Router {
    Router::new()
        .route("/graphql", get(graphiql).post(graphql))
        .with_state(schema)
}

async fn graphiql() -> Html<String> {
    Html(
        async_graphql::http::GraphiQLSource::build()
            .endpoint("/graphql")
            .finish(),
    )
}

fn refusal(status: StatusCode, code: &str, french: &str, english: &str) -> Response {
    let body = serde_json::json!({
        "errors": [{ "message": french, "extensions": { "code": code, "messageEn": english } }]
    });
    (status, Json(body)).into_response()
}

async fn graphql(State(schema): State<LedgerSchema>, body: Body) -> Response {
    let bytes = match to_bytes(body, MAX_REQUEST_BYTES).await {
        Ok(bytes) => bytes,
        Err(_) => {
            return refusal(
                StatusCode::PAYLOAD_TOO_LARGE,
                codes::PAYLOAD_TOO_LARGE,
                "La requête dépasse la taille maximale autorisée (2 Mio).",
                "The request exceeds the maximum size allowed (2 MiB).",
            )
        }
    };
    let request: async_graphql::Request = match serde_json::from_slice(&bytes) {
        Ok(request) => request,
        Err(_) => {
            return refusal(
                StatusCode::BAD_REQUEST,
                codes::BAD_REQUEST,
                "La requête n'est pas une requête GraphQL en JSON.",
                "The request is not a GraphQL request in JSON.",
            )
        }
    };
    // Authentication comes with API tokens; until then every caller is anonymous.
    let response = schema.execute(request.data(Actor::Anonymous)).await;
    Json(response).into_response()
}
