//! The page at `/`.

/// The demo page (embedded, no build step, works offline).
pub const INDEX_HTML: &str = include_str!("../static/index.html");
