//! The docs Lambda function: the OpenAPI document, the reference page, and `/v1/me`.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    edge::routing::run_lambda(docs::router()).await
}
