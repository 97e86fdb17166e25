//! GraphQL over WebSocket against the real service: a withdrawn token stops working on an open
//! connection, messages are size-limited, connections and operations are capped, idle sockets
//! close, each CPTS has its own feed and a subscription resumes from a position.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use cpts_domain::access::{Caller, Role};
use cpts_domain::command::{Actor, AddressedCommand};
use cpts_domain::community::CommunityCommand;
use cpts_domain::ids::{CommunityId, MemberId};
use cpts_graphql::port::{CommandContext, LedgerPort};
use cpts_graphql::ws::WsLimits;
use cpts_ledger::demo::{self, id_of};
use cpts_ledger::service::Ledger;
use cpts_ledger::store::EventRepository;
use cpts_ledger::{app, personal, tokens};
use cpts_ledger_tests::{open_store, postgres_db, TestDb};
use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio::sync::oneshot;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;
use uuid::Uuid;

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// The service over a fresh database, optionally holding the demo's record.
struct Live {
    _db: TestDb,
    repo: EventRepository,
    ledger: Arc<Ledger>,
    addr: SocketAddr,
    _stop: oneshot::Sender<()>,
}

async fn live(with_demo: bool, limits: WsLimits) -> Live {
    let db = postgres_db().await;
    let repo = open_store(db.url()).await.expect("store opens");
    let ledger = Arc::new(Ledger::new(repo.clone()));
    if with_demo {
        demo::record_scenario(ledger.as_ref())
            .await
            .expect("demo recorded");
    }
    let (stop, stopped) = oneshot::channel::<()>();
    let server = app::start_with(
        ledger.clone(),
        "127.0.0.1:0".parse().expect("address"),
        app::HttpOptions {
            ws: limits,
            ..app::HttpOptions::default()
        },
        async {
            stopped.await.ok();
        },
    )
    .await
    .expect("service starts");
    Live {
        _db: db,
        repo,
        ledger,
        addr: server.addr,
        _stop: stop,
    }
}

fn demo_community() -> CommunityId {
    CommunityId(id_of("community", "cpts-val-de-letang"))
}

/// A connection, before `connection_init`.
async fn connect(addr: SocketAddr) -> Socket {
    let mut request = format!("ws://{addr}/graphql/ws")
        .into_client_request()
        .expect("request");
    request.headers_mut().insert(
        "Sec-WebSocket-Protocol",
        "graphql-transport-ws".parse().expect("header"),
    );
    let (socket, _) = tokio_tungstenite::connect_async(request)
        .await
        .expect("connected");
    socket
}

async fn send(socket: &mut Socket, message: Value) {
    socket
        .send(Message::text(message.to_string()))
        .await
        .expect("sent");
}

/// Sends `connection_init` with the token, if any, and returns the server's first answer.
async fn init(socket: &mut Socket, token: Option<&str>) -> Reply {
    let payload = match token {
        Some(token) => json!({ "Authorization": format!("Bearer {token}") }),
        None => json!({}),
    };
    send(
        socket,
        json!({ "type": "connection_init", "payload": payload }),
    )
    .await;
    next(socket, Duration::from_secs(10)).await
}

/// A connection whose `connection_init` was acknowledged.
async fn open(addr: SocketAddr, token: Option<&str>) -> Socket {
    let mut socket = connect(addr).await;
    let reply = init(&mut socket, token).await;
    assert!(
        matches!(&reply, Reply::Json(m) if m["type"] == "connection_ack"),
        "{reply:?}"
    );
    socket
}

async fn subscribe(socket: &mut Socket, id: &str, query: &str) {
    send(
        socket,
        json!({ "id": id, "type": "subscribe", "payload": { "query": query } }),
    )
    .await;
}

/// What the server sent next.
#[derive(Debug)]
enum Reply {
    Json(Value),
    /// A close frame's code (`None`: the connection ended without one).
    Closed(Option<u16>),
    /// Nothing within the time given.
    Silent,
}

async fn next(socket: &mut Socket, within: Duration) -> Reply {
    let deadline = tokio::time::Instant::now() + within;
    loop {
        let message = match tokio::time::timeout_at(deadline, socket.next()).await {
            Err(_) => return Reply::Silent,
            Ok(None | Some(Err(_))) => return Reply::Closed(None),
            Ok(Some(Ok(message))) => message,
        };
        match message {
            Message::Text(text) => return Reply::Json(serde_json::from_str(&text).expect("JSON")),
            Message::Close(frame) => return Reply::Closed(frame.map(|f| u16::from(f.code))),
            _ => {}
        }
    }
}

/// Reads until the server closes the connection, at most `within`; the messages before, and
/// the close code (`None` if it did not close in time).
async fn until_closed(socket: &mut Socket, within: Duration) -> (Vec<Value>, Option<Option<u16>>) {
    let deadline = Instant::now() + within;
    let mut seen = Vec::new();
    for _ in 0..10_000 {
        let left = deadline.saturating_duration_since(Instant::now());
        match next(socket, left).await {
            Reply::Json(message) => seen.push(message),
            Reply::Closed(code) => return (seen, Some(code)),
            Reply::Silent => return (seen, None),
        }
    }
    (seen, None)
}

fn error_code(message: &Value) -> Option<&str> {
    message["payload"]["errors"][0]["extensions"]["code"]
        .as_str()
        .or_else(|| message["payload"][0]["extensions"]["code"].as_str())
}

const HEAD: &str = "{ ledgerHead { position } }";

/// Asks for the head on `id` and returns the answer's data, or the error code.
async fn ask_head(socket: &mut Socket, id: &str) -> Result<u64, String> {
    subscribe(socket, id, HEAD).await;
    for _ in 0..100 {
        match next(socket, Duration::from_secs(10)).await {
            // What other operations of the connection send meanwhile.
            Reply::Json(message) if message["id"] != id => continue,
            Reply::Json(message) => {
                return match message["payload"]["data"]["ledgerHead"]["position"].as_u64() {
                    Some(position) => Ok(position),
                    None => Err(error_code(&message).unwrap_or("no code").to_owned()),
                }
            }
            other => return Err(format!("{other:?}")),
        }
    }
    Err("no answer".into())
}

/// After the token is withdrawn: an operation is refused, and the socket, with its running
/// subscription, is closed with 4401 within five seconds.
async fn assert_cut_off(socket: &mut Socket, withdrawn: Instant) {
    subscribe(socket, "after", HEAD).await;
    let (seen, closed) = until_closed(socket, Duration::from_secs(5)).await;
    assert!(
        withdrawn.elapsed() <= Duration::from_secs(5) + Duration::from_millis(500),
        "closed {:?} after the token was withdrawn",
        withdrawn.elapsed()
    );
    assert_eq!(closed, Some(Some(4401)), "closed as unauthorized: {seen:?}");
    for message in &seen {
        assert!(
            message["payload"]["data"]["ledgerHead"].is_null(),
            "nothing answered once the token is withdrawn: {message}"
        );
    }
}

#[tokio::test]
async fn a_revoked_tokens_socket_is_refused_and_closed_within_five_seconds() {
    let live = live(false, WsLimits::default()).await;
    let community = CommunityId(Uuid::new_v4());
    let auditor = tokens::create(&live.repo, community, Role::Auditor, None, "audit")
        .await
        .expect("token");
    let mut socket = open(live.addr, Some(&auditor.secret)).await;
    subscribe(
        &mut socket,
        "events",
        "subscription { events { position } }",
    )
    .await;
    assert!(ask_head(&mut socket, "before").await.is_ok());

    assert!(tokens::revoke(&live.repo, auditor.token_id)
        .await
        .expect("revoked"));
    let revoked = Instant::now();
    assert_cut_off(&mut socket, revoked).await;

    // Nor can it open a new connection.
    let mut again = connect(live.addr).await;
    let reply = init(&mut again, Some(&auditor.secret)).await;
    assert!(
        !matches!(&reply, Reply::Json(m) if m["type"] == "connection_ack"),
        "{reply:?}"
    );
}

#[tokio::test]
async fn an_expired_token_is_refused_and_its_socket_closed_within_five_seconds() {
    let live = live(false, WsLimits::default()).await;
    let community = CommunityId(Uuid::new_v4());

    // Created already expired: it opens nothing, over HTTP or WebSocket.
    let past = tokens::create_expiring(
        &live.repo,
        community,
        Role::Auditor,
        None,
        "expired",
        chrono::Utc::now() - chrono::Duration::seconds(1),
    )
    .await
    .expect("token");
    let status = reqwest::Client::new()
        .post(format!("http://{}/graphql", live.addr))
        .bearer_auth(&past.secret)
        .json(&json!({ "query": HEAD }))
        .send()
        .await
        .expect("sent")
        .status();
    assert_eq!(status, 401);
    let mut socket = connect(live.addr).await;
    let reply = init(&mut socket, Some(&past.secret)).await;
    assert!(
        !matches!(&reply, Reply::Json(m) if m["type"] == "connection_ack"),
        "{reply:?}"
    );

    // Expiring in two seconds: it works, then it stops, on the open socket too.
    let expires_at = chrono::Utc::now() + chrono::Duration::seconds(2);
    let short = tokens::create_expiring(
        &live.repo,
        community,
        Role::Auditor,
        None,
        "short",
        expires_at,
    )
    .await
    .expect("token");
    let mut socket = open(live.addr, Some(&short.secret)).await;
    subscribe(
        &mut socket,
        "events",
        "subscription { events { position } }",
    )
    .await;
    assert!(ask_head(&mut socket, "before").await.is_ok());
    let wait = (expires_at - chrono::Utc::now())
        .to_std()
        .unwrap_or_default();
    tokio::time::sleep(wait).await;
    assert_cut_off(&mut socket, Instant::now()).await;
}

#[tokio::test]
async fn an_erased_members_token_stops_working_on_an_open_socket() {
    let live = live(true, WsLimits::default()).await;
    let helene = MemberId(id_of("member", "helene-castel"));
    let board = tokens::create(
        &live.repo,
        demo_community(),
        Role::BoardMember,
        Some(helene),
        "Hélène Castel",
    )
    .await
    .expect("token");
    let mut socket = open(live.addr, Some(&board.secret)).await;
    subscribe(
        &mut socket,
        "events",
        "subscription { events { position } }",
    )
    .await;
    assert!(ask_head(&mut socket, "before").await.is_ok());

    personal::erase(
        &live.ledger,
        helene,
        chrono::NaiveDate::from_ymd_opt(2026, 11, 1).expect("date"),
    )
    .await
    .expect("erased");
    let erased = Instant::now();
    let (seen, closed) = until_closed(&mut socket, Duration::from_secs(5)).await;
    assert!(erased.elapsed() <= Duration::from_millis(5_500));
    assert_eq!(closed, Some(Some(4401)), "{seen:?}");

    let listed = tokens::list_in(&live.repo, Some(demo_community()))
        .await
        .expect("listed");
    let token = listed
        .iter()
        .find(|t| t.token_id == board.token_id.to_string())
        .expect("still listed");
    assert!(token.revoked_at.is_some(), "revoked");
    assert_eq!(
        token.label,
        cpts_domain::personal::ERASED,
        "its label erased"
    );
}

#[tokio::test]
async fn a_five_mib_message_is_refused_without_a_token() {
    let live = live(false, WsLimits::default()).await;
    let mut socket = open(live.addr, None).await;
    let huge = "x".repeat(5 * 1024 * 1024);
    let message = json!({ "id": "1", "type": "subscribe",
        "payload": { "query": "{ __typename }", "variables": { "filler": huge } } });
    // The server may cut the connection while the message is still being written.
    let _ = socket.send(Message::text(message.to_string())).await;
    let (seen, closed) = until_closed(&mut socket, Duration::from_secs(10)).await;
    assert!(seen.is_empty(), "nothing answered: {seen:?}");
    assert!(
        matches!(closed, Some(Some(1009) | None)),
        "closed as too big: {closed:?}"
    );

    // The service goes on.
    let mut other = open(live.addr, None).await;
    subscribe(&mut other, "1", "{ __typename }").await;
    let reply = next(&mut other, Duration::from_secs(10)).await;
    assert!(
        matches!(&reply, Reply::Json(m) if m["payload"]["data"]["__typename"] == "QueryRoot"),
        "{reply:?}"
    );
}

#[tokio::test]
async fn the_caps_refuse_the_next_subscription_and_the_next_connection() {
    let limits = WsLimits::default();
    let live = live(false, limits).await;
    let community = CommunityId(Uuid::new_v4());
    let auditor = tokens::create(&live.repo, community, Role::Auditor, None, "audit")
        .await
        .expect("token")
        .secret;

    // Subscriptions on one connection: the N+1st is refused with a code, the others run.
    let mut socket = open(live.addr, Some(&auditor)).await;
    for i in 0..limits.operations_per_connection {
        subscribe(
            &mut socket,
            &format!("s{i}"),
            "subscription { events { position } }",
        )
        .await;
    }
    subscribe(
        &mut socket,
        "one-too-many",
        "subscription { events { position } }",
    )
    .await;
    let reply = next(&mut socket, Duration::from_secs(10)).await;
    let Reply::Json(message) = reply else {
        panic!("an answer: {reply:?}");
    };
    assert_eq!(message["id"], "one-too-many", "{message}");
    assert_eq!(
        error_code(&message),
        Some("TOO_MANY_SUBSCRIPTIONS"),
        "{message}"
    );
    // Stopping one makes room.
    send(&mut socket, json!({ "id": "s0", "type": "complete" })).await;
    assert!(ask_head(&mut socket, "room").await.is_ok());

    // Connections per token: the N+1st is closed with 4429 (and the first is one of them).
    let mut open_ones = vec![socket];
    for _ in 1..limits.per_token {
        open_ones.push(open(live.addr, Some(&auditor)).await);
    }
    let mut refused = connect(live.addr).await;
    let reply = init(&mut refused, Some(&auditor)).await;
    assert!(matches!(reply, Reply::Closed(Some(4429))), "{reply:?}");
    // Another token is not affected; closing one connection makes room.
    let other = tokens::create(&live.repo, community, Role::Auditor, None, "other")
        .await
        .expect("token")
        .secret;
    drop(open(live.addr, Some(&other)).await);
    let mut first = open_ones.remove(0);
    first.close(None).await.ok();
    drop(first);
    let mut room = None;
    for _ in 0..50 {
        let mut socket = connect(live.addr).await;
        if let Reply::Json(m) = init(&mut socket, Some(&auditor)).await {
            if m["type"] == "connection_ack" {
                room = Some(socket);
                break;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(room.is_some(), "a closed connection frees its place");
}

#[tokio::test]
async fn an_idle_socket_is_closed_but_not_one_with_a_running_subscription() {
    let limits = WsLimits {
        idle: Duration::from_secs(1),
        ..WsLimits::default()
    };
    let live = live(false, limits).await;
    let community = CommunityId(Uuid::new_v4());
    let auditor = tokens::create(&live.repo, community, Role::Auditor, None, "audit")
        .await
        .expect("token")
        .secret;
    let mut idle = open(live.addr, None).await;
    let mut busy = open(live.addr, Some(&auditor)).await;
    subscribe(&mut busy, "events", "subscription { events { eventType } }").await;

    let (seen, closed) = until_closed(&mut idle, Duration::from_secs(10)).await;
    assert_eq!(closed, Some(Some(4408)), "{seen:?}");

    // Past the idle time, the subscribed socket still delivers.
    tokio::time::sleep(Duration::from_secs(2)).await;
    register(&live.ledger, community).await;
    let reply = next(&mut busy, Duration::from_secs(10)).await;
    assert!(
        matches!(&reply, Reply::Json(m) if m["payload"]["data"]["events"]["eventType"] == "CommunityRegistered"),
        "{reply:?}"
    );
}

async fn register(ledger: &Ledger, community: CommunityId) {
    ledger
        .execute(
            AddressedCommand::Community {
                id: community,
                command: CommunityCommand::Register {
                    community_id: community,
                    name: format!("CPTS {}", &community.to_string()[..8]),
                    territory: vec![cpts_domain::values::Commune {
                        insee: "34301".into(),
                        name: "Sète".into(),
                    }],
                },
            },
            CommandContext {
                caller: Caller::Trusted(Actor::System),
                command_id: Uuid::new_v4(),
            },
        )
        .await
        .expect("registered");
}

#[tokio::test]
async fn each_cpts_has_its_own_feed() {
    let db = postgres_db().await;
    let repo = open_store(db.url()).await.expect("store opens");
    let ledger = Arc::new(Ledger::new(repo).projecting_after_commands(false));
    ledger.spawn_feed(Duration::from_millis(50));
    let quiet = CommunityId(Uuid::new_v4());
    let mut receiver = ledger.subscribe(quiet);
    let mut busy_receiver = ledger.subscribe(CommunityId(Uuid::new_v4()));

    // Other CPTS record events, and the feed announces them: the last one's subscriber hears
    // it, so the feed went past all of them.
    let others: Vec<CommunityId> = (0..40).map(|_| CommunityId(Uuid::new_v4())).collect();
    let mut last_of_them = ledger.subscribe(others[others.len() - 1]);
    for other in &others {
        register(&ledger, *other).await;
    }
    let heard = tokio::time::timeout(Duration::from_secs(10), last_of_them.recv())
        .await
        .expect("within 10 s")
        .expect("an event");
    assert_eq!(heard.community, Some(others[others.len() - 1]));
    // Nothing of theirs reached this CPTS's subscribers: however busy they are, they cannot
    // push it behind.
    assert_eq!(receiver.len(), 0, "another CPTS's events reach this feed");
    assert!(busy_receiver.try_recv().is_err());

    // Its own event does.
    register(&ledger, quiet).await;
    let item = tokio::time::timeout(Duration::from_secs(10), receiver.recv())
        .await
        .expect("within 10 s")
        .expect("an event");
    assert_eq!(item.community, Some(quiet));
    assert_eq!(item.event.event_type, "CommunityRegistered");
}

#[tokio::test]
async fn events_resume_after_a_position_without_gap_or_repetition() {
    let live = live(true, WsLimits::default()).await;
    let community = demo_community();
    let auditor = tokens::create(&live.repo, community, Role::Auditor, None, "audit")
        .await
        .expect("token")
        .secret;
    let recorded = live
        .ledger
        .community_events_after(community, 0, 100_000)
        .await
        .expect("the CPTS's log");
    assert!(recorded.len() > 20, "the demo records events");
    let resume_after = recorded[recorded.len() / 2].position;
    let expected: Vec<u64> = recorded
        .iter()
        .map(|e| e.position)
        .filter(|p| *p > resume_after)
        .collect();

    let mut socket = open(live.addr, Some(&auditor)).await;
    // Queries over the socket read as over HTTP, a page of decisions included.
    subscribe(
        &mut socket,
        "page",
        "{ decisions(first: 2) { edges { node { title } } } }",
    )
    .await;
    let reply = next(&mut socket, Duration::from_secs(10)).await;
    assert!(
        matches!(&reply, Reply::Json(m) if m["payload"]["data"]["decisions"]["edges"][1]["node"]["title"].is_string()),
        "{reply:?}"
    );
    assert!(
        matches!(next(&mut socket, Duration::from_secs(10)).await, Reply::Json(m) if m["type"] == "complete")
    );
    subscribe(
        &mut socket,
        "events",
        &format!("subscription {{ events(after: {resume_after}) {{ position eventType }} }}"),
    )
    .await;
    let mut received = Vec::new();
    for _ in 0..expected.len() {
        match next(&mut socket, Duration::from_secs(10)).await {
            Reply::Json(m) => received.push(
                m["payload"]["data"]["events"]["position"]
                    .as_u64()
                    .unwrap_or_else(|| panic!("an event: {m}")),
            ),
            other => panic!("an event: {other:?}"),
        }
    }
    assert_eq!(received, expected, "the log after the position, in order");

    // Then live: a new event comes once, right after.
    personal::erase(
        &live.ledger,
        MemberId(id_of("member", "martine-roussel")),
        chrono::NaiveDate::from_ymd_opt(2026, 11, 1).expect("date"),
    )
    .await
    .expect("erased");
    let reply = next(&mut socket, Duration::from_secs(10)).await;
    let Reply::Json(message) = reply else {
        panic!("the live event: {reply:?}");
    };
    let event = &message["payload"]["data"]["events"];
    assert_eq!(event["eventType"], "PersonalDataErased", "{message}");
    assert!(event["position"].as_u64() > expected.last().copied());
    assert!(
        matches!(
            next(&mut socket, Duration::from_secs(2)).await,
            Reply::Silent
        ),
        "and only once"
    );
}
