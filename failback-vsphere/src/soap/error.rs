//! What can go wrong reading a SOAP response: too big, too deep, not XML, not the shape
//! expected, an HTTP error without a fault, or a vSphere fault.

use super::fault::MethodFault;

/// The longest value (a text, an attribute, a server's message) an error repeats.
pub(crate) const MAX_QUOTED_CHARS: usize = 80;

/// The longest message an error repeats from the server or the XML reader.
pub(crate) const MAX_MESSAGE_CHARS: usize = 600;

/// A response that cannot be used, or a vSphere fault.
///
/// Every variant but [`SoapError::Fault`] means the response itself is broken (or too
/// big): it names where (`path`, dotted element names from the root with indexes of
/// repeated elements, like `RetrievePropertiesExResponse.returnval.objects[3].obj`) and
/// what was expected. It converts into a [`failback_core::Error`] with `From`.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum SoapError {
    /// The body is longer than [`Limits::max_bytes`](super::Limits::max_bytes).
    #[error(
        "the response is {size} bytes, more than the {max} allowed (see Limits::with_max_bytes)"
    )]
    TooLarge {
        /// The body's length.
        size: usize,
        /// The limit.
        max: usize,
    },
    /// The elements nest deeper than [`Limits::max_depth`](super::Limits::max_depth).
    #[error(
        "the response nests elements deeper than {max} at `{path}` (see Limits::with_max_depth)"
    )]
    TooDeep {
        /// Where.
        path: String,
        /// The limit.
        max: usize,
    },
    /// The body holds more elements than
    /// [`Limits::max_elements`](super::Limits::max_elements).
    #[error(
        "the response holds more than {max} elements (the last at `{path}`; see Limits::with_max_elements)"
    )]
    TooManyElements {
        /// Where the limit was passed.
        path: String,
        /// The limit.
        max: usize,
    },
    /// The body is not well-formed XML (truncated, not UTF-8, mismatched tags, an unknown
    /// entity, a DTD).
    #[error("the response is not well-formed XML at byte {offset} (in `{path}`): {message}")]
    Malformed {
        /// The element being read when it broke (empty before the root).
        path: String,
        /// Byte offset in the body.
        offset: u64,
        /// What the XML reader said.
        message: String,
    },
    /// The XML is well-formed but not what the call answers: a missing element, a text
    /// that is not of the element's type, another method's response.
    #[error("unexpected response at `{path}`: expected {expected}, found {found}")]
    Unexpected {
        /// Where.
        path: String,
        /// What was expected there.
        expected: String,
        /// What is there (a value quoted, cut to 80 characters).
        found: String,
    },
    /// An HTTP error status whose body is no SOAP fault (a proxy's error page, a
    /// service restarting).
    #[error("HTTP {status} without a SOAP fault; the body begins: {snippet}")]
    Http {
        /// The HTTP status.
        status: u16,
        /// The body's first characters.
        snippet: String,
    },
    /// The server answered with a fault (a SOAP `Fault`), or a task or property failed
    /// with one.
    #[error(transparent)]
    Fault(Box<MethodFault>),
}

impl SoapError {
    /// The fault, for [`SoapError::Fault`].
    pub fn fault(&self) -> Option<&MethodFault> {
        match self {
            SoapError::Fault(f) => Some(f),
            _ => None,
        }
    }

    /// A missing or mistyped value at `path`.
    pub(crate) fn unexpected(
        path: impl Into<String>,
        expected: impl Into<String>,
        found: impl Into<String>,
    ) -> SoapError {
        SoapError::Unexpected {
            path: clip_path(path.into()),
            expected: clip(&expected.into(), MAX_MESSAGE_CHARS),
            found: clip(&found.into(), MAX_MESSAGE_CHARS),
        }
    }
}

impl From<MethodFault> for SoapError {
    fn from(f: MethodFault) -> SoapError {
        SoapError::Fault(Box::new(f))
    }
}

/// The longest path an error repeats: a hostile document's element names can be
/// megabytes long.
pub(crate) const MAX_PATH_CHARS: usize = 240;

/// `path` cut in its middle to [`MAX_PATH_CHARS`] characters, keeping its start and its
/// end (the element that went wrong).
pub(crate) fn clip_path(path: String) -> String {
    let count = path.chars().count();
    if count <= MAX_PATH_CHARS {
        return path;
    }
    let head: String = path.chars().take(MAX_PATH_CHARS / 3).collect();
    let tail: String = path.chars().skip(count - MAX_PATH_CHARS / 2).collect();
    format!("{head}…{tail}")
}

/// `text` between backticks, cut to [`MAX_QUOTED_CHARS`] characters (its length said),
/// control characters shown as spaces.
pub(crate) fn quote(text: &str) -> String {
    format!("`{}`", clip(text, MAX_QUOTED_CHARS))
}

/// `text` cut to `max` characters on a character boundary, saying its length when cut,
/// control characters shown as spaces.
pub(crate) fn clip(text: &str, max: usize) -> String {
    let mut out: String = text
        .chars()
        .take(max)
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if text.chars().nth(max).is_some() {
        out.push_str(&format!("… ({} bytes in all)", text.len()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clip_cuts_on_character_boundaries_and_says_the_length() {
        assert_eq!(clip("abc", 3), "abc");
        assert_eq!(clip("ééé", 2), "éé… (6 bytes in all)");
        assert_eq!(clip("a\nb", 5), "a b");
        assert_eq!(quote("x"), "`x`");
        assert_eq!(clip_path("a.b".into()), "a.b");
        let long = clip_path(format!("Envelope.{}.val", "é".repeat(1000)));
        assert!(
            long.starts_with("Envelope.éé") && long.ends_with("éé.val"),
            "{long}"
        );
        assert_eq!(
            long.chars().count(),
            MAX_PATH_CHARS / 3 + 1 + MAX_PATH_CHARS / 2
        );
    }
}
