//! Onboarding from the dashboard, over real HTTP on both backends: the coordinator issues,
//! lists and revokes tokens over GraphQL, and a browser signs in once (`POST /session`) and is
//! then known by an HttpOnly cookie, held to a CSRF check, ended by `DELETE /session` or by the
//! token's revocation.

use std::sync::Arc;
use std::time::Duration;

use cpts_domain::access::Role;
use cpts_domain::ids::CommunityId;
use cpts_graphql::session::SessionLimits;
use cpts_ledger::app::{self, HttpOptions};
use cpts_ledger::service::Ledger;
use cpts_ledger::store::EventRepository;
use cpts_ledger::tokens;
use cpts_ledger_tests::{open_store, postgres_db, sqlite_db, TestDb};
use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio::sync::oneshot;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;

const REGISTER: &str =
    "mutation($input: RegisterCommunityInput!) { registerCommunity(input: $input) { aggregateId } }";
const ADMIT: &str =
    "mutation($input: AdmitMemberInput!) { admitMember(input: $input) { aggregateId } }";
const ISSUE: &str = "mutation($input: IssueTokenInput!) { issueToken(input: $input) { id secret label role memberId memberName expiresAt } }";
const LIST: &str =
    "{ tokens { id label role memberId memberName createdAt expiresAt revokedAt inForce } }";
const REVOKE: &str = "mutation($id: ID!) { revokeToken(id: $id) }";
const VIEWER: &str = "{ viewer { role communityId memberId } }";

/// Failed sign-ins an address may make in the tests.
const MOST_FAILURES: u32 = 3;

/// How a request is authenticated.
#[derive(Clone, Copy)]
enum Auth<'a> {
    None,
    Bearer(&'a str),
    /// The session's cookie, with the dashboard's CSRF header or without.
    Cookie(&'a str, bool),
}

struct Running {
    _db: TestDb,
    repo: EventRepository,
    base: String,
    addr: std::net::SocketAddr,
    http: reqwest::Client,
    community: CommunityId,
    coordinator: String,
    _stop: oneshot::Sender<()>,
}

async fn start(db: TestDb) -> Running {
    let repo = open_store(db.url()).await.expect("store opens");
    let (stop, stopped) = oneshot::channel::<()>();
    let options = HttpOptions {
        sessions: SessionLimits {
            max_failures: MOST_FAILURES,
            window: Duration::from_secs(600),
            ..SessionLimits::default()
        },
        ..HttpOptions::default()
    };
    let server = app::start_with(
        Arc::new(Ledger::new(repo.clone())),
        "127.0.0.1:0".parse().expect("address"),
        options,
        async {
            stopped.await.ok();
        },
    )
    .await
    .expect("service starts");
    let community = CommunityId(uuid::Uuid::new_v4());
    let coordinator = tokens::create(&repo, community, Role::Coordinator, None, "coordination")
        .await
        .expect("token created")
        .secret;
    let running = Running {
        _db: db,
        repo,
        base: format!("http://{}", server.addr),
        addr: server.addr,
        http: reqwest::Client::new(),
        community,
        coordinator,
        _stop: stop,
    };
    let coordinator = running.coordinator.clone();
    running
        .ok(
            Auth::Bearer(&coordinator),
            REGISTER,
            json!({ "input": { "name": "CPTS du bassin de Thau",
                "territory": [{ "insee": "34301", "name": "Sète" }] } }),
        )
        .await;
    running
}

impl Running {
    async fn send(&self, auth: Auth<'_>, query: &str, variables: Value) -> (u16, Value) {
        let mut request = self
            .http
            .post(format!("{}/graphql", self.base))
            .json(&json!({ "query": query, "variables": variables }));
        match auth {
            Auth::None => {}
            Auth::Bearer(token) => request = request.bearer_auth(token),
            Auth::Cookie(cookie, csrf) => {
                request = request.header("cookie", format!("cpts_session={cookie}"));
                if csrf {
                    request = request.header("x-requested-with", "cpts-ledger");
                }
            }
        }
        let response = request.send().await.expect("request sent");
        let status = response.status().as_u16();
        (status, response.json().await.expect("a JSON body"))
    }

    async fn ok(&self, auth: Auth<'_>, query: &str, variables: Value) -> Value {
        let (status, body) = self.send(auth, query, variables).await;
        assert_eq!(status, 200, "{body}");
        assert!(body.get("errors").is_none(), "unexpected errors: {body}");
        body["data"].clone()
    }

    /// The GraphQL error of a refused request, checked to say it in both languages.
    async fn refused(&self, auth: Auth<'_>, query: &str, variables: Value, code: &str) -> Value {
        let before = self.head().await;
        let (_, body) = self.send(auth, query, variables).await;
        let error = body["errors"][0].clone();
        assert_eq!(error["extensions"]["code"], code, "{body}");
        assert_bilingual(&error);
        assert_eq!(self.head().await, before, "nothing was recorded");
        error
    }

    async fn head(&self) -> u64 {
        let coordinator = self.coordinator.clone();
        let data = self
            .ok(
                Auth::Bearer(&coordinator),
                "{ ledgerHead { position } }",
                json!({}),
            )
            .await;
        data["ledgerHead"]["position"].as_u64().expect("a position")
    }

    async fn admit(&self, name: &str) -> String {
        let coordinator = self.coordinator.clone();
        let data = self
            .ok(
                Auth::Bearer(&coordinator),
                ADMIT,
                json!({ "input": { "communityId": self.community.to_string(), "name": name,
                    "kind": "ASSOCIATION_REPRESENTATIVE", "admittedOn": "2026-01-20" } }),
            )
            .await;
        data["admitMember"]["aggregateId"]
            .as_str()
            .expect("the member's id")
            .to_owned()
    }

    /// `POST /session` with a JSON body.
    async fn sign_in(&self, token: &str) -> reqwest::Response {
        self.http
            .post(format!("{}/session", self.base))
            .json(&json!({ "token": token }))
            .send()
            .await
            .expect("answered")
    }

    /// A session's cookie for a good token.
    async fn session(&self, token: &str) -> String {
        let response = self.sign_in(token).await;
        assert_eq!(response.status().as_u16(), 204);
        cookie_of(&response).expect("a session cookie")
    }

    async fn role_of(&self, auth: Auth<'_>) -> (u16, Value) {
        self.send(auth, VIEWER, json!({})).await
    }
}

fn assert_bilingual(error: &Value) {
    assert!(
        !error["message"].as_str().unwrap_or("").is_empty(),
        "a message in French: {error}"
    );
    assert!(
        !error["extensions"]["messageEn"]
            .as_str()
            .unwrap_or("")
            .is_empty(),
        "and in English: {error}"
    );
}

fn set_cookie(response: &reqwest::Response) -> String {
    response
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned()
}

fn cookie_of(response: &reqwest::Response) -> Option<String> {
    set_cookie(response)
        .split(';')
        .next()?
        .strip_prefix("cpts_session=")
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
}

async fn a_coordinator_invites_a_representative_then_revokes_the_invitation(db: TestDb) {
    let service = start(db).await;
    let coordinator = service.coordinator.clone();
    let me = Auth::Bearer(&coordinator);
    let member = service.admit("Martine Roussel").await;

    let last_day = chrono::Utc::now().date_naive() + chrono::Days::new(90);
    let issued = service
        .ok(
            me,
            ISSUE,
            json!({ "input": { "role": "representative", "memberId": member,
                "label": "Invitation de Martine", "expiresOn": last_day.to_string() } }),
        )
        .await["issueToken"]
        .clone();
    let secret = issued["secret"].as_str().expect("the secret").to_owned();
    assert!(
        secret.starts_with("cpts_") && secret.len() == 69,
        "{issued}"
    );
    assert_eq!(issued["role"], "representative");
    assert_eq!(issued["memberId"], member);
    assert_eq!(issued["memberName"], "Martine Roussel");
    assert_eq!(issued["label"], "Invitation de Martine");
    assert!(
        issued["expiresAt"]
            .as_str()
            .is_some_and(|at| at.starts_with(&(last_day + chrono::Days::new(1)).to_string())),
        "{issued}"
    );
    let id = issued["id"].as_str().expect("an id").to_owned();

    // Listed without its secret, which no field gives again.
    let listed = service.ok(me, LIST, json!({})).await;
    assert!(!listed.to_string().contains(&secret[5..]), "{listed}");
    let tokens = listed["tokens"].as_array().expect("a list");
    assert_eq!(tokens.len(), 2, "the coordinator's and the new one");
    let invitation = tokens
        .iter()
        .find(|t| t["id"] == id.as_str())
        .expect("the new token listed");
    assert_eq!(invitation["memberName"], "Martine Roussel");
    assert_eq!(invitation["inForce"], true);
    assert_eq!(invitation["revokedAt"], Value::Null);
    let (_, body) = service.send(me, "{ tokens { secret } }", json!({})).await;
    assert!(body["errors"][0].is_object(), "no secret field: {body}");

    // The new token works, and so does a session opened with it.
    let (status, body) = service.role_of(Auth::Bearer(&secret)).await;
    assert_eq!(status, 200);
    assert_eq!(body["data"]["viewer"]["role"], "representative");
    assert_eq!(body["data"]["viewer"]["memberId"], member);
    let cookie = service.session(&secret).await;
    let (status, body) = service.role_of(Auth::Cookie(&cookie, true)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"]["viewer"]["role"], "representative");

    // The coordinator cannot revoke the token they are using.
    let mine = tokens
        .iter()
        .find(|t| t["label"] == "coordination")
        .expect("the coordinator's token")["id"]
        .clone();
    service
        .refused(me, REVOKE, json!({ "id": mine }), "INVALID_INPUT")
        .await;
    // Another CPTS's token is answered as an unknown one.
    let elsewhere = tokens::create(
        &service.repo,
        CommunityId(uuid::Uuid::new_v4()),
        Role::Auditor,
        None,
        "ailleurs",
    )
    .await
    .expect("token created");
    let outside = service
        .refused(
            me,
            REVOKE,
            json!({ "id": elsewhere.token_id.to_string() }),
            "NOT_FOUND",
        )
        .await;
    let unknown = service
        .refused(
            me,
            REVOKE,
            json!({ "id": uuid::Uuid::new_v4().to_string() }),
            "NOT_FOUND",
        )
        .await;
    assert_eq!(outside, unknown);
    assert!(tokens::authenticate(&service.repo, &elsewhere.secret)
        .await
        .expect("checked")
        .is_some());

    // Revoked: the token and its session stop at once.
    let revoked = service.ok(me, REVOKE, json!({ "id": id })).await;
    assert_eq!(revoked["revokeToken"], true);
    let (status, body) = service.role_of(Auth::Bearer(&secret)).await;
    assert_eq!(status, 401, "{body}");
    let (status, body) = service.role_of(Auth::Cookie(&cookie, true)).await;
    assert_eq!(status, 401, "{body}");
    assert_eq!(body["errors"][0]["extensions"]["code"], "UNAUTHENTICATED");
    assert_bilingual(&body["errors"][0]);
    // Nor can it open a new one.
    assert_eq!(service.sign_in(&secret).await.status().as_u16(), 401);
    let listed = service.ok(me, LIST, json!({})).await;
    let invitation = listed["tokens"]
        .as_array()
        .expect("a list")
        .iter()
        .find(|t| t["id"] == id.as_str())
        .cloned()
        .expect("still listed");
    assert_eq!(invitation["inForce"], false);
    assert!(invitation["revokedAt"].is_string());
    let again = service.ok(me, REVOKE, json!({ "id": id })).await;
    assert_eq!(again["revokeToken"], false, "already revoked");
}

#[tokio::test]
async fn a_coordinator_invites_a_representative_then_revokes_the_invitation_on_sqlite() {
    a_coordinator_invites_a_representative_then_revokes_the_invitation(sqlite_db()).await;
}

#[tokio::test]
async fn a_coordinator_invites_a_representative_then_revokes_the_invitation_on_postgres() {
    a_coordinator_invites_a_representative_then_revokes_the_invitation(postgres_db().await).await;
}

#[tokio::test]
async fn only_the_coordinator_issues_lists_and_revokes_tokens() {
    let service = start(sqlite_db()).await;
    let member = service.admit("Martine Roussel").await;
    let representative = tokens::create(
        &service.repo,
        service.community,
        Role::Representative,
        Some(cpts_domain::ids::MemberId(member.parse().expect("an id"))),
        "représentante",
    )
    .await
    .expect("token created")
    .secret;
    let auditor = tokens::create(
        &service.repo,
        service.community,
        Role::Auditor,
        None,
        "audit",
    )
    .await
    .expect("token created")
    .secret;
    for token in [&representative, &auditor] {
        let issue = json!({ "input": { "role": "coordinator", "label": "moi aussi" } });
        service
            .refused(Auth::Bearer(token), ISSUE, issue, "FORBIDDEN")
            .await;
        service
            .refused(Auth::Bearer(token), LIST, json!({}), "FORBIDDEN")
            .await;
        let id = json!({ "id": uuid::Uuid::new_v4().to_string() });
        service
            .refused(Auth::Bearer(token), REVOKE, id, "FORBIDDEN")
            .await;
    }
    service
        .refused(Auth::None, LIST, json!({}), "UNAUTHENTICATED")
        .await;
    let listed = tokens::list_in(&service.repo, Some(service.community))
        .await
        .expect("listed");
    assert_eq!(listed.len(), 3, "no token was issued");
}

#[tokio::test]
async fn a_token_must_name_a_member_of_the_coordinator_s_own_cpts() {
    let service = start(sqlite_db()).await;
    let coordinator = service.coordinator.clone();
    let me = Auth::Bearer(&coordinator);
    // A member of another CPTS.
    let other = CommunityId(uuid::Uuid::new_v4());
    let theirs = tokens::create(&service.repo, other, Role::Coordinator, None, "autre")
        .await
        .expect("token created")
        .secret;
    service
        .ok(
            Auth::Bearer(&theirs),
            REGISTER,
            json!({ "input": { "name": "CPTS voisine",
                "territory": [{ "insee": "34003", "name": "Agde" }] } }),
        )
        .await;
    let stranger = service
        .ok(
            Auth::Bearer(&theirs),
            ADMIT,
            json!({ "input": { "communityId": other.to_string(), "name": "Paul Vidal",
                "kind": "ASSOCIATION_REPRESENTATIVE", "admittedOn": "2026-01-20" } }),
        )
        .await["admitMember"]["aggregateId"]
        .clone();
    let outside = service
        .refused(
            me,
            ISSUE,
            json!({ "input": { "role": "representative", "memberId": stranger, "label": "x" } }),
            "NOT_FOUND",
        )
        .await;
    let unknown = service
        .refused(
            me,
            ISSUE,
            json!({ "input": { "role": "representative",
                "memberId": uuid::Uuid::new_v4().to_string(), "label": "x" } }),
            "NOT_FOUND",
        )
        .await;
    assert_eq!(outside, unknown, "another CPTS's member reads as unknown");
    assert!(outside["message"]
        .as_str()
        .is_some_and(|m| m.contains("membre")));
    // A board member's or a representative's token names its holder.
    for role in ["representative", "board_member"] {
        service
            .refused(
                me,
                ISSUE,
                json!({ "input": { "role": role, "label": "sans titulaire" } }),
                "INVALID_INPUT",
            )
            .await;
    }
    for input in [
        json!({ "role": "admin", "label": "x" }),
        json!({ "role": "auditor", "label": "  " }),
        json!({ "role": "auditor", "label": "x".repeat(201) }),
        json!({ "role": "auditor", "label": "x", "expiresOn": "2020-01-01" }),
        json!({ "role": "auditor", "label": "x", "expiresOn": "2199-01-01" }),
        json!({ "role": "auditor", "label": "x", "memberId": "not-a-uuid" }),
    ] {
        service
            .refused(me, ISSUE, json!({ "input": input }), "INVALID_INPUT")
            .await;
    }
    // Nor a member whose data is erased.
    let erased = service.admit("Paul Durand").await;
    service
        .ok(
            me,
            "mutation($input: ErasePersonalDataInput!) { erasePersonalData(input: $input) { aggregateId } }",
            json!({ "input": { "memberId": erased, "on": "2026-03-01" } }),
        )
        .await;
    let error = service
        .refused(
            me,
            ISSUE,
            json!({ "input": { "role": "representative", "memberId": erased, "label": "x" } }),
            "INVALID_INPUT",
        )
        .await;
    assert!(error["extensions"]["messageEn"]
        .as_str()
        .is_some_and(|m| m.contains("erased")));
    let listed = tokens::list_in(&service.repo, Some(service.community))
        .await
        .expect("listed");
    assert_eq!(listed.len(), 1, "no token was issued");
}

async fn a_session_cookie_signs_the_dashboard_in(db: TestDb) {
    let service = start(db).await;
    let response = service.sign_in(&service.coordinator).await;
    assert_eq!(response.status().as_u16(), 204);
    let set = set_cookie(&response);
    for attribute in ["HttpOnly", "SameSite=Strict", "Path=/"] {
        assert!(set.contains(attribute), "{set}");
    }
    assert!(!set.contains("Secure"), "not over http: {set}");
    let cookie = cookie_of(&response).expect("a session cookie");
    assert!(!cookie.contains(&service.coordinator[5..]), "not the token");
    assert!(!set.contains(&service.coordinator[5..]), "not the token");
    // The database keeps only its hash.
    let stored: Vec<(String,)> = service
        .repo
        .db()
        .fetch_uncounted("SELECT session_hash FROM api_sessions", &[])
        .await
        .expect("sessions read");
    assert_eq!(stored.len(), 1);
    assert_ne!(stored[0].0, cookie);

    // The cookie alone says who is asking.
    let (status, body) = service.role_of(Auth::Cookie(&cookie, true)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"]["viewer"]["role"], "coordinator");
    assert_eq!(
        body["data"]["viewer"]["communityId"],
        service.community.to_string()
    );
    // The token in `Authorization` works as well, and wins over the cookie.
    let (status, body) = service
        .role_of(Auth::Bearer(&service.coordinator.clone()))
        .await;
    assert_eq!(status, 200);
    assert_eq!(body["data"]["viewer"]["role"], "coordinator");
    // The browser's own pages pass by `Origin` or `Sec-Fetch-Site` too.
    for (name, value) in [
        ("origin", service.base.clone()),
        ("sec-fetch-site", "same-origin".to_owned()),
    ] {
        let response = service
            .http
            .post(format!("{}/graphql", service.base))
            .header("cookie", format!("cpts_session={cookie}"))
            .header(name, value)
            .json(&json!({ "query": VIEWER }))
            .send()
            .await
            .expect("answered");
        assert_eq!(response.status().as_u16(), 200, "{name}");
    }
    // The token may also come in `Authorization`.
    let response = service
        .http
        .post(format!("{}/session", service.base))
        .bearer_auth(&service.coordinator)
        .send()
        .await
        .expect("answered");
    assert_eq!(response.status().as_u16(), 204);
    assert!(cookie_of(&response).is_some_and(|other| other != cookie));
}

#[tokio::test]
async fn a_session_cookie_signs_the_dashboard_in_on_sqlite() {
    a_session_cookie_signs_the_dashboard_in(sqlite_db()).await;
}

#[tokio::test]
async fn a_session_cookie_signs_the_dashboard_in_on_postgres() {
    a_session_cookie_signs_the_dashboard_in(postgres_db().await).await;
}

#[tokio::test]
async fn a_cookie_mutation_from_another_site_is_refused_and_records_nothing() {
    let service = start(sqlite_db()).await;
    let cookie = service.session(&service.coordinator).await;
    let admit = json!({ "input": { "communityId": service.community.to_string(),
        "name": "Martine Roussel", "kind": "ASSOCIATION_REPRESENTATIVE",
        "admittedOn": "2026-01-20" } });
    let before = service.head().await;
    let attempts: [&[(&str, &str)]; 5] = [
        &[],
        &[("origin", "http://evil.example")],
        &[("sec-fetch-site", "cross-site")],
        &[("sec-fetch-site", "same-site")],
        &[("x-requested-with", "XMLHttpRequest")],
    ];
    for headers in attempts {
        let mut request = service
            .http
            .post(format!("{}/graphql", service.base))
            .header("cookie", format!("cpts_session={cookie}"))
            .json(&json!({ "query": ADMIT, "variables": admit }));
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let response = request.send().await.expect("answered");
        assert_eq!(response.status().as_u16(), 403, "{headers:?}");
        let body: Value = response.json().await.expect("a JSON error");
        assert_eq!(body["errors"][0]["extensions"]["code"], "FORBIDDEN");
        assert_bilingual(&body["errors"][0]);
    }
    assert_eq!(service.head().await, before, "nothing was recorded");
    // With the dashboard's header, the same mutation is recorded.
    service.ok(Auth::Cookie(&cookie, true), ADMIT, admit).await;
    assert!(service.head().await > before);
}

#[tokio::test]
async fn a_bad_token_gets_401_and_repeated_failures_are_limited() {
    let service = start(sqlite_db()).await;
    let wrong = format!("cpts_{}", "0".repeat(64));
    for _ in 0..MOST_FAILURES - 1 {
        let response = service.sign_in(&wrong).await;
        assert_eq!(response.status().as_u16(), 401);
        assert!(set_cookie(&response).is_empty());
        let body: Value = response.json().await.expect("a JSON error");
        assert_eq!(body["errors"][0]["extensions"]["code"], "UNAUTHENTICATED");
        assert_bilingual(&body["errors"][0]);
    }
    // A body that is not the token counts as a failure too.
    let response = service
        .http
        .post(format!("{}/session", service.base))
        .header("content-type", "text/plain")
        .body(wrong.clone())
        .send()
        .await
        .expect("answered");
    assert_eq!(response.status().as_u16(), 400);
    // From now on the address waits, whatever it sends.
    for token in [wrong.as_str(), service.coordinator.as_str()] {
        let response = service.sign_in(token).await;
        assert_eq!(response.status().as_u16(), 429, "{token}");
        assert!(response.headers().contains_key("retry-after"));
        assert!(set_cookie(&response).is_empty());
        let body: Value = response.json().await.expect("a JSON error");
        assert_eq!(body["errors"][0]["extensions"]["code"], "TOO_MANY_REQUESTS");
        assert_bilingual(&body["errors"][0]);
    }
    // Bearer tokens keep working as before.
    let (status, _) = service
        .role_of(Auth::Bearer(&service.coordinator.clone()))
        .await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn deleting_the_session_ends_it() {
    let service = start(sqlite_db()).await;
    let cookie = service.session(&service.coordinator).await;
    let delete = |csrf: bool| {
        let mut request = service
            .http
            .delete(format!("{}/session", service.base))
            .header("cookie", format!("cpts_session={cookie}"));
        if csrf {
            request = request.header("x-requested-with", "cpts-ledger");
        }
        request.send()
    };
    let response = delete(false).await.expect("answered");
    assert_eq!(response.status().as_u16(), 403, "not from the dashboard");
    assert_eq!(
        service.role_of(Auth::Cookie(&cookie, true)).await.0,
        200,
        "still signed in"
    );
    let response = delete(true).await.expect("answered");
    assert_eq!(response.status().as_u16(), 204);
    let set = set_cookie(&response);
    assert!(
        set.starts_with("cpts_session=;") && set.contains("Max-Age=0"),
        "{set}"
    );
    let (status, body) = service.role_of(Auth::Cookie(&cookie, true)).await;
    assert_eq!(status, 401, "{body}");
    assert_bilingual(&body["errors"][0]);
    let stored: Vec<(String,)> = service
        .repo
        .db()
        .fetch_uncounted("SELECT session_hash FROM api_sessions", &[])
        .await
        .expect("sessions read");
    assert!(stored.is_empty(), "the session's row is gone");
}

#[tokio::test]
async fn a_websocket_takes_the_cookie_from_the_service_s_own_pages_only() {
    let service = start(sqlite_db()).await;
    let cookie = service.session(&service.coordinator).await;
    let connect = |origin: String| {
        let mut request = format!("ws://{}/graphql/ws", service.addr)
            .into_client_request()
            .expect("request");
        let headers = request.headers_mut();
        headers.insert(
            "sec-websocket-protocol",
            "graphql-transport-ws".parse().expect("header"),
        );
        headers.insert(
            "cookie",
            format!("cpts_session={cookie}").parse().expect("header"),
        );
        headers.insert("origin", origin.parse().expect("header"));
        tokio_tungstenite::connect_async(request)
    };
    match connect("http://evil.example".into()).await {
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
            assert_eq!(response.status().as_u16(), 403)
        }
        other => panic!("a foreign origin is refused: {:?}", other.map(|_| ())),
    }
    let (mut socket, _) = connect(service.base.clone()).await.expect("connected");
    for message in [
        json!({ "type": "connection_init", "payload": {} }),
        json!({ "id": "1", "type": "subscribe", "payload": { "query": VIEWER } }),
    ] {
        socket
            .send(Message::text(message.to_string()))
            .await
            .expect("sent");
    }
    let mut role = None;
    while let Ok(Some(Ok(message))) =
        tokio::time::timeout(Duration::from_secs(10), socket.next()).await
    {
        let Message::Text(text) = message else {
            continue;
        };
        let value: Value = serde_json::from_str(&text).expect("JSON");
        if value["type"] == "next" {
            role = Some(value["payload"]["data"]["viewer"]["role"].clone());
            break;
        }
    }
    assert_eq!(role, Some(json!("coordinator")));

    // Signing out closes the connection the cookie opened.
    let response = service
        .http
        .delete(format!("{}/session", service.base))
        .header("cookie", format!("cpts_session={cookie}"))
        .header("x-requested-with", "cpts-ledger")
        .send()
        .await
        .expect("answered");
    assert_eq!(response.status().as_u16(), 204);
    let mut closed = None;
    while let Ok(Some(message)) = tokio::time::timeout(Duration::from_secs(10), socket.next()).await
    {
        match message {
            Ok(Message::Close(frame)) => {
                closed = frame.map(|f| u16::from(f.code));
                break;
            }
            Ok(_) => continue,
            Err(_) => break,
        }
    }
    assert_eq!(closed, Some(4401));
}
