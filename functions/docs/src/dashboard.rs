//! The comparison dashboard (`GET /dashboard`): one self-contained page (its script and styles
//! inline, nothing from another origin) that reads only this API's public themes reads. It is
//! served under a strict Content-Security-Policy that allows exactly its own script and style,
//! by hash, and connections to this origin only.

use std::sync::LazyLock;

use crate::page::{csp_hash, DocsPage};

const TEMPLATE: &str = include_str!("../dashboard/dashboard.html");
/// The page's script and styles, as served (inline).
pub const SCRIPT: &str = include_str!("../dashboard/dashboard.js");
pub const STYLE: &str = include_str!("../dashboard/dashboard.css");

/// Built on first use: the page and its policy never change within a process.
pub static PAGE: LazyLock<DocsPage> = LazyLock::new(|| {
    let html = TEMPLATE.replacen("{{STYLE}}", STYLE, 1).replacen("{{SCRIPT}}", SCRIPT, 1);
    let csp = [
        "default-src 'none'".to_owned(),
        format!("script-src {}", csp_hash(SCRIPT)),
        format!("style-src {}", csp_hash(STYLE)),
        "img-src data:".to_owned(),
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

    /// The page's own script and styles stay small (the budget: under 100 KB).
    #[test]
    fn page_is_small_and_self_contained() {
        assert!(SCRIPT.len() + STYLE.len() < 100 * 1024, "{} bytes", SCRIPT.len() + STYLE.len());
        let html = &PAGE.html;
        assert!(!html.contains("{{"), "a placeholder is left");
        for text in [html.as_str(), SCRIPT, STYLE] {
            assert!(!text.contains("http://") && !text.contains("https://"), "names another origin");
            assert!(!text.to_ascii_lowercase().contains("</script") || text == html.as_str());
        }
        assert!(!SCRIPT.contains("innerHTML"), "the page builds its DOM with DOM calls");
        assert_eq!(html.matches("<script>").count(), 1);
        assert_eq!(html.matches("<style>").count(), 1);
    }

    /// Exactly the inline script and style are allowed, by hash; nothing inline else, no eval,
    /// no other origin.
    #[test]
    fn csp_allows_only_the_page_itself() {
        let csp = &PAGE.csp;
        assert!(csp.contains(&format!("script-src {}", csp_hash(SCRIPT))), "{csp}");
        assert!(csp.contains(&format!("style-src {}", csp_hash(STYLE))), "{csp}");
        assert!(!csp.contains("unsafe"), "{csp}");
        assert!(!csp.contains("http") && !csp.contains('*'), "{csp}");
        assert!(csp.contains("connect-src 'self'") && csp.starts_with("default-src 'none'"), "{csp}");
        // The hashed texts are exactly what the page inlines.
        assert!(PAGE.html.contains(&format!("<script>{SCRIPT}</script>")));
        assert!(PAGE.html.contains(&format!("<style>{STYLE}</style>")));
    }
}
