//! The interactive reference page (`GET /docs`): Redoc's standalone bundle, vendored from the
//! npm package `redoc` (pinned in package.json) and inlined, so the page needs no CDN, works
//! offline and runs under a strict Content-Security-Policy that allows scripts only by hash.
//!
//! Inlining keeps the API at one route per page; the CSP hash is computed from the exact
//! bytes served, once per process, so it can never drift from the script.

use std::sync::LazyLock;

use base64::Engine;
use sha2::{Digest, Sha256};

/// Redoc's standalone bundle, byte for byte as in `node_modules/redoc/bundles/`
/// (`scripts/test.d/10-vendored-assets.sh` checks it; `scripts/vendor-assets.sh` refreshes it).
pub const REDOC_STANDALONE_JS: &str = include_str!("../assets/redoc.standalone.js");

/// Redoc 2.x renders a "API docs by Redocly" logo from its CDN, with no option to turn it off.
/// The served copy points it at an empty `data:` image instead: no request leaves the API, the
/// image fails to decode, and Redoc's own `onError` removes it. The vendored file itself stays
/// byte-identical to the npm package; a test fails if an upgrade moves the URL.
const REDOC_CDN_LOGO: &str = "https://cdn.redoc.ly/redoc/logo-mini.svg";

/// The script as served: the vendored bundle with the CDN logo unhooked.
fn served_script() -> String {
    REDOC_STANDALONE_JS.replacen(REDOC_CDN_LOGO, "data:,", 1)
}

/// The page before the script is put in. Redoc's `<redoc>` element initialises itself from its
/// attributes. `spec-url` is relative, so the page also works below a stage prefix.
/// Search is disabled because Redoc runs it in a worker made from a `blob:` URL, which the CSP
/// (no `worker-src`) refuses: one missing feature instead of a weaker policy.
const TEMPLATE: &str = r#"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>Zorginkoop API reference</title>
<link rel="icon" href="data:,">
</head>
<body>
<redoc spec-url="openapi.json" disable-search hide-hostname expand-responses="200,201"></redoc>
<script>{{REDOC}}</script>
</body>
</html>
"#;

/// The served page and the Content-Security-Policy that goes with it.
pub struct DocsPage {
    pub html: String,
    pub csp: String,
}

/// `'sha256-…'` CSP source for an inline script's exact text.
pub fn csp_hash(script: &str) -> String {
    format!("'sha256-{}'", base64::engine::general_purpose::STANDARD.encode(Sha256::digest(script.as_bytes())))
}

/// Built on first use: hashing the 1.1 MB bundle takes a few milliseconds, paid once per sandbox.
pub static PAGE: LazyLock<DocsPage> = LazyLock::new(|| {
    let script = served_script();
    let html = TEMPLATE.replacen("{{REDOC}}", &script, 1);
    // Redoc (styled-components) writes <style> elements and style attributes at run time, so
    // styles need 'unsafe-inline'; scripts do not: only the hashed inline bundle runs.
    let csp = [
        "default-src 'none'".to_owned(),
        format!("script-src {}", csp_hash(&script)),
        "style-src 'unsafe-inline'".to_owned(),
        "img-src 'self' data:".to_owned(),
        "font-src 'self' data:".to_owned(),
        "connect-src 'self'".to_owned(),
        "base-uri 'none'".to_owned(),
        "form-action 'none'".to_owned(),
        "frame-ancestors 'none'".to_owned(),
    ]
    .join("; ");
    DocsPage { html, csp }
});

#[cfg(test)]
mod tests {
    use super::*;

    /// The inline script is the vendored bundle (logo unhooked), and the header's hash covers
    /// exactly what the browser executes. (That Chromium accepts it is the browser test's job.)
    #[test]
    fn page_inlines_the_bundle_and_the_csp_hashes_it() {
        let page = &*PAGE;
        let start = page.html.find("<script>").expect("inline script") + "<script>".len();
        let end = page.html.rfind("</script>").expect("script end");
        assert_eq!(&page.html[start..end], served_script());
        assert_eq!(served_script().len(), REDOC_STANDALONE_JS.len() - REDOC_CDN_LOGO.len() + "data:,".len());
        assert!(page.csp.contains(&csp_hash(&served_script())), "{}", page.csp);
    }

    /// The bundle names the CDN logo exactly once (so the unhooking above is complete), and the
    /// served page names no other origin at all.
    #[test]
    fn served_page_names_no_cdn() {
        assert_eq!(REDOC_STANDALONE_JS.matches(REDOC_CDN_LOGO).count(), 1, "Redoc upgrade moved its logo URL");
        assert!(!PAGE.html.contains("cdn."), "the page still names a CDN");
    }

    /// The strictness the issue asks for: no eval, no inline scripts but the hashed one, no
    /// other origins, no blob workers.
    #[test]
    fn csp_is_strict() {
        let csp = &PAGE.csp;
        assert!(!csp.contains("unsafe-eval"), "{csp}");
        assert!(!csp.contains("blob:"), "{csp}");
        assert!(!csp.contains("http"), "no other origin may be named: {csp}");
        let script_src = csp.split(';').map(str::trim).find(|d| d.starts_with("script-src")).expect("script-src");
        assert_eq!(script_src, format!("script-src {}", csp_hash(&served_script())));
    }

    /// A literal `</script` inside the bundle would end the inline script early.
    #[test]
    fn bundle_cannot_close_its_script_element() {
        assert!(!REDOC_STANDALONE_JS.to_ascii_lowercase().contains("</script"));
    }

    /// The page loads the spec from this API, not from elsewhere.
    #[test]
    fn page_loads_the_served_spec() {
        assert!(PAGE.html.contains(r#"spec-url="openapi.json""#));
        assert!(!TEMPLATE.contains("http://") && !TEMPLATE.contains("https://"));
    }

    #[test]
    fn csp_hash_is_base64_sha256() {
        // sha256("") = 47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=
        assert_eq!(csp_hash(""), "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='");
    }
}
