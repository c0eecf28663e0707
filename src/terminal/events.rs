//! The terminal's key and mouse events as a stream that can be paused: while an external
//! editor owns the terminal, crossterm's reader is dropped (its reading thread stops), so
//! no keystroke meant for the editor is taken by onduty; resuming makes a new reader.

use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll, Waker};

use crossterm::event::{Event, EventStream};
use futures::{Stream, StreamExt};

#[derive(Default)]
struct Shared {
    reader: Option<EventStream>,
    /// The task waiting while paused.
    waiting: Option<Waker>,
}

/// The events stream.
pub struct Events(Arc<Mutex<Shared>>);

/// Pauses and resumes the stream from elsewhere (the screen, around an external editor).
#[derive(Clone)]
pub struct EventsHandle(Arc<Mutex<Shared>>);

/// A new stream, reading, and its handle.
pub fn events() -> (Events, EventsHandle) {
    let shared = Arc::new(Mutex::new(Shared {
        reader: Some(EventStream::new()),
        waiting: None,
    }));
    (Events(shared.clone()), EventsHandle(shared))
}

fn lock(m: &Mutex<Shared>) -> MutexGuard<'_, Shared> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Stream for Events {
    type Item = std::io::Result<Event>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let mut shared = lock(&self.0);
        match shared.reader.as_mut() {
            Some(reader) => reader.poll_next_unpin(cx),
            None => {
                shared.waiting = Some(cx.waker().clone());
                Poll::Pending
            }
        }
    }
}

impl EventsHandle {
    /// Stops reading the terminal (the reader and its thread go).
    pub fn pause(&self) {
        let reader = lock(&self.0).reader.take();
        drop(reader);
    }

    /// Reads the terminal again.
    pub fn resume(&self) {
        let mut shared = lock(&self.0);
        if shared.reader.is_none() {
            shared.reader = Some(EventStream::new());
        }
        if let Some(w) = shared.waiting.take() {
            w.wake();
        }
    }
}
