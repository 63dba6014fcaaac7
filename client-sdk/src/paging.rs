//! Turns "fetch page N" into a [`Stream`] of every item across pages.

use std::collections::VecDeque;
use std::future::Future;

use futures_util::Stream;
use futures_util::stream;

use crate::Error;

/// One fetched page: its items and whether another page follows.
pub(crate) struct Page<T> {
    pub items: Vec<T>,
    pub more: bool,
}

struct State<T, F> {
    fetch: F,
    next: Option<i64>,
    buffer: VecDeque<T>,
}

/// Calls `fetch(1)`, `fetch(2)`, ... lazily and yields the items in order. The stream ends after
/// a page that says no more follow (or that is empty), and after the first error, which it yields.
/// The stream is boxed so that it is `Unpin`: callers can use `.next()` without pinning it.
pub(crate) fn items<'a, T, F, Fut>(fetch: F) -> impl Stream<Item = Result<T, Error>> + 'a
where
    T: 'a,
    F: FnMut(i64) -> Fut + 'a,
    Fut: Future<Output = Result<Page<T>, Error>> + 'a,
{
    let state = State {
        fetch,
        next: Some(1),
        buffer: VecDeque::new(),
    };
    Box::pin(stream::unfold(state, |mut state| async move {
        loop {
            if let Some(item) = state.buffer.pop_front() {
                return Some((Ok(item), state));
            }
            let page = state.next?;
            match (state.fetch)(page).await {
                Ok(fetched) => {
                    state.next = (fetched.more && !fetched.items.is_empty()).then_some(page + 1);
                    state.buffer.extend(fetched.items);
                }
                Err(error) => {
                    state.next = None;
                    return Some((Err(error), state));
                }
            }
        }
    }))
}
