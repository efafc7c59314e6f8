//! The principal registry (`storage::principals`) against DynamoDB Local: conditional
//! register, read back, list by issuer (a Query of the issuer's partition only), suspend and
//! reactivate, and the refusals of each (registered twice, unknown subject).

use domain::identity::Role;
use domain::principal::{Principal, PrincipalStatus};
use integration_tests::TestApp;
use storage::principals::{self, PutMode};
use storage::StoreError;

const ISSUER: &str = "https://cognito-idp.eu-central-1.amazonaws.com/eu-central-1_ITEST";

fn principal(issuer: &str, subject: &str, role: Role, org: &str) -> Principal {
    Principal {
        issuer: issuer.into(),
        subject: subject.into(),
        role,
        org: org.into(),
        display_name: format!("Principal {subject}"),
        status: PrincipalStatus::Active,
        signatory: role == Role::Insurer,
    }
}

#[tokio::test]
async fn principals_register_once_list_by_issuer_and_change_status() {
    let app = TestApp::spawn().await;
    let store = &app.ctx.store;
    let igo = principal(ISSUER, "igo-1", Role::Igo, "53012345");
    let insurer = principal(ISSUER, "ins-1", Role::Insurer, "3311");
    // Same subject, other issuer: a different principal, and not in ISSUER's listing.
    let elsewhere = principal("https://other.example", "igo-1", Role::Publisher, "redactie");

    assert_eq!(principals::get(store, ISSUER, "igo-1").await.unwrap(), None);
    for p in [&igo, &insurer, &elsewhere] {
        principals::put(store, p, PutMode::Create).await.unwrap();
    }
    assert_eq!(principals::get(store, ISSUER, "igo-1").await.unwrap(), Some(igo.clone()));

    let mut again = igo.clone();
    again.org = "53099999".into();
    let err = principals::put(store, &again, PutMode::Create).await.unwrap_err();
    assert!(matches!(err, StoreError::Conflict(_)), "{err:?}");
    assert_eq!(principals::get(store, ISSUER, "igo-1").await.unwrap().unwrap().org, "53012345", "not overwritten");
    principals::put(store, &again, PutMode::Replace).await.unwrap();
    assert_eq!(principals::get(store, ISSUER, "igo-1").await.unwrap().unwrap().org, "53099999");
    let ghost = principal(ISSUER, "ghost", Role::Igo, "53012345");
    assert_eq!(principals::put(store, &ghost, PutMode::Replace).await.unwrap_err(), StoreError::NotFound);

    let listed = principals::list_by_issuer(store, ISSUER).await.unwrap();
    assert_eq!(listed.iter().map(|p| p.subject.as_str()).collect::<Vec<_>>(), ["igo-1", "ins-1"]);
    assert_eq!(principals::list_by_issuer(store, "https://other.example").await.unwrap(), vec![elsewhere]);

    let suspended = principals::set_status(store, ISSUER, "ins-1", PrincipalStatus::Suspended).await.unwrap();
    assert_eq!(suspended.status, PrincipalStatus::Suspended);
    assert!(suspended.signatory, "a status change keeps the rest");
    assert!(!principals::get(store, ISSUER, "ins-1").await.unwrap().unwrap().is_active());
    principals::set_status(store, ISSUER, "ins-1", PrincipalStatus::Active).await.unwrap();
    assert!(principals::get(store, ISSUER, "ins-1").await.unwrap().unwrap().is_active());

    let err = principals::set_status(store, ISSUER, "ghost", PrincipalStatus::Suspended).await.unwrap_err();
    assert_eq!(err, StoreError::NotFound);
    assert_eq!(principals::get(store, ISSUER, "ghost").await.unwrap(), None, "a status change never creates");
}
