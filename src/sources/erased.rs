//! `AnySource`: a source of any back end behind one object (boxed futures), so the registry
//! holds one table of constructors instead of a match per operation, and the poller runs
//! every back end the same way.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::sync::mpsc::UnboundedSender;

use super::{BatchItem, Error, Operation, Snapshot, Source};
use crate::model::{AlertKey, Related, SourceId};

/// A boxed future that may cross threads.
type Boxed<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;
/// What a back end's analytics answer.
type Analyzed = Result<Option<crate::insights::analytics::Analytics>, Error>;

/// `Source` with its futures boxed: what `AnySource` holds.
trait ErasedSource: Send + 'static {
    fn id(&self) -> &SourceId;
    fn fetch(&mut self) -> Boxed<'_, Result<Snapshot, Error>>;
    fn show_resolved(&mut self, window: Option<Duration>);
    fn set_mine_only(&mut self, mine_only: bool);
    fn capabilities_now(&self) -> Option<super::Capabilities>;
    fn related<'a>(&'a mut self, key: &'a AlertKey) -> Boxed<'a, Result<Vec<Related>, Error>>;
    fn analytics(&mut self, since: DateTime<Utc>, until: DateTime<Utc>) -> Boxed<'_, Analyzed>;
    fn whoami(&mut self) -> Boxed<'_, Result<Option<super::identity::Identity>, Error>>;
    fn perform<'a>(
        &'a mut self,
        key: &'a AlertKey,
        op: &'a Operation,
        author: &'a str,
    ) -> Boxed<'a, Result<(), Error>>;
    fn perform_batch<'a>(
        &'a mut self,
        items: &'a [BatchItem],
        per_item: Duration,
        done: &'a UnboundedSender<(usize, Result<(), Error>)>,
    ) -> Boxed<'a, ()>;
}

impl<S: Source> ErasedSource for S {
    fn id(&self) -> &SourceId {
        Source::id(self)
    }
    fn fetch(&mut self) -> Boxed<'_, Result<Snapshot, Error>> {
        Box::pin(Source::fetch(self))
    }
    fn show_resolved(&mut self, window: Option<Duration>) {
        Source::show_resolved(self, window);
    }
    fn set_mine_only(&mut self, mine_only: bool) {
        Source::set_mine_only(self, mine_only);
    }
    fn capabilities_now(&self) -> Option<super::Capabilities> {
        Source::capabilities_now(self)
    }
    fn related<'a>(&'a mut self, key: &'a AlertKey) -> Boxed<'a, Result<Vec<Related>, Error>> {
        Box::pin(Source::related(self, key))
    }
    fn analytics(&mut self, since: DateTime<Utc>, until: DateTime<Utc>) -> Boxed<'_, Analyzed> {
        Box::pin(Source::analytics(self, since, until))
    }
    fn whoami(&mut self) -> Boxed<'_, Result<Option<super::identity::Identity>, Error>> {
        Box::pin(Source::whoami(self))
    }
    fn perform<'a>(
        &'a mut self,
        key: &'a AlertKey,
        op: &'a Operation,
        author: &'a str,
    ) -> Boxed<'a, Result<(), Error>> {
        Box::pin(Source::perform(self, key, op, author))
    }
    fn perform_batch<'a>(
        &'a mut self,
        items: &'a [BatchItem],
        per_item: Duration,
        done: &'a UnboundedSender<(usize, Result<(), Error>)>,
    ) -> Boxed<'a, ()> {
        Box::pin(Source::perform_batch(self, items, per_item, done))
    }
}

/// A configured source of any back end.
pub struct AnySource(Box<dyn ErasedSource>);

impl AnySource {
    /// Erases `source`'s back end.
    pub fn new(source: impl Source) -> AnySource {
        AnySource(Box::new(source))
    }
}

impl Source for AnySource {
    fn id(&self) -> &SourceId {
        self.0.id()
    }

    async fn fetch(&mut self) -> Result<Snapshot, Error> {
        self.0.fetch().await
    }

    fn show_resolved(&mut self, window: Option<Duration>) {
        self.0.show_resolved(window);
    }

    fn set_mine_only(&mut self, mine_only: bool) {
        self.0.set_mine_only(mine_only);
    }

    fn capabilities_now(&self) -> Option<super::Capabilities> {
        self.0.capabilities_now()
    }

    async fn related(&mut self, key: &AlertKey) -> Result<Vec<Related>, Error> {
        self.0.related(key).await
    }

    async fn analytics(&mut self, since: DateTime<Utc>, until: DateTime<Utc>) -> Analyzed {
        self.0.analytics(since, until).await
    }

    async fn whoami(&mut self) -> Result<Option<super::identity::Identity>, Error> {
        self.0.whoami().await
    }

    async fn perform(&mut self, key: &AlertKey, op: &Operation, author: &str) -> Result<(), Error> {
        self.0.perform(key, op, author).await
    }

    async fn perform_batch(
        &mut self,
        items: &[BatchItem],
        per_item: Duration,
        done: &UnboundedSender<(usize, Result<(), Error>)>,
    ) {
        self.0.perform_batch(items, per_item, done).await;
    }
}
