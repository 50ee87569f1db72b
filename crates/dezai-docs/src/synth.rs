//! A synthetic corpus of documents in the published format, for benchmarks and stress tests.
//!
//! The documents are shaped like real ones: public parameters, a dozen request parameters
//! including flattened lists and structures (`Tags.N`, `Disks.N.Size`, `Network.VPCId`,
//! `Rules.N.Ports.N`), a response with lists of data models that reference other models, and
//! both examples. Some documents also carry the variations of the published documentation that
//! once broke the generator: titles without spaces around the dash, long type names, rows
//! repeated verbatim, required structured parameters, a data model as a parameter, names that
//! collide with generated methods or with each other, a model named like the generated response
//! type, a model that contains itself, and a response example with a trailing comma. The same
//! options always give the same bytes (a fixed-seed generator, no
//! clock, no randomness from the OS).

use std::fmt::Write as _;

use crate::corpus::Source;

mod real;
pub use real::real_shaped;

/// What to generate.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// Number of products (folders).
    pub products: usize,
    /// Number of actions in all, spread evenly over the products.
    pub actions: usize,
    /// Seed of the generator; different seeds give differently shaped documents.
    pub seed: u64,
}

/// Generates the corpus as [`Source`]s ready for [`crate::build_specs`].
pub fn corpus(options: Options) -> Vec<Source> {
    let mut rng = Rng(options.seed | 1);
    let products = options.products.max(1);
    (0..options.actions)
        .map(|i| {
            let product = format!("svc{:02}", i % products);
            let (name, text) = document(&mut rng, &product, i);
            Source {
                path: format!("{product}/{}.md", heck::AsSnakeCase(&name)),
                product,
                bytes: text.into_bytes(),
            }
        })
        .collect()
}

/// A small xorshift generator: enough variety for shapes, and stable across platforms.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

const VERBS: [&str; 8] = [
    "Describe", "Create", "Delete", "Update", "Modify", "Get", "List", "Allocate",
];
const NOUNS: [&str; 10] = [
    "Instance",
    "Backup",
    "Snapshot",
    "Disk",
    "Network",
    "Rule",
    "Cluster",
    "Volume",
    "Certificate",
    "Bucket",
];
const SCALARS: [&str; 5] = ["string", "int", "boolean", "float", "array[string]"];
const WORDS: [&str; 12] = [
    "Identifier",
    "Name",
    "Size",
    "Count",
    "Mode",
    "Policy",
    "Comment",
    "Limit",
    "Offset",
    "Priority",
    "Status",
    "Version",
];

fn document(rng: &mut Rng, product: &str, index: usize) -> (String, String) {
    let noun = rng.pick(&NOUNS);
    let name = format!(
        "{}{}{noun}{index}",
        rng.pick(&VERBS),
        product_title(product)
    );
    let model = format!("{noun}Set{index}");
    let inner = format!("{noun}Owner{index}");
    let mut d = String::with_capacity(4096);
    // Published titles also drop the spaces around the dash.
    let dash = if rng.below(4) == 0 { "-" } else { " - " };
    let _ = writeln!(
        d,
        "# Operate on {noun} number {index} of {product}{dash}{name}\n"
    );
    let (required_disks, model_param, colliding, renamed, recursive, trailing_comma) = (
        rng.below(3) == 0,
        rng.below(4) == 0,
        rng.below(5) == 0,
        rng.below(5) == 0,
        rng.below(5) == 0,
        rng.below(6) == 0,
    );
    let _ = writeln!(
        d,
        "## Overview\n\n{name} works on a {noun} of {product}. It is one of many synthetic actions.\n"
    );
    d.push_str("## Definition\n\n### Public Parameters\n\n");
    table_header(&mut d, "Parameter Name");
    let _ = writeln!(
        d,
        "| **Action** | string | Corresponding API command name, the current API is `{name}`. | **Yes** |"
    );
    d.push_str("| **PublicKey** | string | The user's public key. | **Yes** |\n");
    d.push_str("| **Signature** | string | User signature, see [Signature](/docs/api/summary/signature.md) | **Yes** |\n\n");

    d.push_str("### Request Parameters\n\n");
    table_header(&mut d, "Parameter Name");
    d.push_str("| **Region** | string | Region. See [List of Regions](/docs/api/summary/regionlist) |**Yes**|\n");
    d.push_str("| **Zone** | string | Availability Zone. |No|\n");
    d.push_str("| **ProjectId** | string | Project ID. If not filled in, the default project is used. |No|\n");
    let _ = writeln!(
        d,
        "| **{noun}Id** | string | The {noun} ID, see `Describe{noun}` |**Yes**|"
    );
    let plain = 3 + rng.below(5);
    for (i, word) in WORDS
        .iter()
        .cycle()
        .skip(rng.below(WORDS.len()))
        .take(plain)
        .enumerate()
    {
        let required = if i % 3 == 0 { "**Yes**" } else { "No" };
        let _ = writeln!(
            d,
            "| **{word}** | {} | The {word} of the {noun}, a \\| separated value |{required}|",
            rng.pick(&SCALARS)
        );
    }
    d.push_str("| **Tags.N** | string | Tags to attach |No|\n");
    let disks_required = if required_disks { "**Yes**" } else { "No" };
    let _ = writeln!(
        d,
        "| **Disks.N.Size** | Integer | Disk size in GB |{disks_required}|"
    );
    d.push_str("| **Disks.N.Type** | string | Disk type: `SSD` or `HDD` |No|\n");
    d.push_str("| **Network.VPCId** | string | VPC ID |No|\n");
    d.push_str("| **Network.SubnetId** | string | Subnet ID |No|\n");
    if rng.below(2) == 0 {
        d.push_str("| **Rules.N.Ports.N** | int | Ports of each rule |No|\n");
        d.push_str("| **Rules.N.Protocol** | string | `TCP` or `UDP` |No|\n");
    }
    if rng.below(3) == 0 {
        d.push_str("| **Layout.Tiers.N.Nodes.N.Labels.N.Key** | string | A label key, six levels down |No|\n");
    }
    if model_param {
        let _ = writeln!(
            d,
            "| **Owner** | [*{inner}*](#{inner}) | The owner to set |**Yes**|"
        );
        d.push_str("| **Master.N.Zone** | string | Zone of each master |No|\n");
        d.push_str("| **Master.N.Zone** | string | Zone of each master |No|\n");
    }
    if colliding {
        d.push_str(
            "| **New** | Boolean | Whether it is new |No|\n| **Send** | bool | Notify |No|\n",
        );
        let _ = writeln!(
            d,
            "| **{noun}ID** | String | The same ID, spelled differently |No|"
        );
    }

    d.push_str("\n### Response Field\n\n");
    table_header(&mut d, "Field Name");
    d.push_str("| **RetCode** | int | Return status code. 0 means success. |**Yes**|\n");
    d.push_str("| **Action** | string | Operation command name. |**Yes**|\n");
    d.push_str("| **Message** | string | Error message when `RetCode` is not 0. |No|\n");
    let _ = writeln!(
        d,
        "| **DataSet** | array[[*{model}*](#{model})] | The {noun}s found |No|"
    );
    d.push_str("| **TotalCount** | int | Number of items in all pages |No|\n");
    if renamed {
        let _ = writeln!(
            d,
            "| **Summary** | [*{name}Response*](#{name}Response) | Totals |No|"
        );
    }
    d.push('\n');

    d.push_str("#### Data Model\n\n");
    let _ = writeln!(d, "#### {model}\n");
    table_header(&mut d, "Field Name");
    let _ = writeln!(d, "| **{noun}Id** | string | The {noun} ID |No|");
    d.push_str(
        "| **Name** | string | Display name |No|\n| **CreateTime** | int | Unix time |No|\n",
    );
    d.push_str("| **Healthy** | boolean | Health check result |No|\n| **Ratio** | float | Usage ratio |No|\n");
    let _ = writeln!(
        d,
        "| **Owner** | [*{inner}*](#{inner}) | Who owns it |No|\n"
    );
    let _ = writeln!(d, "#### {inner}\n");
    table_header(&mut d, "Field Name");
    d.push_str("| **Id** | string | Owner ID |No|\n| **Extra** | object | Anything else |No|\n");
    if recursive {
        let _ = writeln!(
            d,
            "| **Parent** | [*{inner}*](#{inner}) | Who owns the owner |No|"
        );
    }
    d.push('\n');
    if renamed {
        let _ = writeln!(d, "#### {name}Response\n");
        table_header(&mut d, "Field Name");
        d.push_str("| **Count** | int | How many |No|\n\n");
    }

    d.push_str("## Example\n\n### Request Example\n\n```\n");
    let _ = writeln!(
        d,
        "https://api.dezai.com/?Action={name}\n&Region=cn-bj2\n&{noun}Id=id-{index}\n&Tags.0=a\n&Disks.0.Size=20\n&Network.VPCId=uvnet-1"
    );
    d.push_str("```\n\n### Response Example\n\n```json\n");
    let _ = writeln!(
        d,
        "{{\n  \"Action\": \"{name}Response\",\n  \"RetCode\": 0,\n  \"TotalCount\": 1,\n  \"DataSet\": [\n    \
         {{\"{noun}Id\": \"id-{index}\", \"Name\": \"n\", \"CreateTime\": 1700000000, \"Healthy\": true, \
         \"Ratio\": 0.5, \"Owner\": {{\"Id\": \"u-1\", \"Extra\": {{}}}}}}\n  ]{}\n}}",
        if trailing_comma { "," } else { "" }
    );
    d.push_str("```\n");
    (name, d)
}

fn product_title(product: &str) -> String {
    let mut chars = product.chars();
    chars
        .next()
        .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
        .unwrap_or_default()
}

fn table_header(d: &mut String, first: &str) {
    let _ = writeln!(
        d,
        "| {first} | Type | Description Information | Required |\n|:---|:---|:---|:---|"
    );
}

/// Documents that stress one dimension of the parser each, for growth tests and benchmarks:
/// the parse of `shape(s, 2n)` should take about twice as long as that of `shape(s, n)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// `n` request parameter rows.
    Rows,
    /// `n` request rows separated by a lone `\r` (old Mac line ends).
    CrRows,
    /// A response example with `n` keys that no table lists.
    UnknownKeys,
    /// `n` response fields, each shown in the response example.
    ResponseFields,
    /// `n` data models, each holding the next, with an example nested through all of them
    /// (capped at the checker's depth).
    ModelChain,
    /// `n` response fields in pairs that collide by case (`F1Id`/`F1ID`), the example writing
    /// each in a third spelling.
    CaseCollisions,
}

impl Shape {
    /// Every shape, for loops.
    pub const ALL: [Shape; 6] = [
        Shape::Rows,
        Shape::CrRows,
        Shape::UnknownKeys,
        Shape::ResponseFields,
        Shape::ModelChain,
        Shape::CaseCollisions,
    ];

    /// The shape's name, for reports.
    pub fn name(self) -> &'static str {
        match self {
            Shape::Rows => "rows",
            Shape::CrRows => "rows separated by CR",
            Shape::UnknownKeys => "unknown example keys",
            Shape::ResponseFields => "response fields with example",
            Shape::ModelChain => "chain of models",
            Shape::CaseCollisions => "names colliding by case",
        }
    }
}

/// A document of the given shape and size.
pub fn shape(shape: Shape, n: usize) -> String {
    let head = "# Stress - Stress\n\n## Definition\n\n### Request Parameters\n\n\
                | Parameter Name | Type | Description Information | Required |\n|---|---|---|---|\n";
    let response_head = "\n### Response Field\n\n\
                         | Field Name | Type | Description Information | Required |\n|---|---|---|---|\n\
                         | **RetCode** | int | Status |**Yes**|\n";
    let mut d = String::from(head);
    match shape {
        Shape::Rows | Shape::CrRows => {
            let end = if shape == Shape::CrRows { "\r" } else { "\n" };
            for i in 0..n {
                let _ = write!(d, "| **Param{i}** | string | The {i}th parameter |No|{end}");
            }
            d.push('\n');
            d.push_str(response_head);
        }
        Shape::UnknownKeys => {
            d.push_str("| **Id** | string | id |No|\n");
            d.push_str(response_head);
            d.push_str("\n## Example\n\n### Response Example\n\n```json\n{\"RetCode\": 0");
            for i in 0..n {
                let _ = write!(d, ",\n  \"Extra{i}\": {i}");
            }
            d.push_str("\n}\n```\n");
        }
        Shape::ResponseFields | Shape::CaseCollisions => {
            d.push_str("| **Id** | string | id |No|\n");
            d.push_str(response_head);
            let collide = shape == Shape::CaseCollisions;
            for i in 0..n {
                if collide && i % 2 == 1 {
                    let _ = writeln!(d, "| **F{}ID** | int | f |No|", i / 2);
                } else if collide {
                    let _ = writeln!(d, "| **F{}Id** | int | f |No|", i / 2);
                } else {
                    let _ = writeln!(d, "| **Field{i}** | int | f |No|");
                }
            }
            d.push_str("\n## Example\n\n### Response Example\n\n```json\n{\"RetCode\": 0");
            for i in 0..n {
                if collide {
                    let _ = write!(d, ",\n  \"f{}id\": {i}", i / 2);
                } else {
                    let _ = write!(d, ",\n  \"Field{i}\": {i}");
                }
            }
            d.push_str("\n}\n```\n");
        }
        Shape::ModelChain => {
            d.push_str("| **Id** | string | id |No|\n");
            d.push_str(response_head);
            d.push_str("| **Root** | [*M0*](#M0) | the chain |No|\n\n#### Data Model\n\n");
            for i in 0..n {
                let _ = writeln!(d, "#### M{i}\n");
                d.push_str("| Field Name | Type | Description Information | Required |\n|---|---|---|---|\n");
                let _ = writeln!(d, "| **Name** | string | n |No|");
                if i + 1 < n {
                    let _ = writeln!(d, "| **Next** | [*M{}*](#M{}) | next |No|", i + 1, i + 1);
                }
                d.push('\n');
            }
            d.push_str(
                "## Example\n\n### Response Example\n\n```json\n{\"RetCode\": 0, \"Root\": ",
            );
            let depth = n.min(40);
            for _ in 0..depth {
                d.push_str("{\"Name\": \"x\", \"Next\": ");
            }
            d.push_str("null");
            for _ in 0..depth {
                d.push('}');
            }
            d.push_str("}\n```\n");
        }
    }
    d
}
