//! A corpus in the shape of the whole published set (`docs/format.md`, "Shape of the whole
//! published set"): how many actions a product has, how many request and response fields and
//! data models an action has, and which types its fields have, follow the published
//! distribution's median, 90th percentile and maximum. Where [`super::corpus`] gives every
//! action the same heavy shape (for the parser's stress tests), this is what a compile-time
//! benchmark of the SDK should build.

use std::fmt::Write as _;

use super::{Rng, product_title, table_header};
use crate::corpus::Source;

/// A distribution by its quantiles: `(p, value)` points, read by linear interpolation.
type Quantiles = [(f64, f64); 4];

/// Actions per product: median 13, 90th percentile 46, max 101.
const ACTIONS: Quantiles = [(0.0, 1.0), (0.5, 13.0), (0.9, 46.0), (1.0, 101.0)];
/// Request fields per action (public parameters aside): 5, 10, 41.
const REQUEST: Quantiles = [(0.0, 1.0), (0.5, 5.0), (0.9, 10.0), (1.0, 41.0)];
/// Response fields per action (the envelope aside): 4, 6, 42.
const RESPONSE: Quantiles = [(0.0, 1.0), (0.5, 4.0), (0.9, 6.0), (1.0, 42.0)];
/// Data models per action: 0, 2, 18.
const MODELS: Quantiles = [(0.0, 0.0), (0.5, 0.0), (0.9, 2.0), (1.0, 18.0)];
/// Fields of those models, per action: 0, 15, 109.
const MODEL_FIELDS: Quantiles = [(0.0, 0.0), (0.5, 0.0), (0.9, 15.0), (1.0, 109.0)];

fn quantile(q: &Quantiles, p: f64) -> usize {
    let p = p.clamp(0.0, 1.0);
    let i = q
        .iter()
        .rposition(|(at, _)| *at <= p)
        .unwrap_or(0)
        .min(q.len() - 2);
    let ((p0, v0), (p1, v1)) = (q[i], q[i + 1]);
    (v0 + (v1 - v0) * (p - p0) / (p1 - p0)).round() as usize
}

/// A uniform draw in `[0, 1)`.
fn uniform(rng: &mut Rng) -> f64 {
    (rng.next() >> 11) as f64 / (1u64 << 53) as f64
}

/// A top-level field type: about 68% string, 22% int, 7% array, 1% bool, and under 1% each
/// for float and object (data models are placed by [`document`]).
fn field_type(rng: &mut Rng) -> &'static str {
    match rng.below(1000) {
        0..680 => "string",
        680..900 => "int",
        900..970 => "array[string]",
        970..980 => "boolean",
        980..990 => "float",
        _ => "object",
    }
}

const WORDS: [&str; 16] = [
    "Name", "Id", "Size", "Count", "Mode", "Remark", "Type", "Limit", "Offset", "Status",
    "Version", "Tag", "Zone", "Port", "Quota", "Charge",
];

/// `actions` documents over `products` products, shaped like the published set.
pub fn real_shaped(products: usize, actions: usize, seed: u64) -> Vec<Source> {
    let mut rng = Rng(seed | 1);
    let products = products.max(1);
    // Products at evenly spaced quantiles, scaled to the total asked for; the largest first.
    let raw: Vec<f64> = (0..products)
        .map(|k| quantile(&ACTIONS, 1.0 - (k as f64 + 0.5) / products as f64) as f64)
        .collect();
    let scale = actions as f64 / raw.iter().sum::<f64>();
    let mut counts: Vec<usize> = raw
        .iter()
        .map(|c| ((c * scale).round() as usize).max(1))
        .collect();
    let mut total: usize = counts.iter().sum();
    // Rounding: take from or give to the largest products until the total is exact.
    let mut k = 0;
    while total != actions {
        if total > actions && counts[k] > 1 {
            counts[k] -= 1;
            total -= 1;
        } else if total < actions {
            counts[k] += 1;
            total += 1;
        }
        k = (k + 1) % products;
    }
    let mut sources = Vec::with_capacity(actions);
    let mut index = 0;
    for (p, count) in counts.into_iter().enumerate() {
        let product = format!("svc{p:02}");
        for _ in 0..count {
            let (name, text) = document(&mut rng, &product, index);
            sources.push(Source {
                path: format!("{product}/{}.md", heck::AsSnakeCase(&name)),
                product: product.clone(),
                bytes: text.into_bytes(),
            });
            index += 1;
        }
    }
    sources
}

fn document(rng: &mut Rng, product: &str, index: usize) -> (String, String) {
    let verb = ["Describe", "Create", "Delete", "Update", "Get", "List"][rng.below(6)];
    let name = format!("{verb}{}Item{index}", product_title(product));
    let requests = quantile(&REQUEST, uniform(rng));
    let responses = quantile(&RESPONSE, uniform(rng));
    // Models and their fields go together: an action with many models has many fields.
    let richness = uniform(rng);
    let models = quantile(&MODELS, richness);
    let model_fields = quantile(&MODEL_FIELDS, richness).max(models);

    let mut d = String::with_capacity(2048);
    let _ = writeln!(d, "# Operate on item {index} of {product} - {name}\n");
    let _ = writeln!(d, "## Overview\n\n{name} does one made-up thing.\n");
    d.push_str("## Definition\n\n### Public Parameters\n\n");
    table_header(&mut d, "Parameter Name");
    let _ = writeln!(
        d,
        "| **Action** | string | Corresponding API command name, the current API is `{name}`. | **Yes** |"
    );
    d.push_str("| **PublicKey** | string | The user's public key. | **Yes** |\n\n");

    d.push_str("### Request Parameters\n\n");
    table_header(&mut d, "Parameter Name");
    d.push_str("| **Region** | string | Region. |**Yes**|\n");
    let mut example = vec![format!("Action={name}"), "Region=cn-bj2".to_owned()];
    for i in 0..requests.saturating_sub(1) {
        let word = WORDS[(index + i) % WORDS.len()];
        let field = format!("{word}{i}");
        let ty = field_type(rng);
        let required = i % 3 == 0;
        let (wire, ty) = match ty {
            "array[string]" => (format!("{field}.N"), "string"),
            "object" => (field.clone(), "string"),
            other => (field.clone(), other),
        };
        let mark = if required { "**Yes**" } else { "No" };
        let _ = writeln!(d, "| **{wire}** | {ty} | The {word} to use |{mark}|");
        if required {
            let value = match ty {
                "int" => "1".to_owned(),
                "boolean" => "true".to_owned(),
                "float" => "0.5".to_owned(),
                _ => format!("v-{i}"),
            };
            example.push(format!("{}={value}", wire.replace(".N", ".0")));
        }
    }

    d.push_str("\n### Response Field\n\n");
    table_header(&mut d, "Field Name");
    d.push_str("| **RetCode** | int | Return status code. |**Yes**|\n");
    d.push_str("| **Action** | string | Operation command name. |**Yes**|\n");
    let model_name = |m: usize| format!("Item{index}Model{m}");
    for i in 0..responses {
        let word = WORDS[(index + 7 + i) % WORDS.len()];
        let ty = if i == 0 && models > 0 {
            format!("array[[*{0}*](#{0})]", model_name(0))
        } else {
            field_type(rng).to_owned()
        };
        let _ = writeln!(d, "| **{word}{i}** | {ty} | The {word} found |No|");
    }
    if models > 0 {
        d.push_str("\n#### Data Model\n\n");
    }
    for m in 0..models {
        let _ = writeln!(d, "\n#### {}\n", model_name(m));
        table_header(&mut d, "Field Name");
        // The fields spread over the models; each model but the last holds the next.
        let own = model_fields / models + usize::from(m < model_fields % models);
        for f in 0..own.max(1) {
            let word = WORDS[(m + f) % WORDS.len()];
            let ty = if f == 0 && m + 1 < models {
                format!("[*{0}*](#{0})", model_name(m + 1))
            } else {
                field_type(rng).to_owned()
            };
            let _ = writeln!(d, "| **{word}{f}** | {ty} | A {word} |No|");
        }
    }

    d.push_str("\n## Example\n\n### Request Example\n\n```\nhttps://api.dezai.com/?");
    d.push_str(&example.join("\n&"));
    let _ = writeln!(
        d,
        "\n```\n\n### Response Example\n\n```json\n{{\"Action\": \"{name}Response\", \"RetCode\": 0}}\n```"
    );
    (name, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_published_shape() {
        let corpus = real_shaped(82, 1750, 7);
        assert_eq!(corpus.len(), 1750);
        let specs = crate::corpus::build_specs(&corpus).expect("every document parses");
        assert_eq!(specs.len(), 82);
        let mut per_product: Vec<usize> = specs.iter().map(|s| s.actions.len()).collect();
        per_product.sort_unstable();
        let median = per_product[per_product.len() / 2];
        assert!((10..=16).contains(&median), "median {median}");
        assert!((90..=110).contains(per_product.last().unwrap()));
        let mut requests: Vec<usize> = specs
            .iter()
            .flat_map(|s| s.actions.iter().map(|a| a.request.len()))
            .collect();
        requests.sort_unstable();
        assert!((4..=6).contains(&requests[requests.len() / 2]));
        let with_models = specs
            .iter()
            .flat_map(|s| &s.actions)
            .filter(|a| !a.models.is_empty())
            .count();
        assert!(
            with_models < 875,
            "most actions have no data model: {with_models}"
        );
    }
}
