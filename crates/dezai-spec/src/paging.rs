//! Which actions are paged lists: a request taking `Offset` and `Limit` (integers) and a
//! response with `TotalCount` (an integer) and exactly one list. The SDK's paginators
//! (`.into_paginator()`) and the command line's every-page fetch follow this one rule.

use crate::Field;
use crate::types::Type;

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
