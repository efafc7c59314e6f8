//! Tracing set-up: JSON lines in Lambda (CloudWatch parses them, Logs Insights queries them by
//! field), readable text locally.
//!
//! The runtime's and the SDK's crates log requests and responses (headers with the bearer
//! token, bodies with proposals) at debug and trace. Their levels are pinned here, after the
//! configured filter, so no `LogLevel`/`RUST_LOG` value can turn those on: our own crates
//! follow the configured level, these never log below `warn`.

use tracing_subscriber::filter::Directive;
use tracing_subscriber::EnvFilter;

/// Crates whose debug/trace output can carry tokens or bodies, and the level they are held to.
pub const PINNED: &[&str] = &[
    "lambda_runtime=warn",
    "lambda_runtime_api_client=warn",
    "lambda_http=warn",
    "aws_smithy_runtime=warn",
    "aws_smithy_runtime_api=warn",
    "aws_smithy_http=warn",
    "aws_smithy_http_client=warn",
    "aws_smithy_types=warn",
    "aws_config=warn",
    "aws_sdk_dynamodb=warn",
    "aws_sdk_sts=warn",
    "aws_sdk_sso=warn",
    "aws_sdk_ssooidc=warn",
    "hyper=warn",
    "hyper_util=warn",
    "h2=warn",
    "rustls=warn",
    "tower=warn",
];

/// The filter for a configured level (`RUST_LOG`, else `LOG_LEVEL`, else `info`) with the
/// pinned crates added last: a directive for a crate overrides a general level, and the pinned
/// one replaces any the configuration gave for the same crate.
pub fn filter(configured: Option<&str>) -> EnvFilter {
    let mut filter = configured.and_then(|c| EnvFilter::try_new(c).ok()).unwrap_or_else(|| EnvFilter::new("info"));
    for pinned in PINNED {
        filter = filter.add_directive(pinned.parse::<Directive>().expect("static directives parse"));
    }
    filter
}

/// The JSON log lines of Lambda (and of `LOG_FORMAT=json`): one object per line, the event's
/// fields flattened, and the list of spans it happened in (`request` with `request_id`,
/// `lambda_request_id`, `trace_id`, `route`, `role`, `org`; `dynamodb` with `operation`), so
/// every line of a request names it. No timestamps: Lambda adds its own. Tests pass their own
/// writer to read the lines.
pub fn json_subscriber<W>(filter: EnvFilter, writer: W) -> impl tracing::Subscriber + Send + Sync
where
    W: for<'w> tracing_subscriber::fmt::MakeWriter<'w> + Send + Sync + 'static,
{
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .json()
        .flatten_event(true)
        .with_current_span(false)
        .with_span_list(true)
        .without_time()
        .with_ansi(false)
        .with_writer(writer)
        .finish()
}

/// Installs the global subscriber once. Safe to call twice (tests): the second call is a no-op.
pub fn init() {
    let configured = std::env::var("RUST_LOG").or_else(|_| std::env::var("LOG_LEVEL")).ok();
    let filter = filter(configured.as_deref());
    let json = std::env::var("AWS_LAMBDA_FUNCTION_NAME").is_ok()
        || std::env::var("LOG_FORMAT").is_ok_and(|f| f.eq_ignore_ascii_case("json"));
    let _ = if json {
        tracing::subscriber::set_global_default(json_subscriber(filter, std::io::stdout)).map_err(|e| e.to_string())
    } else {
        tracing_subscriber::fmt().with_env_filter(filter).with_target(false).try_init().map_err(|e| e.to_string())
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The filter's directives, as text (EnvFilter prints them comma-separated).
    fn directives(configured: Option<&str>) -> String {
        filter(configured).to_string()
    }

    #[test]
    fn no_log_level_turns_on_the_runtime_or_sdk_below_warn() {
        for configured in
            [None, Some("trace"), Some("debug"), Some("info"), Some("trace,aws_smithy_runtime=trace,hyper=trace")]
        {
            let text = directives(configured);
            for pinned in PINNED {
                let (krate, _) = pinned.split_once('=').unwrap();
                assert!(text.contains(pinned), "{configured:?}: {krate} not pinned in {text}");
                for level in ["trace", "debug", "info"] {
                    assert!(!text.contains(&format!("{krate}={level}")), "{configured:?}: {krate}={level} in {text}");
                }
            }
        }
        // Our own crates still follow the configured level.
        assert!(directives(Some("debug")).split(',').any(|d| d == "debug"));
    }
}
