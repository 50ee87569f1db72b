//! Every page of a paged list action, by the spec's rules (`dezai_spec::paging`, the ones the
//! SDK's paginators and the backup engine follow): pages asked for at the offset after the
//! items seen until the list ends (`TotalCount` reached while it is known, a short page
//! without it, an empty page) or `--max-items` items are in; the list of the first page's
//! answer replaced by every page's items. `--no-paginate` sends one request.

use clap::{Arg, ArgAction, ArgMatches};
use dezai_runtime::{CallOptions, Client, Error};
use serde_json::{Map, Value};

use dezai_spec::paging::{MAX_PAGES, list_ends};

/// Items asked for per page when the command line gives no `--limit`.
const PAGE_SIZE: i64 = 100;

/// How to page one call.
#[derive(Debug, Clone)]
pub(crate) struct Paging {
    /// The response field holding the list.
    pub(crate) list: String,
    /// Stop once this many items are in.
    pub(crate) max_items: Option<usize>,
}

impl Paging {
    /// The paging of `action` on this command line: `None` for an action that is not a paged
    /// list, or with `--no-paginate`.
    pub(crate) fn of(action: &dezai_spec::Action, args: &ArgMatches) -> Option<Self> {
        // Only a paged action's command has the flags.
        let list = dezai_spec::paging::paged_list(&action.request, &action.response)?;
        if args.get_flag("no-paginate") {
            return None;
        }
        Some(Self {
            list: list.name.clone(),
            max_items: args.get_one::<usize>("max-items").copied(),
        })
    }

    /// Calls `action` page after page and answers the merged answer.
    pub(crate) async fn fetch(
        &self,
        client: &Client,
        action: &str,
        mut params: Map<String, Value>,
        options: CallOptions,
    ) -> Result<Value, Error> {
        let mut offset = params.get("Offset").and_then(Value::as_i64).unwrap_or(0);
        let limit = params
            .get("Limit")
            .and_then(Value::as_i64)
            .filter(|l| *l > 0)
            .unwrap_or(PAGE_SIZE);
        let mut merged: Option<Value> = None;
        let mut items: Vec<Value> = Vec::new();
        for _ in 0..MAX_PAGES {
            params.insert("Offset".into(), offset.into());
            params.insert("Limit".into(), limit.into());
            let mut answer = client
                .invoke_with(action, Value::Object(params.clone()), options.clone())
                .await?;
            let page = match answer.get_mut(&self.list).map(Value::take) {
                Some(Value::Array(page)) => page,
                _ => Vec::new(),
            };
            let received = page.len();
            items.extend(page);
            let total = answer
                .get("TotalCount")
                .and_then(dezai_spec::backups::integer_of);
            merged.get_or_insert(answer);
            offset += received as i64;
            let enough = self.max_items.is_some_and(|max| items.len() >= max);
            if enough || list_ends(received, offset, total, Some(limit)) {
                break;
            }
        }
        if let Some(max) = self.max_items {
            items.truncate(max);
        }
        let mut merged = merged.unwrap_or_else(|| Value::Object(Map::new()));
        if let Value::Object(map) = &mut merged {
            map.insert(self.list.clone(), Value::Array(items));
        }
        Ok(merged)
    }
}

/// The paging flags of a paged action's command.
pub(crate) fn args() -> [Arg; 2] {
    [
        Arg::new("max-items")
            .long("max-items")
            .value_name("N")
            .value_parser(clap::value_parser!(usize))
            .conflicts_with("no-paginate")
            .help_heading("Paging")
            .help("Stop after N items (every page is fetched by default)"),
        Arg::new("no-paginate")
            .long("no-paginate")
            .action(ArgAction::SetTrue)
            .help_heading("Paging")
            .help("Send one request: the page the flags ask for"),
    ]
}
