//! Pages of a large set or hash by `SSCAN` / `HSCAN`: a few round trips of about a page
//! each, whatever the key's size, and a cursor that says where the next page starts.

use crate::{redis_io::timed, Failure, Redis};

/// Where a page starts: a scan cursor, and how many items of that scan step earlier pages
/// took (a step may return more than a page: the next page scans it again and skips on).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ScanCursor {
    pub scan: u64,
    pub skip: usize,
}

impl ScanCursor {
    /// `<scan>.<skip>`, each 1 to 19 digits (19 digits always fit a u64; Redis's cursors
    /// index its hash tables and never come near 10^19).
    pub const PATTERN: &'static str = "^[0-9]{1,19}\\.[0-9]{1,19}$";

    pub fn parse(s: &str) -> Option<Self> {
        let (scan, skip) = s.split_once('.')?;
        let digits = |t: &str| (1..=19).contains(&t.len()) && t.bytes().all(|b| b.is_ascii_digit());
        if !digits(scan) || !digits(skip) {
            return None;
        }
        Some(Self {
            scan: scan.parse().ok()?,
            skip: skip.parse().ok()?,
        })
    }

    pub fn to_text(self) -> String {
        format!("{}.{}", self.scan, self.skip)
    }
}

/// Which scan, and how many strings make one item (a set's member; a hash's field and
/// value).
#[derive(Debug, Clone, Copy)]
pub enum Scan {
    Set,
    Hash,
}

/// Up to `limit` items of `key` from `from` (each a member, or a field and its value), and
/// where the next page starts (`None`: no more). An item may come twice when the key is
/// rehashed between pages, as `SSCAN` allows.
pub async fn scan_page(
    conn: &mut Redis,
    scan_kind: Scan,
    key: &str,
    from: ScanCursor,
    limit: usize,
) -> Result<(Vec<Vec<String>>, Option<ScanCursor>), Failure> {
    /// Scans per page at most: a page may come short (with a next one) rather than scan on.
    const MOST_SCANS: usize = 8;
    let (command, width) = match scan_kind {
        Scan::Set => ("SSCAN", 1),
        Scan::Hash => ("HSCAN", 2),
    };
    let (mut scan, mut skip) = (from.scan, from.skip);
    let mut items: Vec<Vec<String>> = Vec::with_capacity(limit.min(1024));
    for _ in 0..MOST_SCANS {
        let (next, batch): (u64, Vec<String>) = timed(
            if width == 1 { "sscan" } else { "hscan" },
            redis::cmd(command)
                .arg(key)
                .arg(scan)
                .arg("COUNT")
                .arg(limit)
                .query_async(conn),
        )
        .await?;
        let batch: Vec<Vec<String>> = batch.chunks(width).map(<[String]>::to_vec).collect();
        let rest = batch.get(skip..).unwrap_or_default();
        let room = limit - items.len();
        if rest.len() > room {
            items.extend_from_slice(&rest[..room]);
            let next = ScanCursor {
                scan,
                skip: skip + room,
            };
            return Ok((items, Some(next)));
        }
        items.extend_from_slice(rest);
        if next == 0 {
            return Ok((items, None));
        }
        (scan, skip) = (next, 0);
        if items.len() == limit {
            break;
        }
    }
    Ok((items, Some(ScanCursor { scan, skip })))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_cursor_the_pattern_admits_parses() {
        let longest = "9".repeat(19);
        let text = format!("{longest}.{longest}");
        assert_eq!(ScanCursor::parse(&text).unwrap().to_text(), text);
        for refused in [
            "925495736420374003.56207333033756054264",
            "1.",
            ".1",
            "1",
            "a.1",
        ] {
            assert!(ScanCursor::parse(refused).is_none(), "{refused}");
        }
    }
}
