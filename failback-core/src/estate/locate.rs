//! Field paths (`items[3].host`) and finding the line and column of a field in the JSON
//! text it came from, so that errors found after parsing still point at a line.

use std::fmt;

/// One step of a field path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    /// An object member.
    Key(String),
    /// An array element.
    Index(usize),
}

/// A path to a field of a JSON document.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldPath(pub Vec<Segment>);

impl FieldPath {
    /// The empty path (the document itself).
    pub fn root() -> Self {
        FieldPath(Vec::new())
    }

    /// This path extended by an object member.
    pub fn key(&self, key: &str) -> Self {
        let mut v = self.0.clone();
        v.push(Segment::Key(key.to_string()));
        FieldPath(v)
    }

    /// This path extended by an array index.
    pub fn index(&self, i: usize) -> Self {
        let mut v = self.0.clone();
        v.push(Segment::Index(i));
        FieldPath(v)
    }

    /// Parse the dotted form (`items[3].host`) back into a path. Keys containing `.` or `[`
    /// are not representable and yield the path up to them.
    pub fn parse(s: &str) -> Self {
        let mut out = Vec::new();
        for part in s.split('.') {
            if part.is_empty() {
                continue;
            }
            let mut rest = part;
            if let Some(open) = rest.find('[') {
                let key = &rest[..open];
                if !key.is_empty() {
                    out.push(Segment::Key(key.to_string()));
                }
                rest = &rest[open..];
                while let Some(stripped) = rest.strip_prefix('[') {
                    let Some(close) = stripped.find(']') else {
                        break;
                    };
                    match stripped[..close].parse::<usize>() {
                        Ok(i) => out.push(Segment::Index(i)),
                        Err(_) => return FieldPath(out),
                    }
                    rest = &stripped[close + 1..];
                }
            } else {
                out.push(Segment::Key(rest.to_string()));
            }
        }
        FieldPath(out)
    }
}

impl fmt::Display for FieldPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        for seg in &self.0 {
            match seg {
                Segment::Key(k) => {
                    if !first {
                        f.write_str(".")?;
                    }
                    f.write_str(k)?;
                }
                Segment::Index(i) => write!(f, "[{i}]")?,
            }
            first = false;
        }
        Ok(())
    }
}

/// The 1-based line and column of the value at `path` in `text`, if the text is JSON far
/// enough to reach it.
pub fn locate(text: &str, path: &FieldPath) -> Option<(usize, usize)> {
    let bytes = text.as_bytes();
    let mut pos = skip_ws(bytes, 0);
    for seg in &path.0 {
        pos = match seg {
            Segment::Key(k) => find_member(bytes, pos, k)?,
            Segment::Index(i) => find_element(bytes, pos, *i)?,
        };
    }
    Some(line_col(text, pos))
}

/// Like [`locate`], but for a field the text lacks (an absent member) the position of the
/// nearest enclosing value the text has; `None` for an empty text (a document built in
/// code has no lines).
pub fn locate_nearest(text: &str, path: &FieldPath) -> Option<(usize, usize)> {
    if text.trim().is_empty() {
        return None;
    }
    (0..=path.0.len())
        .rev()
        .find_map(|n| locate(text, &FieldPath(path.0[..n].to_vec())))
}

/// 1-based line and column of a byte offset.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text.as_bytes()[..offset.min(text.len())];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |p| p + 1);
    let column = String::from_utf8_lossy(&before[line_start..])
        .chars()
        .count()
        + 1;
    (line, column)
}

fn skip_ws(b: &[u8], mut pos: usize) -> usize {
    while pos < b.len() && matches!(b[pos], b' ' | b'\t' | b'\n' | b'\r') {
        pos += 1;
    }
    pos
}

/// Reads a string starting at `pos` (which holds `"`); returns its decoded-enough
/// content (escapes of `"` and `\` resolved) and the position after it.
fn read_string(b: &[u8], pos: usize) -> Option<(String, usize)> {
    if b.get(pos) != Some(&b'"') {
        return None;
    }
    let mut out = Vec::new();
    let mut i = pos + 1;
    while i < b.len() {
        match b[i] {
            b'"' => return Some((String::from_utf8_lossy(&out).into_owned(), i + 1)),
            b'\\' => {
                let next = *b.get(i + 1)?;
                out.push(next);
                i += 2;
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    None
}

/// Position after the value starting at `pos`.
fn skip_value(b: &[u8], pos: usize) -> Option<usize> {
    let pos = skip_ws(b, pos);
    match *b.get(pos)? {
        b'"' => read_string(b, pos).map(|(_, p)| p),
        b'{' | b'[' => {
            let mut depth = 0usize;
            let mut i = pos;
            while i < b.len() {
                match b[i] {
                    b'"' => {
                        i = read_string(b, i)?.1;
                        continue;
                    }
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth -= 1;
                        if depth == 0 {
                            return Some(i + 1);
                        }
                    }
                    _ => {}
                }
                i += 1;
            }
            None
        }
        _ => {
            let mut i = pos;
            while i < b.len() && !matches!(b[i], b',' | b'}' | b']' | b' ' | b'\n' | b'\r' | b'\t')
            {
                i += 1;
            }
            Some(i)
        }
    }
}

fn find_member(b: &[u8], pos: usize, key: &str) -> Option<usize> {
    let mut i = skip_ws(b, pos);
    if b.get(i) != Some(&b'{') {
        return None;
    }
    i = skip_ws(b, i + 1);
    loop {
        match b.get(i)? {
            b'}' => return None,
            b'"' => {
                let (k, after) = read_string(b, i)?;
                i = skip_ws(b, after);
                if b.get(i) != Some(&b':') {
                    return None;
                }
                let value = skip_ws(b, i + 1);
                if k == key {
                    return Some(value);
                }
                i = skip_ws(b, skip_value(b, value)?);
                if b.get(i) == Some(&b',') {
                    i = skip_ws(b, i + 1);
                }
            }
            _ => return None,
        }
    }
}

fn find_element(b: &[u8], pos: usize, index: usize) -> Option<usize> {
    let mut i = skip_ws(b, pos);
    if b.get(i) != Some(&b'[') {
        return None;
    }
    i = skip_ws(b, i + 1);
    let mut n = 0;
    loop {
        if *b.get(i)? == b']' {
            return None;
        }
        if n == index {
            return Some(i);
        }
        i = skip_ws(b, skip_value(b, i)?);
        if b.get(i) == Some(&b',') {
            i = skip_ws(b, i + 1);
        }
        n += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_round_trips() {
        let p = FieldPath::parse("items[3].disks[0].name");
        assert_eq!(p.to_string(), "items[3].disks[0].name");
        assert_eq!(FieldPath::parse("").to_string(), "");
    }

    #[test]
    fn locates_nested_fields() {
        let text =
            "{\n  \"a\": 1,\n  \"items\": [\n    {\"x\": \"}\"},\n    {\"host\": \"h\"}\n  ]\n}";
        assert_eq!(
            locate(text, &FieldPath::parse("items[1].host")),
            Some((5, 14))
        );
        assert_eq!(locate(text, &FieldPath::parse("a")), Some((2, 8)));
        assert_eq!(locate(text, &FieldPath::parse("items[7]")), None);
        assert_eq!(locate("{\"a\": [1,", &FieldPath::parse("a[3]")), None);
    }
}
