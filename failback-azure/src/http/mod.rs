//! The HTTP layer of the ASR client.
