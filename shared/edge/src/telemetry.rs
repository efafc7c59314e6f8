//! Tracing set-up: JSON lines in Lambda (CloudWatch parses them), readable text locally.

use tracing_subscriber::EnvFilter;

/// Installs the global subscriber once. The filter comes from `RUST_LOG`, else `LOG_LEVEL`,
/// else `info`. Safe to call twice (tests): the second call is a no-op.
pub fn init() {
    let filter = EnvFilter::try_from_default_env()
        .or_else(|_| EnvFilter::try_new(std::env::var("LOG_LEVEL").unwrap_or_else(|_| "info".into())))
        .unwrap_or_else(|_| EnvFilter::new("info"));
    let in_lambda = std::env::var("AWS_LAMBDA_FUNCTION_NAME").is_ok();
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_target(false);
    let _ = if in_lambda {
        // Lambda adds its own timestamps; JSON lines without ANSI colours.
        builder.json().without_time().with_current_span(false).with_ansi(false).try_init()
    } else {
        builder.try_init()
    };
}
