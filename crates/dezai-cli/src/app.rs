//! The command tree, built with clap's builder API from the specs: one code path for every
//! action. Only the product a command line names is parsed and built, so `dezai --help`
//! costs the same with 5 actions or 1,800 (completions build the whole tree).

use clap::{Arg, ArgAction, Command};
use dezai_spec::names::Namer;
use dezai_spec::protocol::ConfigParam;

use crate::{catalog, flags};

/// Global flags that take a value, to find the subcommand among the arguments.
const VALUE_FLAGS: [&str; 7] = [
    "--profile",
    "--region",
    "--zone",
    "--project-id",
    "--base-url",
    "--output",
    "--query",
];

/// The whole tree, with the actions of `expand` (a product name; all products for `None`).
pub(crate) fn command(expand: Expand<'_>) -> Command {
    let mut app = Command::new("dezai")
        .version(env!("CARGO_PKG_VERSION"))
        .about("Every Dezai cloud API action as a command")
        .long_about(
            "Every Dezai cloud API action as a command: `dezai <product> <action> [flags]`.\n\n\
             Configuration as the SDK reads it: ~/.dezai/config.json and credential.json \
             (written by `dezai configure`), then DEZAI_* variables, then these flags.",
        )
        .subcommand_required(true)
        .arg_required_else_help(true)
        .args(global_args());
    for product in catalog::products() {
        app = app.subcommand(product_command(product, expand));
    }
    app.subcommand(invoke_command())
        .subcommand(crate::backup::command(matches!(
            expand,
            Expand::All | Expand::Product("backup")
        )))
        .subcommand(crate::configure::command())
        .subcommand(
            Command::new("completions")
                .about("Prints a shell completion script")
                .arg(
                    Arg::new("shell")
                        .required(true)
                        .value_parser(clap::value_parser!(clap_complete::Shell)),
                ),
        )
}

/// Which products' actions to build.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Expand<'a> {
    All,
    Product(&'a str),
    None,
}

/// What to build for the arguments: the product they name, if any.
pub(crate) fn expand_for(args: &[String]) -> Expand<'_> {
    let mut rest = args.iter().skip(1);
    while let Some(arg) = rest.next() {
        if VALUE_FLAGS.contains(&arg.as_str()) {
            rest.next();
        } else if arg == "completions" {
            return Expand::All;
        } else if !arg.starts_with('-') {
            return Expand::Product(arg);
        }
    }
    Expand::None
}

fn global_args() -> Vec<Arg> {
    let text = |id: &'static str, help: String| {
        Arg::new(id)
            .long(id)
            .global(true)
            .help_heading("Global options")
            .value_name(id.to_ascii_uppercase().replace('-', "_"))
            .help(help)
    };
    let mut args = vec![text(
        "profile",
        "Profile of ~/.dezai to use (instead of DEZAI_PROFILE or the active one)".into(),
    )];
    args.extend(ConfigParam::ALL.map(|param| {
        text(
            param.flag(),
            format!(
                "{} (instead of {} or the profile's)",
                param.wire_name(),
                param.env_var()
            ),
        )
    }));
    args.extend([
        text(
            "base-url",
            "API endpoint (instead of DEZAI_BASE_URL or https://api.dezai.com)".into(),
        ),
        text(
            "output",
            "How answers print: json, yaml, table or text (instead of the profile's `output`; default json)"
                .into(),
        )
        .value_parser(crate::render::FORMATS),
        text(
            "query",
            "A JMESPath expression applied to the answer before printing (DataSet[?State=='Running'].DBId)"
                .into(),
        ),
        Arg::new("dry-run")
            .long("dry-run")
            .global(true)
            .help_heading("Global options")
            .action(ArgAction::SetTrue)
            .help("Print the request that would be sent (secrets masked) instead of sending it"),
        Arg::new("debug")
            .long("debug")
            .global(true)
            .help_heading("Global options")
            .action(ArgAction::SetTrue)
            .help("Log each request, attempt, answer and retry on stderr (secrets masked; DEZAI_LOG takes a filter instead)"),
    ]);
    args
}

fn product_command(product: &'static str, expand: Expand<'_>) -> Command {
    let about = format!("Actions of the `{product}` product");
    let command = Command::new(product)
        .about(about)
        .subcommand_required(true)
        .arg_required_else_help(true);
    let wanted = match expand {
        Expand::All => true,
        Expand::Product(name) => name == product,
        Expand::None => false,
    };
    let Some(spec) = wanted.then(|| catalog::product(product)).flatten() else {
        return command;
    };
    let namer = Namer::for_product(&spec.product);
    let actions = spec.actions.iter().map(|action| {
        let summary = flags::plain_text(&action.summary);
        let description = flags::plain_text(&action.description);
        let mut long = format!("{summary} (`{}`)", action.name);
        if !description.is_empty() && description != summary {
            long.push_str(&format!("\n\n{description}"));
        }
        Command::new(catalog::command_name(spec, action))
            .about(summary)
            .long_about(long)
            .args(flags::args(&namer, action).into_iter().map(|arg| {
                // A required parameter may come from --input-json instead.
                if arg.is_required_set() {
                    arg.required(false)
                        .required_unless_present_any(["input-json", "generate-skeleton"])
                } else {
                    arg
                }
            }))
            .args(crate::input::args())
            .args(crate::wait::args())
            .args(
                dezai_spec::paging::paged_list(&action.request, &action.response)
                    .map(|_| crate::pages::args())
                    .into_iter()
                    .flatten(),
            )
    });
    command.subcommands(actions)
}

fn invoke_command() -> Command {
    Command::new("invoke")
        .about(
            "Calls any action by name, documented or not: dezai invoke DescribeThing Key=Value …",
        )
        .arg(
            Arg::new("action")
                .required(true)
                .help("The action's name as the API spells it (DescribeUHostInstance)"),
        )
        .arg(
            Arg::new("params")
                .num_args(0..)
                .value_name("KEY=VALUE")
                .value_parser(|text: &str| match text.split_once('=') {
                    Some((key, value)) if !key.is_empty() => Ok((key.to_owned(), value.to_owned())),
                    _ => Err(format!("expected KEY=VALUE, got `{text}`")),
                })
                .help("Parameters as the API names them (Disks.0.Size=20); repeat a key for lists"),
        )
        .args(crate::wait::args())
}
