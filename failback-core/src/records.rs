//! The line format of failback's append-only files: the run journal and a simulated
//! site's log (the lab's). Each record is one line, `CRC32 JSON\n`: the CRC-32 (8 hex
//! digits) of the JSON text, a space, the JSON. A reader walks the lines with [`lines`]
//! and decodes each with [`decode`]; the torn-tail rule (a damaged *last* line is a write
//! torn by a crash and is dropped; damage before it is an error) is the caller's, on the
//! [`Line::last`] flag. Any byte cut is a torn tail: a line cut inside a multi-byte
//! character is not UTF-8 and fails [`decode`] like any other torn line.

use serde::de::DeserializeOwned;
use serde::Serialize;

/// One line of a record file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Line<'a> {
    /// 1-based line number.
    pub number: usize,
    /// Its bytes, without the line end.
    pub bytes: &'a [u8],
    /// Where the next line starts (past this one's line end).
    pub next: usize,
    /// Whether it ends with a line end (a torn last line may not).
    pub complete: bool,
    /// Whether it is the file's last line.
    pub last: bool,
}

/// The lines of `bytes`, in order.
pub fn lines(bytes: &[u8]) -> impl Iterator<Item = Line<'_>> {
    let mut start = 0usize;
    let mut number = 0usize;
    std::iter::from_fn(move || {
        if start >= bytes.len() {
            return None;
        }
        number += 1;
        let end = bytes[start..]
            .iter()
            .position(|&b| b == b'\n')
            .map(|p| start + p);
        let (raw, next, complete) = match end {
            Some(e) => (&bytes[start..e], e + 1, true),
            None => (&bytes[start..], bytes.len(), false),
        };
        start = next;
        Some(Line {
            number,
            bytes: raw,
            next,
            complete,
            last: next >= bytes.len(),
        })
    })
}

/// The CRC-32 of `json`, as the line writes it.
pub fn checksum(json: &str) -> String {
    format!("{:08x}", crc32fast::hash(json.as_bytes()))
}

/// One line's bytes (without the line end) back into its value, checksum checked; the
/// error says what is wrong.
pub fn decode<T: DeserializeOwned>(raw: &[u8]) -> Result<T, String> {
    let line = std::str::from_utf8(raw).map_err(|_| "not UTF-8".to_string())?;
    let (crc, json) = line
        .split_once(' ')
        .ok_or_else(|| "no checksum".to_string())?;
    if crc.len() != 8 || checksum(json) != crc {
        return Err("checksum mismatch".to_string());
    }
    serde_json::from_str(json).map_err(|e| format!("bad record: {e}"))
}

/// `value` as one line, `CRC32 JSON\n`.
pub fn encode(value: &impl Serialize) -> Result<Vec<u8>, serde_json::Error> {
    let json = serde_json::to_string(value)?;
    let mut out = Vec::with_capacity(json.len() + 10);
    out.extend_from_slice(checksum(&json).as_bytes());
    out.push(b' ');
    out.extend_from_slice(json.as_bytes());
    out.push(b'\n');
    Ok(out)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn a_line_round_trips_and_any_byte_cut_fails_to_decode() {
        let line = encode(&serde_json::json!({"name": "wébé-01 ✓"})).unwrap();
        let v: serde_json::Value = decode(&line[..line.len() - 1]).unwrap();
        assert_eq!(v["name"], "wébé-01 ✓");
        for cut in 0..line.len() - 1 {
            assert!(
                decode::<serde_json::Value>(&line[..cut]).is_err(),
                "cut at {cut}"
            );
        }
    }

    #[test]
    fn lines_say_which_is_last_and_whether_it_ended() {
        let got: Vec<(usize, bool, bool)> = lines(b"a\nbb\nc")
            .map(|l| (l.number, l.complete, l.last))
            .collect();
        assert_eq!(got, [(1, true, false), (2, true, false), (3, false, true)]);
        assert_eq!(lines(b"").count(), 0);
        assert!(lines(b"a\n").all(|l| l.complete && l.last));
    }
}
