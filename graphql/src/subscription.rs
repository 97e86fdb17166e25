//! Subscriptions, over WebSocket at `/graphql/ws`.

use async_graphql::futures_util::stream::{self, Stream};
use async_graphql::{Context, Result, Subscription};
use tokio::sync::broadcast::error::RecvError;

use crate::guard;
use crate::types::{ledger, Event};

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
}
