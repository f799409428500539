//! Reading request bodies, with a size limit.

use bytes::Bytes;
use http_body_util::{BodyExt, Limited};

/// A body that could not be read in full: over the limit, or the connection failed.
#[derive(Debug)]
pub(crate) struct BodyTooLarge;

/// Reads `body` in full, failing once it passes `limit` bytes (or if reading fails).
pub(crate) async fn read_limited<B>(body: B, limit: usize) -> Result<Bytes, BodyTooLarge>
where
    B: http_body::Body,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    Limited::new(body, limit)
        .collect()
        .await
        .map(http_body_util::Collected::to_bytes)
        .map_err(|_| BodyTooLarge)
}
