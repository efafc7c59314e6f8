//! The themes-publisher Lambda function: the publisher's edition writes, in their own function
//! so only it holds write access to the table.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    edge::routing::run_lambda(themes::publisher::publisher_router()).await
}
