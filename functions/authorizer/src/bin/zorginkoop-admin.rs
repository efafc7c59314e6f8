//! `zorginkoop-admin`: the operators' command for the principal registry (register, list,
//! suspend, reactivate), run with AWS credentials or against DynamoDB Local (`TABLE_NAME`,
//! `DYNAMODB_ENDPOINT`, as every binary of ours). `--dry-run` prints what it would write.

use std::process::ExitCode;

use clap::{Arg, ArgAction, ArgMatches, Command};
use domain::identity::Role;
use domain::principal::{Principal, PrincipalStatus};
use domain::DomainError;
use storage::principals::{self, PutMode};
use storage::{Store, StoreError};

/// One thing the operator asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Action {
    Register { principal: Principal, dry_run: bool },
    List { issuer: String, json: bool },
    SetStatus { issuer: String, subject: String, status: PrincipalStatus, dry_run: bool },
}

fn cli() -> Command {
    let issuer =
        Arg::new("issuer").long("issuer").required(true).help("token issuer (iss), exactly as tokens carry it");
    let subject =
        Arg::new("subject").long("subject").required(true).help("subject (sub) the issuer gives the user or client");
    let dry_run = Arg::new("dry-run")
        .long("dry-run")
        .action(ArgAction::SetTrue)
        .help("print what would be written; write nothing");
    Command::new("zorginkoop-admin")
        .about("Registers, lists, suspends and reactivates principals in the Zorginkoop table (TABLE_NAME, DYNAMODB_ENDPOINT).")
        .subcommand_required(true)
        .subcommand(
            Command::new("register")
                .about("register a new principal")
                .arg(issuer.clone())
                .arg(subject.clone())
                .arg(Arg::new("role").long("role").required(true).value_parser(["igo", "insurer", "publisher"]))
                .arg(
                    Arg::new("org")
                        .long("org")
                        .required(true)
                        .help("igo: 8-digit AGB code; insurer: 4-digit UZOVI code; publisher: its name"),
                )
                .arg(Arg::new("name").long("name").required(true).help("display name"))
                .arg(
                    Arg::new("signatory")
                        .long("signatory")
                        .action(ArgAction::SetTrue)
                        .help("insurers only: may accept or reject proposals"),
                )
                .arg(dry_run.clone()),
        )
        .subcommand(
            Command::new("list")
                .about("list the principals of an issuer")
                .arg(issuer.clone())
                .arg(Arg::new("json").long("json").action(ArgAction::SetTrue).help("one JSON object per line")),
        )
        .subcommand(
            Command::new("suspend")
                .about("suspend a principal: the authorizer refuses it")
                .arg(issuer.clone())
                .arg(subject.clone())
                .arg(dry_run.clone()),
        )
        .subcommand(
            Command::new("reactivate")
                .about("re-activate a suspended principal")
                .arg(issuer)
                .arg(subject)
                .arg(dry_run),
        )
}

fn string(m: &ArgMatches, name: &str) -> String {
    m.get_one::<String>(name).cloned().unwrap_or_default()
}

/// The action the arguments ask for; a principal to register is validated here (AGB 8 digits,
/// UZOVI 4 digits, ...), so nothing invalid reaches the table or a dry run.
fn parse(args: impl IntoIterator<Item = String>) -> Result<Action, String> {
    let matches = cli().try_get_matches_from(args).map_err(|e| {
        use clap::error::ErrorKind;
        if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) {
            e.exit(); // prints the help to stdout and exits 0
        }
        e.render().to_string()
    })?;
    let (name, m) = matches.subcommand().ok_or("no command given")?;
    let action = match name {
        "register" => {
            let role = Role::parse(&string(m, "role")).ok_or("role must be igo, insurer or publisher")?;
            let principal = Principal {
                issuer: string(m, "issuer"),
                subject: string(m, "subject"),
                role,
                org: string(m, "org"),
                display_name: string(m, "name"),
                status: PrincipalStatus::Active,
                signatory: m.get_flag("signatory"),
            };
            principal.validate().map_err(|err| describe(&err))?;
            Action::Register { principal, dry_run: m.get_flag("dry-run") }
        }
        "list" => Action::List { issuer: string(m, "issuer"), json: m.get_flag("json") },
        "suspend" | "reactivate" => Action::SetStatus {
            issuer: string(m, "issuer"),
            subject: string(m, "subject"),
            status: if name == "suspend" { PrincipalStatus::Suspended } else { PrincipalStatus::Active },
            dry_run: m.get_flag("dry-run"),
        },
        other => return Err(format!("unknown command {other}")),
    };
    Ok(action)
}

/// A validation failure, one line per field (`--org: an igo's organisation must be ...`).
fn describe(err: &DomainError) -> String {
    match err {
        DomainError::Invalid(fields) => fields
            .iter()
            .map(|f| {
                let flag = match f.pointer.trim_start_matches('/') {
                    "display_name" => "name",
                    other => other,
                };
                format!("--{flag}: {}", f.detail)
            })
            .collect::<Vec<_>>()
            .join("\n"),
        other => other.to_string(),
    }
}

/// What a dry run prints: the table and the item a register would put, or the key and
/// status a suspend/reactivate would set.
fn dry_run_text(table: &str, action: &Action) -> Result<String, StoreError> {
    let value = match action {
        Action::Register { principal, .. } => {
            let item: serde_json::Value =
                serde_dynamo::from_item(principals::to_item(principal)?).map_err(storage::mapping_error)?;
            serde_json::json!({"table": table, "put_if_absent": item})
        }
        Action::SetStatus { issuer, subject, status, .. } => serde_json::json!({
            "table": table,
            "update_if_exists": {
                "PK": storage::keys::principal::pk(issuer),
                "SK": storage::keys::principal::sk(subject),
                "set": {"status": status.as_str()},
            }
        }),
        Action::List { .. } => return Ok(String::new()),
    };
    Ok(serde_json::to_string_pretty(&value).expect("JSON values serialise"))
}

fn list_line(p: &Principal) -> String {
    format!(
        "{}\t{}\t{}\t{}\t{}\t{}",
        p.subject,
        p.role.as_str(),
        p.org,
        p.status.as_str(),
        if p.signatory { "signatory" } else { "-" },
        p.display_name
    )
}

async fn run(action: Action) -> Result<(), String> {
    let table = storage::config::Config::from_env().table_name;
    let dry_run = matches!(action, Action::Register { dry_run: true, .. } | Action::SetStatus { dry_run: true, .. });
    if dry_run {
        println!("{}", dry_run_text(&table, &action).map_err(|e| e.to_string())?);
        return Ok(());
    }
    let store = Store::from_env().await;
    let failed = |e: StoreError| match e {
        StoreError::NotFound => "no such principal is registered".to_owned(),
        other => other.to_string(),
    };
    match action {
        Action::Register { principal, .. } => {
            principals::put(&store, &principal, PutMode::Create).await.map_err(failed)?;
            println!("registered: {}", list_line(&principal));
        }
        Action::List { issuer, json } => {
            for p in principals::list_by_issuer(&store, &issuer).await.map_err(failed)? {
                if json {
                    println!("{}", serde_json::to_string(&p).expect("principals serialise"));
                } else {
                    println!("{}", list_line(&p));
                }
            }
        }
        Action::SetStatus { issuer, subject, status, .. } => {
            let p = principals::set_status(&store, &issuer, &subject, status).await.map_err(failed)?;
            println!("{}: {}", status.as_str(), list_line(&p));
        }
    }
    Ok(())
}

#[tokio::main]
async fn main() -> ExitCode {
    let action = match parse(std::env::args()) {
        Ok(action) => action,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    match run(action).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("zorginkoop-admin: {message}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ISS: &str = "https://idp.example/pool";

    fn args(rest: &[&str]) -> Vec<String> {
        std::iter::once("zorginkoop-admin").chain(rest.iter().copied()).map(str::to_owned).collect()
    }

    fn register(role: &str, org: &str, extra: &[&str]) -> Result<Action, String> {
        let mut a =
            vec!["register", "--issuer", ISS, "--subject", "u-1", "--role", role, "--org", org, "--name", "A. Jansen"];
        a.extend_from_slice(extra);
        parse(args(&a))
    }

    #[test]
    fn register_validates_agb_and_uzovi_codes() {
        assert!(register("igo", "53012345", &[]).is_ok());
        assert!(register("insurer", "3311", &["--signatory"]).is_ok());
        let err = register("igo", "5301234", &[]).unwrap_err();
        assert_eq!(err, "--org: an igo's organisation must be an 8-digit AGB code");
        let err = register("insurer", "53012345", &[]).unwrap_err();
        assert_eq!(err, "--org: an insurer's organisation must be a 4-digit UZOVI code");
        let err = register("igo", "53012345", &["--signatory"]).unwrap_err();
        assert_eq!(err, "--signatory: only an insurer's principal can be a signatory");
        assert!(register("admin", "53012345", &[]).unwrap_err().contains("admin"));
    }

    #[test]
    fn a_dry_run_prints_the_item_it_would_write() {
        let action = register("insurer", "3311", &["--signatory", "--dry-run"]).unwrap();
        assert!(matches!(action, Action::Register { dry_run: true, .. }));
        let text = dry_run_text("zorginkoop", &action).unwrap();
        let printed: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(printed["table"], "zorginkoop");
        let item = &printed["put_if_absent"];
        assert_eq!(item["PK"], format!("PRINCIPAL#{ISS}"));
        assert_eq!(item["SK"], "SUBJECT#u-1");
        assert_eq!(item["role"], "insurer");
        assert_eq!(item["org"], "3311");
        assert_eq!(item["status"], "active");
        assert_eq!(item["signatory"], true);
        assert_eq!(item["display_name"], "A. Jansen");
    }

    #[test]
    fn suspend_and_reactivate_set_the_status() {
        let action = parse(args(&["suspend", "--issuer", ISS, "--subject", "u-1", "--dry-run"])).unwrap();
        let printed: serde_json::Value = serde_json::from_str(&dry_run_text("t", &action).unwrap()).unwrap();
        assert_eq!(printed["update_if_exists"]["set"]["status"], "suspended");
        assert_eq!(printed["update_if_exists"]["SK"], "SUBJECT#u-1");
        let action = parse(args(&["reactivate", "--issuer", ISS, "--subject", "u-1"])).unwrap();
        assert!(matches!(action, Action::SetStatus { status: PrincipalStatus::Active, dry_run: false, .. }));
        assert!(parse(args(&["list"])).is_err(), "list needs --issuer");
        assert!(parse(args(&[])).is_err());
    }
}
