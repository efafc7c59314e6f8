//! The themes Lambda function: builds its context once, then serves its routes.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    edge::routing::run_lambda(themes::router()).await
}
