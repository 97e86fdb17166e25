//! Subscriptions, over WebSocket at `/graphql/ws`.
//!
//! Each CPTS has its own live feed. A subscription that falls behind its feed, or that asks to
//! resume from a position, reads the missing events from the log and then goes on live: the
//! stream never skips or repeats an event. Notifications are pushed by one watcher per process
//! (see the ledger's notification feed); a subscription does not poll.

use std::collections::{HashSet, VecDeque};
use std::sync::Arc;

use async_graphql::futures_util::stream::{self, Stream};
use async_graphql::{Context, Result, Subscription};
use cpts_domain::ids::{CommunityId, MemberId};
use cpts_projections::notifications::MemberNotification;
use tokio::sync::broadcast::error::RecvError;
use tokio::sync::broadcast::Receiver;

use crate::errors::{catalogued, codes, from_ledger};
use crate::guard;
use crate::port::{FeedItem, LedgerPort};
use crate::query::Notification;
use crate::types::{ledger, Event};
use crate::views::{read_db, read_failed};

/// How many events one read of the log brings back while catching up.
const REPLAY_PAGE: u32 = 500;

/// The subscription root.
#[derive(Debug, Default)]
pub struct SubscriptionRoot;

/// Where an `events` subscription is: catching up from the log, or following the live feed.
struct EventsState {
    ledger: Arc<dyn LedgerPort>,
    community: CommunityId,
    receiver: Receiver<FeedItem>,
    /// The position of the last event handed out (or the one to resume after).
    last: u64,
    catching_up: bool,
    pending: VecDeque<Event>,
}

impl EventsState {
    async fn next(mut self) -> Option<(Event, Self)> {
        loop {
            if let Some(event) = self.pending.pop_front() {
                return Some((event, self));
            }
            if self.catching_up {
                let page = match self
                    .ledger
                    .community_events_after(self.community, self.last, REPLAY_PAGE)
                    .await
                {
                    Ok(page) => page,
                    Err(error) => {
                        tracing::warn!(%error, "a subscription could not catch up; its stream ends");
                        return None;
                    }
                };
                match page.last() {
                    Some(last) => self.last = last.position,
                    None => self.catching_up = false,
                }
                self.pending.extend(page.into_iter().map(Event::from));
                continue;
            }
            match self.receiver.recv().await {
                Ok(item) if item.event.position > self.last => {
                    self.last = item.event.position;
                    return Some((Event::from(item.event), self));
                }
                // Already handed out while catching up.
                Ok(_) => continue,
                Err(RecvError::Lagged(missed)) => {
                    tracing::debug!(
                        missed,
                        "a subscriber fell behind; it catches up from the log"
                    );
                    self.catching_up = true;
                }
                Err(RecvError::Closed) => return None,
            }
        }
    }
}

/// Where a `notificationAdded` subscription is.
struct NotificationsState {
    db: cpts_projections::ReadDb,
    member: String,
    receiver: Receiver<MemberNotification>,
    /// The position of the last notification handed out (or seen before subscribing), and
    /// the keys handed out at that position (one event may bring a member several).
    seen: i64,
    seen_keys: HashSet<String>,
    pending: VecDeque<MemberNotification>,
}

impl NotificationsState {
    async fn next(mut self) -> Option<(Notification, Self)> {
        loop {
            if let Some(next) = self.pending.pop_front() {
                if next.position > self.seen {
                    self.seen = next.position;
                    self.seen_keys.clear();
                } else if next.position < self.seen
                    || self.seen_keys.contains(&next.notification_key)
                {
                    continue;
                }
                self.seen_keys.insert(next.notification_key.clone());
                return Some((notification(next), self));
            }
            match self.receiver.recv().await {
                Ok(note) => self.pending.push_back(note),
                Err(RecvError::Lagged(_)) => {
                    // Fell behind the feed: what it missed is in the database.
                    let Ok(rows) = cpts_projections::notifications::member_notifications(
                        &self.db,
                        &self.member,
                    )
                    .await
                    else {
                        return None;
                    };
                    let mut fresh: Vec<_> = rows
                        .into_iter()
                        .filter(|n| n.position >= self.seen)
                        .collect();
                    fresh.sort_by(|a, b| {
                        (a.position, &a.notification_key).cmp(&(b.position, &b.notification_key))
                    });
                    self.pending.extend(fresh);
                }
                Err(RecvError::Closed) => return None,
            }
        }
    }
}

fn notification(n: MemberNotification) -> Notification {
    Notification::from(n)
}

#[Subscription]
impl SubscriptionRoot {
    /// The events of the caller's CPTS as they are recorded, by any client and any instance of
    /// the service. For coordinators, board members and auditors. With `after` (a log
    /// position, e.g. the last one received before a disconnection), the events of the CPTS
    /// recorded after it come first, then the live ones, without gap or repetition.
    async fn events(
        &self,
        ctx: &Context<'_>,
        after: Option<u64>,
    ) -> Result<impl Stream<Item = Event>> {
        let principal = guard::staff(ctx)?;
        let ledger = ledger(ctx)?.clone();
        let community = principal.community;
        // Subscribed before the log is read: nothing recorded in between is missed.
        let receiver = ledger.subscribe(community);
        let (last, catching_up) = match after {
            Some(position) => (position, true),
            None => (ledger.head().await.map_err(from_ledger)?.0, false),
        };
        let state = EventsState {
            ledger,
            community,
            receiver,
            last,
            catching_up,
            pending: VecDeque::new(),
        };
        Ok(stream::unfold(state, EventsState::next))
    }

    /// The signed-in member's new notifications, as the service creates them (whichever
    /// instance does): what became of their contributions.
    async fn notification_added(
        &self,
        ctx: &Context<'_>,
    ) -> Result<impl Stream<Item = Notification>> {
        let principal = guard::principal(ctx)?;
        let member = principal.member.unwrap_or(MemberId(uuid::Uuid::nil()));
        let Some(receiver) = ledger(ctx)?.notification_feed(member) else {
            return Err(catalogued(codes::UNAVAILABLE, "api-live-unavailable", &[]));
        };
        let member = principal
            .member
            .map(|m| m.0.to_string())
            .unwrap_or_default();
        let db = read_db(ctx)?.clone();
        let known = cpts_projections::notifications::member_notifications(&db, &member)
            .await
            .map_err(read_failed)?;
        let seen = known.iter().map(|n| n.position).max().unwrap_or(0);
        let seen_keys = known
            .into_iter()
            .filter(|n| n.position == seen)
            .map(|n| n.notification_key)
            .collect();
        let state = NotificationsState {
            db,
            member,
            receiver,
            seen,
            seen_keys,
            pending: VecDeque::new(),
        };
        Ok(stream::unfold(state, NotificationsState::next))
    }
}
