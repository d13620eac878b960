//! Rule tests: GRP, FO, NET, OPS, EXT.

#[allow(unused_imports)]
use failback_tests::*;
