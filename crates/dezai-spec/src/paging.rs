//! Paged lists: which actions are paged, and when a paged list ends. The SDK's paginators
//! (`.into_paginator()`), the command line's every-page fetch and the backup engine's listings
//! all follow these two rules.
//!
//! - **Which actions page:** a request taking `Offset` and `Limit` (integers) and a response
//!   with `TotalCount` (an integer) and exactly one list ([`paged_list`]).
//! - **When a list ends** ([`list_ends`]): the next page is asked for at the offset after the
//!   items received so far. While the answer says `TotalCount`, the list goes on until that
//!   offset reaches it: many services cap a page below the `Limit` asked for, so a short page
//!   says nothing then. Without `TotalCount`, a page shorter than the size asked for ends it.
//!   An empty page always ends it, and no list reads more than [`MAX_PAGES`] pages.

use crate::Field;
use crate::types::Type;

/// Pages read at most: a listing that never ends is the service's bug, not a reason to loop.
pub const MAX_PAGES: usize = 10_000;

/// The response's list of a paged action (`request` and `response` are its fields), or `None`
/// when the action is not one.
pub fn paged_list<'a>(request: &[Field], response: &'a [Field]) -> Option<&'a Field> {
    let int =
        |fields: &[Field], name: &str| fields.iter().any(|f| f.name == name && f.ty == Type::Int);
    if !(int(request, "Offset") && int(request, "Limit") && int(response, "TotalCount")) {
        return None;
    }
    let mut lists = response
        .iter()
        .filter(|f| matches!(f.ty, Type::List { .. }));
    let list = lists.next()?;
    lists.next().is_none().then_some(list)
}

/// Whether a paged list ends after a page of `received` items, `offset` being the offset after
/// them (every item received so far, from the first page's offset), `total` the page's
/// `TotalCount` and `page_size` the `Limit` asked for: see the [module docs](self).
pub fn list_ends(received: usize, offset: i64, total: Option<i64>, page_size: Option<i64>) -> bool {
    if received == 0 {
        return true;
    }
    match total {
        Some(total) => offset >= total,
        // Without a size asked for, a page cannot be known short: only an empty one ends it.
        None => page_size.is_some_and(|size| (received as i64) < size),
    }
}

#[cfg(test)]
mod tests {
    use super::list_ends;

    #[test]
    fn a_capped_page_goes_on_while_the_total_says_more() {
        // 250 items, the service answering 40 a page whatever the 100 asked for.
        assert!(!list_ends(40, 40, Some(250), Some(100)));
        assert!(!list_ends(40, 240, Some(250), Some(100)));
        assert!(list_ends(10, 250, Some(250), Some(100)));
        assert!(
            list_ends(0, 120, Some(250), Some(100)),
            "an empty page ends it"
        );
        // Without a total: a short page ends it, a full one does not.
        assert!(list_ends(40, 40, None, Some(100)));
        assert!(!list_ends(100, 100, None, Some(100)));
        assert!(
            !list_ends(40, 40, None, None),
            "no size asked: only an empty page ends it"
        );
    }
}
