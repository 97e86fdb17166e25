//! The HTTP side: GraphQL at `/graphql`, subscriptions over WebSocket at `/graphql/ws`, with a
//! bounded request body and bearer-token authentication, or the dashboard's session cookie
//! ([`crate::session`], `/session`) when no `Authorization` is given.

use std::sync::Arc;

use async_graphql::dataloader::{DataLoader, HashMapCache};
use async_graphql::http::WebSocketProtocols;
use axum::body::{to_bytes, Body};
use axum::extract::ws::WebSocketUpgrade;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use cpts_domain::access::Caller;
use cpts_domain::texts::{t, t_args};
use cpts_domain::values::Lang;

use crate::errors::{codes, from_ledger};
use crate::load::{LoadLimits, LoadShedder};
use crate::port::LedgerPort;
use crate::session::{self, SessionLimits, Sessions};
use crate::views::DecisionLoader;
use crate::ws::{Connections, WsLimits};
use crate::LedgerSchema;
use cpts_projections::ReadDb;

/// The largest request body accepted, in bytes.
pub const MAX_REQUEST_BYTES: usize = 2 * 1024 * 1024;

/// The largest request carrying a file (a contribution and its attachment), in bytes: the
/// largest file a contribution carries ([`cpts_domain::files::MAX_FILE_BYTES`]) and room for the
/// rest of the request.
pub const MAX_UPLOAD_REQUEST_BYTES: usize = 10 * 1024 * 1024 + 64 * 1024;

#[derive(Clone)]
struct Api {
    schema: LedgerSchema,
    ledger: Arc<dyn LedgerPort>,
    read_models: ReadDb,
    connections: Arc<Connections>,
    sessions: Sessions,
}

/// `POST /graphql`: GraphQL; `GET /graphql/ws`: subscriptions. GraphiQL, at `GET /graphql`, is
/// served by the binary beside the dashboard, so that a deployment can leave it out.
pub fn router(schema: LedgerSchema, ledger: Arc<dyn LedgerPort>, read_models: ReadDb) -> Router {
    router_with_limits(
        schema,
        ledger,
        read_models,
        WsLimits::default(),
        LoadLimits::default(),
    )
}

/// [`router`], with these limits on WebSocket connections, and the time and concurrency limits
/// of its routes.
pub fn router_with_limits(
    schema: LedgerSchema,
    ledger: Arc<dyn LedgerPort>,
    read_models: ReadDb,
    ws: WsLimits,
    load: LoadLimits,
) -> Router {
    router_with_sessions(
        schema,
        ledger,
        read_models,
        ws,
        load,
        SessionLimits::default(),
    )
}

/// [`router_with_limits`], with these rules for the dashboard's sessions (`POST` and `DELETE
/// /session`, under the same time and concurrency limits).
pub fn router_with_sessions(
    schema: LedgerSchema,
    ledger: Arc<dyn LedgerPort>,
    read_models: ReadDb,
    ws: WsLimits,
    load: LoadLimits,
    sessions: SessionLimits,
) -> Router {
    let connections = Connections::new(ledger.clone(), ws);
    let sessions = Sessions::new(sessions, connections.clone());
    let session_routes = Router::new()
        .route("/session", post(session::open).delete(session::close))
        .with_state((ledger.clone(), sessions.clone()));
    Router::new()
        .route("/graphql", post(graphql))
        .route("/graphql/ws", get(subscriptions))
        .route("/contributions/{id}/file", get(contribution_file))
        .with_state(Api {
            schema,
            ledger,
            read_models,
            connections,
            sessions,
        })
        .merge(session_routes)
        .route_layer(axum::middleware::from_fn_with_state(
            LoadShedder::new(load),
            crate::load::shed,
        ))
}

/// Gives the errors async-graphql raises itself (parsing, validation, limits) the same shape as
/// ours: a code, a French message, the English one in `messageEn`.
pub(crate) fn explain(error: &mut async_graphql::ServerError) {
    let has_code = error
        .extensions
        .as_ref()
        .is_some_and(|e| e.get("code").is_some());
    if has_code {
        return;
    }
    let english = error.message.clone();
    let lower = english.to_lowercase();
    let french = if lower.contains("nested too deep") || lower.contains("recursion depth") {
        t_args(
            Lang::Fr,
            "api-too-deep",
            &[("most", crate::MAX_DEPTH.into())],
        )
    } else if lower.contains("too complex") {
        t_args(
            Lang::Fr,
            "api-too-complex-for-service",
            &[("most", crate::MAX_COMPLEXITY.into())],
        )
    } else {
        t_args(
            Lang::Fr,
            "api-invalid-query",
            &[("detail", english.as_str().into())],
        )
    };
    error.message = french;
    let extensions = error.extensions.get_or_insert_with(Default::default);
    extensions.set("code", codes::INVALID_INPUT);
    extensions.set("messageEn", english);
}

/// Why a presented token was not accepted.
pub(crate) enum Refused {
    /// Malformed, unknown or revoked.
    BadToken,
    /// The tokens could not be checked.
    Failed(async_graphql::Error),
}

/// The caller behind an `Authorization` value: public without one.
pub(crate) async fn caller_of(
    ledger: &dyn LedgerPort,
    authorization: Option<&str>,
) -> Result<Caller, Refused> {
    let Some(value) = authorization else {
        return Ok(Caller::Public);
    };
    let token = value
        .strip_prefix("Bearer ")
        .or_else(|| value.strip_prefix("bearer "))
        .ok_or(Refused::BadToken)?
        .trim();
    match ledger.authenticate(token).await {
        Ok(Some(principal)) => Ok(Caller::Principal(principal)),
        Ok(None) => Err(Refused::BadToken),
        Err(error) => Err(Refused::Failed(from_ledger(error))),
    }
}

/// The caller behind a session cookie.
pub(crate) async fn caller_of_session(
    ledger: &dyn LedgerPort,
    session: &str,
) -> Result<Caller, Refused> {
    match ledger.session_caller(session).await {
        Ok(Some(principal)) => Ok(Caller::Principal(principal)),
        Ok(None) => Err(Refused::BadToken),
        Err(error) => Err(Refused::Failed(from_ledger(error))),
    }
}

/// The catalogue key of the refusal of a session that ended, or whose token was revoked.
pub(crate) const SESSION_ENDED: &str = "api-session-ended";

/// The catalogue key of the refusal of a token that is unknown, revoked or malformed.
pub(crate) const BAD_TOKEN: &str = "api-bad-token";

/// `GET /graphql/ws`: GraphQL over WebSocket (graphql-transport-ws and graphql-ws). The token
/// goes in the `connection_init` payload as `{"Authorization": "Bearer cpts_…"}`, or in the
/// upgrade request's header. The rules of the connection are in [`crate::ws`].
async fn subscriptions(
    State(api): State<Api>,
    headers: HeaderMap,
    extensions: axum::http::Extensions,
    upgrade: WebSocketUpgrade,
) -> Response {
    let Some(protocol) = headers
        .get(header::SEC_WEBSOCKET_PROTOCOL)
        .and_then(|v| v.to_str().ok())
        .and_then(|protocols| {
            protocols
                .split(',')
                .find_map(|p| p.trim().parse::<WebSocketProtocols>().ok())
        })
    else {
        return refusal(
            StatusCode::BAD_REQUEST,
            codes::BAD_REQUEST,
            "api-websocket-protocol",
        );
    };
    let header_value = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    // A browser always sends `Origin` with a WebSocket: with the cookie (and no token in the
    // header), it must be our own.
    let session = session::session_cookie(&headers).filter(|_| header_value.is_none());
    if session.is_some()
        && headers.contains_key(header::ORIGIN)
        && !session::origin_is_own(&headers)
    {
        return session::cross_site();
    }
    let address = extensions
        .get::<ConnectInfo<std::net::SocketAddr>>()
        .map(|info| info.0.ip());
    let Some(slot) = api.connections.open(address) else {
        return refusal(
            StatusCode::TOO_MANY_REQUESTS,
            codes::TOO_MANY_CONNECTIONS,
            "api-too-many-connections-from-address",
        );
    };
    upgrade
        .protocols(async_graphql::http::ALL_WEBSOCKET_PROTOCOLS)
        .max_message_size(MAX_REQUEST_BYTES)
        .max_frame_size(MAX_REQUEST_BYTES)
        .on_upgrade(move |socket| {
            crate::ws::serve(
                socket,
                protocol,
                api.schema,
                api.ledger,
                api.read_models,
                slot,
                crate::ws::Presented {
                    authorization: header_value,
                    session,
                },
            )
        })
}

/// A JSON error in the shape of GraphQL's: the French message, the English in `messageEn`.
pub(crate) fn refusal(status: StatusCode, code: &str, key: &'static str) -> Response {
    let (french, english) = (t(Lang::Fr, key), t(Lang::En, key));
    let body = serde_json::json!({
        "errors": [{ "message": french, "extensions": { "code": code, "messageEn": english } }]
    });
    (status, Json(body)).into_response()
}

async fn graphql(State(api): State<Api>, headers: HeaderMap, body: Body) -> Response {
    // A request carrying a file (GraphQL multipart: a contribution's attachment) is read only
    // for a signed-in caller, up to the size of one file.
    if let Some(content_type) = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .filter(|c| c.starts_with("multipart/form-data"))
        .map(str::to_owned)
    {
        let caller = match presented_caller(&api, &headers).await {
            Ok(Caller::Principal(principal)) => Caller::Principal(principal),
            Ok(_) => {
                return refusal(
                    StatusCode::UNAUTHORIZED,
                    codes::UNAUTHENTICATED,
                    "api-upload-signed-in",
                )
            }
            Err(response) => return response,
        };
        let bytes = match to_bytes(body, MAX_UPLOAD_REQUEST_BYTES).await {
            Ok(bytes) => bytes,
            Err(_) => {
                return refusal(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    codes::PAYLOAD_TOO_LARGE,
                    "api-upload-too-large",
                )
            }
        };
        let options = async_graphql::http::MultipartOptions::default()
            .max_file_size(MAX_UPLOAD_REQUEST_BYTES)
            .max_num_files(1);
        return match async_graphql::http::receive_body(Some(content_type), bytes.as_ref(), options)
            .await
        {
            Ok(request) => run(&api, request, caller).await,
            Err(_) => refusal(
                StatusCode::BAD_REQUEST,
                codes::BAD_REQUEST,
                "api-not-graphql",
            ),
        };
    }
    let bytes = match to_bytes(body, MAX_REQUEST_BYTES).await {
        Ok(bytes) => bytes,
        Err(_) => {
            return refusal(
                StatusCode::PAYLOAD_TOO_LARGE,
                codes::PAYLOAD_TOO_LARGE,
                "api-payload-too-large",
            )
        }
    };
    let request: async_graphql::Request = match serde_json::from_slice(&bytes) {
        Ok(request) => request,
        Err(_) => {
            return refusal(
                StatusCode::BAD_REQUEST,
                codes::BAD_REQUEST,
                "api-not-graphql",
            )
        }
    };
    match presented_caller(&api, &headers).await {
        Ok(caller) => run(&api, request, caller).await,
        Err(response) => response,
    }
}

/// Who presents a request: the holder of its bearer token, or of the dashboard's session
/// cookie (from the service's own pages only), or the public. A refusal is the response to give.
async fn presented_caller(api: &Api, headers: &HeaderMap) -> Result<Caller, Response> {
    let authorization = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    let session = match authorization {
        Some(_) => None,
        None => session::session_cookie(headers),
    };
    let caller = match &session {
        Some(session) => {
            if !session::from_own_pages(headers) {
                return Err(session::cross_site());
            }
            caller_of_session(api.ledger.as_ref(), session).await
        }
        None => caller_of(api.ledger.as_ref(), authorization).await,
    };
    match caller {
        Ok(caller) => Ok(caller),
        Err(Refused::BadToken) if session.is_some() => {
            let mut response = refusal(
                StatusCode::UNAUTHORIZED,
                codes::UNAUTHENTICATED,
                SESSION_ENDED,
            );
            response.headers_mut().insert(
                header::SET_COOKIE,
                session::set_cookie(None, api.sessions.limits.secure),
            );
            Err(response)
        }
        Err(Refused::BadToken) => Err(refusal(
            StatusCode::UNAUTHORIZED,
            codes::UNAUTHENTICATED,
            BAD_TOKEN,
        )),
        Err(Refused::Failed(error)) => {
            let response = async_graphql::Response::from_errors(vec![
                error.into_server_error(async_graphql::Pos::default())
            ]);
            Err((StatusCode::SERVICE_UNAVAILABLE, Json(response)).into_response())
        }
    }
}

/// `GET /contributions/{id}/file`: the file a contribution carries, for those who may open it
/// ([`cpts_domain::access::may_read_file`]), always as a download: the browser never renders
/// it as a page of the service (`nosniff`, a sandboxing policy), whatever its bytes hold. A
/// contribution without a file, of another CPTS, erased, or not the caller's to open is
/// answered alike: not found.
async fn contribution_file(
    State(api): State<Api>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let principal = match presented_caller(&api, &headers).await {
        Ok(Caller::Principal(principal)) => principal,
        Ok(_) => {
            return refusal(
                StatusCode::UNAUTHORIZED,
                codes::UNAUTHENTICATED,
                "api-file-signed-in",
            )
        }
        Err(response) => return response,
    };
    let not_found = || {
        refusal(
            StatusCode::NOT_FOUND,
            codes::NOT_FOUND,
            "api-file-not-found",
        )
    };
    let Ok(id) = uuid::Uuid::parse_str(&id) else {
        return not_found();
    };
    let file = match api
        .ledger
        .contribution_file(principal.community, cpts_domain::ids::ContributionId(id))
        .await
    {
        Ok(Some(file)) if cpts_domain::access::may_read_file(&principal, file.author) => file,
        Ok(_) => return not_found(),
        Err(error) => {
            // Logged by the mapping; the caller learns only that it failed.
            let _ = from_ledger(error);
            return refusal(
                StatusCode::INTERNAL_SERVER_ERROR,
                codes::INTERNAL,
                "api-internal",
            );
        }
    };
    let disposition = crate::files::attachment_disposition(&file.name);
    (
        [
            (header::CONTENT_TYPE, file.media_type),
            (header::CONTENT_DISPOSITION, disposition),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_owned()),
            (
                header::CONTENT_SECURITY_POLICY,
                "sandbox; default-src 'none'".to_owned(),
            ),
            (header::CACHE_CONTROL, "private, no-store".to_owned()),
        ],
        file.bytes,
    )
        .into_response()
}

/// Runs a request for its caller.
async fn run(api: &Api, request: async_graphql::Request, caller: Caller) -> Response {
    // One loader per request: it batches the request's reads, and what a list prefetched for
    // its page is served from its cache, which ends with the request.
    let loader = DataLoader::with_cache(
        DecisionLoader::new(api.read_models.clone()),
        tokio::spawn,
        HashMapCache::default(),
    );
    let mut response = api.schema.execute(request.data(caller).data(loader)).await;
    for error in &mut response.errors {
        explain(error);
    }
    Json(response).into_response()
}
