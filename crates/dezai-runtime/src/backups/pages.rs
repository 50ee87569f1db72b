//! Every page of a listing: the items of a listing action, read 100 at a time from `Offset` 0
//! until `TotalCount` is reached, a page comes back empty, or (without `TotalCount`) a page is
//! short; at most 1,000 pages. Backup listings and instance listings are read so.

use dezai_spec::backups::integer_of;
use serde_json::{Map, Value};

use crate::call_options::CallOptions;
use crate::client::Client;
use crate::error::Error;

/// Items asked for per page of a paged listing.
const PAGE_SIZE: i64 = 100;
/// Pages read at most: a listing that never ends is the service's bug, not a reason to loop.
const MAX_PAGES: usize = 1_000;

/// The objects of every page `action` answers with `params`, in the service's order; `fields`
/// are the response fields that may hold them, tried in order.
pub(super) async fn every_item(
    client: &Client,
    action: &str,
    fields: &[&str],
    paged: bool,
    params: &Map<String, Value>,
    options: &CallOptions,
) -> Result<Vec<Map<String, Value>>, Error> {
    let mut all = Vec::new();
    let mut offset = 0i64;
    for _ in 0..MAX_PAGES {
        let mut params = params.clone();
        if paged {
            params.insert("Offset".into(), offset.into());
            params.insert("Limit".into(), PAGE_SIZE.into());
        }
        let answer = client
            .invoke_with(action, Value::Object(params), options.clone())
            .await?;
        let items = fields
            .iter()
            .find_map(|field| answer.get(*field)?.as_array())
            .cloned()
            .unwrap_or_default();
        let received = items.len() as i64;
        all.extend(items.into_iter().filter_map(|item| match item {
            Value::Object(item) => Some(item),
            _ => None,
        }));
        offset += received;
        let total = answer.get("TotalCount").and_then(integer_of);
        let done = !paged
            || received == 0
            || received < PAGE_SIZE && total.is_none()
            || total.is_some_and(|t| offset >= t);
        if done {
            break;
        }
    }
    Ok(all)
}
