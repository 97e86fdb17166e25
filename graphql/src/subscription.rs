//! Subscriptions, over WebSocket at `/graphql/ws`.

use async_graphql::futures_util::stream::{self, Stream};
use async_graphql::{Context, Result, Subscription};
use tokio::sync::broadcast::error::RecvError;

use crate::guard;
use crate::query::Notification;
use crate::types::{ledger, Event};
use crate::views::{read_db, read_failed};

/// The subscription root.
#[derive(Debug, Default)]
pub struct SubscriptionRoot;

#[Subscription]
impl SubscriptionRoot {
    /// The events of the caller's CPTS as they are recorded, by any client and any instance of
    /// the service. For coordinators, board members and auditors. The stream ends if the
    /// subscriber falls more than a few thousand events behind: re-read `events` and subscribe
    /// again.
    async fn events(&self, ctx: &Context<'_>) -> Result<impl Stream<Item = Event>> {
        let principal = guard::staff(ctx)?;
        let receiver = ledger(ctx)?.subscribe();
        let community = principal.community;
        Ok(stream::unfold(receiver, move |mut receiver| async move {
            loop {
                match receiver.recv().await {
                    Ok(item) if item.community == Some(community) => {
                        return Some((Event::from(item.event), receiver))
                    }
                    Ok(_) => continue,
                    Err(RecvError::Lagged(missed)) => {
                        tracing::warn!(missed, "a subscriber fell behind; its stream ends");
                        return None;
                    }
                    Err(RecvError::Closed) => return None,
                }
            }
        }))
    }

    /// The signed-in member's new notifications, as the service creates them (whichever
    /// instance does): what became of their contributions. Checked every second.
    async fn notification_added(
        &self,
        ctx: &Context<'_>,
    ) -> Result<impl Stream<Item = Notification>> {
        let principal = guard::principal(ctx)?;
        let member = principal
            .member
            .map(|m| m.0.to_string())
            .unwrap_or_default();
        let db = read_db(ctx)?.clone();
        let seen = cpts_projections::notifications::member_notifications(&db, &member)
            .await
            .map_err(read_failed)?
            .iter()
            .map(|n| n.position)
            .max()
            .unwrap_or(0);
        let state = (db, member, seen, std::collections::VecDeque::new());
        Ok(stream::unfold(
            state,
            |(db, member, mut seen, mut pending)| async move {
                loop {
                    if let Some(next) = pending.pop_front() {
                        return Some((next, (db, member, seen, pending)));
                    }
                    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
                    let Ok(rows) =
                        cpts_projections::notifications::member_notifications(&db, &member).await
                    else {
                        continue;
                    };
                    let mut fresh: Vec<_> =
                        rows.into_iter().filter(|n| n.position > seen).collect();
                    fresh.sort_by_key(|n| n.position);
                    if let Some(last) = fresh.last() {
                        seen = last.position;
                    }
                    pending.extend(fresh.into_iter().map(|n| Notification {
                        key: async_graphql::ID(n.notification_key),
                        position: n.position,
                        title: n.title,
                        body: n.body,
                        read: n.status == "read",
                        created_at: n.created_at,
                    }));
                }
            },
        ))
    }
}
