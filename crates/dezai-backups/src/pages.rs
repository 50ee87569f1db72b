//! Every page of a listing: the items of a listing action, read 100 at a time from `Offset` 0
//! until the list ends by the one rule of `dezai_spec::paging` (`TotalCount` reached while it
//! is known, a short page without it, an empty page, at most `MAX_PAGES` pages). Backup
//! listings and instance listings are read so.

use dezai_runtime::{CallOptions, Client, Error};
use dezai_spec::backups::integer_of;
use dezai_spec::paging::{MAX_PAGES, list_ends};
use serde_json::{Map, Value};

/// Items asked for per page of a paged listing.
const PAGE_SIZE: i64 = 100;

/// The objects of every page `action` answers with `params`, in the service's order; `fields`
/// are the response fields that may hold them, tried in order.
pub(crate) async fn every_item(
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
        let received = items.len();
        all.extend(items.into_iter().filter_map(|item| match item {
            Value::Object(item) => Some(item),
            _ => None,
        }));
        offset += received as i64;
        let total = answer.get("TotalCount").and_then(integer_of);
        if !paged || list_ends(received, offset, total, Some(PAGE_SIZE)) {
            break;
        }
    }
    Ok(all)
}
