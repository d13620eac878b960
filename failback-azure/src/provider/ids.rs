//! ARM ids and names as the adapter reads and builds them, and its error constructors.

use failback_core::{Error, ErrorKind};

/// The provider's name in errors and messages.
pub const PROVIDER: &str = "azure";

/// A provider error of `kind`.
pub(crate) fn error(kind: ErrorKind, message: impl Into<String>) -> Error {
    Error::provider(PROVIDER, kind, message)
}

/// The last segment of an ARM id (the value itself when it has no `/`), without a query.
pub(crate) fn last_segment(id: &str) -> &str {
    let path = id.split(['?', '#']).next().unwrap_or(id);
    let tail = path.trim_end_matches('/');
    tail.rsplit('/').next().unwrap_or(tail)
}

/// The segment after `marker` in an ARM id (case-insensitive), such as the fabric of
/// `…/replicationFabrics/{fabric}/…`.
pub(crate) fn segment_after<'a>(id: &'a str, marker: &str) -> Option<&'a str> {
    let mut parts = id.split('/');
    while let Some(p) = parts.next() {
        if p.eq_ignore_ascii_case(marker) {
            return parts.next().filter(|s| !s.is_empty());
        }
    }
    None
}

/// `s` as one path segment: every byte other than the unreserved ones (`A-Z a-z 0-9 - .
/// _ ~`) percent-encoded, so that a name cannot change the path.
pub(crate) fn encode_segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Whether two ARM ids name the same resource (ARM ids are case-insensitive; trailing
/// slashes do not count).
pub(crate) fn same_id(a: &str, b: &str) -> bool {
    a.trim_end_matches('/')
        .eq_ignore_ascii_case(b.trim_end_matches('/'))
}

/// Whether `id` is the ARM id of an Azure VM (`…/providers/Microsoft.Compute/virtualMachines/…`
/// or a classic one): how the adapter tells a process server running in Azure.
pub(crate) fn is_azure_vm_id(id: &str) -> bool {
    let lower = id.to_ascii_lowercase();
    lower.contains("/providers/microsoft.compute/virtualmachines/")
        || lower.contains("/providers/microsoft.classiccompute/virtualmachines/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_read_by_segment() {
        let id = "/Subscriptions/s/resourceGroups/g/providers/Microsoft.RecoveryServices/vaults/v/replicationFabrics/cs-01/replicationProtectionContainers/c/replicationProtectedItems/web-01";
        assert_eq!(last_segment(id), "web-01");
        assert_eq!(segment_after(id, "replicationfabrics"), Some("cs-01"));
        assert_eq!(segment_after(id, "nothing"), None);
        assert_eq!(last_segment("pol-x"), "pol-x");
        assert_eq!(last_segment("/a/b/?x=1"), "b");
        assert!(same_id(id, &id.to_lowercase()));
        assert_eq!(encode_segment("a b/c"), "a%20b%2Fc");
        assert!(is_azure_vm_id(
            "/subscriptions/s/resourceGroups/g/providers/Microsoft.Compute/virtualMachines/ps"
        ));
        assert!(!is_azure_vm_id("4d2c0e3a-host"));
    }
}
